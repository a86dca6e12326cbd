import { describe, expect, it } from "vitest";
import { acceptsGzip, matchesEtag } from "../../src/routes/topology.js";

describe("topology request headers", () => {
  it("accept gzip when Accept-Encoding lists gzip or x-gzip without q=0", () => {
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip("gzip")).toBe(true);
    expect(acceptsGzip("br, GZIP;q=0.5")).toBe(true);
    expect(acceptsGzip("x-gzip")).toBe(true);
    expect(acceptsGzip("gzip;q=0")).toBe(false);
    expect(acceptsGzip("gzip; q=0.000")).toBe(false);
    expect(acceptsGzip("deflate, br")).toBe(false);
    expect(acceptsGzip("gzipped")).toBe(false);
  });

  it("match If-None-Match by strong or weak tag, in a list, or *", () => {
    const etag = '"abc"';
    expect(matchesEtag(undefined, etag)).toBe(false);
    expect(matchesEtag('"abc"', etag)).toBe(true);
    expect(matchesEtag('W/"abc"', etag)).toBe(true);
    expect(matchesEtag('"x", "abc"', etag)).toBe(true);
    expect(matchesEtag(" * ", etag)).toBe(true);
    expect(matchesEtag('"abcd"', etag)).toBe(false);
    expect(matchesEtag("abc", etag)).toBe(false);
  });
});

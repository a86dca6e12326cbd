import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ReplayCache } from "../../src/replay-cache.js";

const dir = mkdtempSync(join(tmpdir(), "replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("replay-tag cache", () => {
  it("accepts a tag once and flags it the second time", () => {
    const cache = new ReplayCache({ path: ":memory:", epoch: "e" });
    const tag = randomBytes(32);
    expect(cache.checkAndAdd(tag)).toBe(true);
    expect(cache.checkAndAdd(tag)).toBe(false);
    expect(cache.checkAndAdd(randomBytes(32))).toBe(true);
    cache.close();
  });

  it("still knows its tags after a restart within the same key epoch", () => {
    const path = join(dir, "a.sqlite");
    const tags = Array.from({ length: 500 }, () => randomBytes(32));
    const first = new ReplayCache({ path, epoch: "key1" });
    for (const t of tags) first.checkAndAdd(t);
    first.close();
    const second = new ReplayCache({ path, epoch: "key1" });
    expect(second.loaded).toBe(500);
    expect(tags.every((t) => second.checkAndAdd(t) === false)).toBe(true);
    second.close();
  });

  it("starts empty, and deletes the old rows, when the key epoch changes", () => {
    const path = join(dir, "b.sqlite");
    const tag = randomBytes(32);
    const first = new ReplayCache({ path, epoch: "old" });
    first.checkAndAdd(tag);
    first.close();
    const second = new ReplayCache({ path, epoch: "new" });
    expect(second.loaded).toBe(0);
    expect(second.checkAndAdd(tag)).toBe(true);
    second.close();
    const third = new ReplayCache({ path, epoch: "old" });
    expect(third.loaded).toBe(0);
    third.close();
  });
});

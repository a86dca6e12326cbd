import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/index.js";

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("createLogger", () => {
  it("writes JSON lines with the process name, child module and context fields", () => {
    const out = capture();
    const log = createLogger({ name: "nym-test", level: "debug", destination: out.stream });
    log.child({ module: "abci" }).info({ height: 7 }, "block committed");
    const [line] = out.lines();
    expect(line).toMatchObject({ name: "nym-test", module: "abci", height: 7, msg: "block committed", level: 30 });
  });

  it("redacts secret fields at the top level and one level down", () => {
    const out = capture();
    const log = createLogger({ name: "nym-test", destination: out.stream });
    log.info({ secretKey: "deadbeef", peer: { privateKey: "cafe", host: "h" } }, "keys loaded");
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain("deadbeef");
    expect(text).not.toContain("cafe");
    expect(out.lines()[0]).toMatchObject({ secretKey: "[redacted]", peer: { privateKey: "[redacted]", host: "h" } });
  });

  it("drops lines below the configured level", () => {
    const out = capture();
    const log = createLogger({ name: "nym-test", level: "warn", destination: out.stream });
    log.info("hidden");
    log.warn("shown");
    expect(out.lines().map((line) => line.msg)).toEqual(["shown"]);
  });
});

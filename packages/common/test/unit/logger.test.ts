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

  it("writes one `module` key per line: a module logger's sub-module is its `component`, at any depth", () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        chunks.push(String(chunk));
        callback();
      },
    });
    const log = createLogger({ name: "nym-test", destination: stream });
    const validator = log.child({ module: "validator" });
    validator.child({ module: "abci" }).info("abci line");
    validator.child({ module: "abci" }).child({ peer: "p" }).child({ module: "deeper" }).info("deeper line");
    validator.info("validator line");
    const raw = chunks.join("").split("\n").filter(Boolean);
    for (const line of raw) {
      expect(line.match(/"module":/g)).toHaveLength(1);
      expect((line.match(/"component":/g) ?? []).length).toBeLessThanOrEqual(1);
    }
    const lines = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ module: "validator", component: "abci", msg: "abci line" });
    expect(lines[1]).toMatchObject({ module: "validator", component: "deeper", peer: "p" });
    expect(lines[2]).toMatchObject({ module: "validator", msg: "validator line" });
    expect(lines[2]).not.toHaveProperty("component");
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

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRandom } from "@nym-ts/mixnet";
import { afterAll, describe, expect, it } from "vitest";
import { analyzePrivacy } from "../../src/analysis.js";
import { parseDuration, parseList, runOptionsFrom } from "../../src/cli.js";
import { poolEntropyByLayer, poolEntropyByMix } from "../../src/pool-entropy.js";
import { markdownReport, type ReportRow, renderCharts } from "../../src/report.js";
import { simulateNetwork } from "../../src/simulate.js";

const dir = mkdtempSync(join(tmpdir(), "privacy-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rows(): ReportRow[] {
  const out: ReportRow[] = [];
  for (const cover of [0, 2]) {
    for (const meanDelayMs of [5, 50]) {
      const { network, messages } = simulateNetwork({
        clients: 6,
        gateways: 1,
        layers: 3,
        mixesPerLayer: 1,
        durationMs: 5000,
        meanDelayMs,
        messageRate: 1,
        lambdaP: cover > 0 ? 2 + cover : 0,
        lambdaD: cover,
        lambdaL: cover,
        mixLoopRate: cover > 0 ? 0.5 : 0,
        latencyMs: 0.5,
        random: seededRandom(meanDelayMs + cover),
      });
      const result = analyzePrivacy(network, messages, {
        meanDelayMs,
        latencyMs: 0.5,
        mixLoopRate: cover > 0 ? 0.5 : 0,
      });
      out.push({
        meanDelayMs,
        cover,
        clients: 6,
        durationMs: 5000,
        messageRate: 1,
        mixLoopRate: 0.5,
        stats: {
          queued: messages.length,
          entered: messages.length,
          delivered: messages.length,
          unmatched: 0,
          failed: 0,
          latencyP50Ms: 3 * meanDelayMs,
          mixPacketsPerSecond: 10,
          events: network.events.length,
        },
        holding: { mixes: meanDelayMs, gateways: 0.5 },
        latencyMs: 0.5,
        loadAverage: [0.5, 0.7],
        result,
        pool: poolEntropyByLayer(poolEntropyByMix(network)),
      });
    }
  }
  return out;
}

describe("the report", () => {
  it("has one table row per configuration with the guess against 1/N, and links its plots", () => {
    const r = rows();
    const md = markdownReport(r, { command: "nym-privacy run --clients 6", date: "2026-01-01", charts: ["a.png"] });
    expect(md).toContain("1/5 = 20.0 %");
    const tableRows = md.split("\n").filter((l) => /^\| (5|50) \| (0|2) \| \d+ \|/.test(l));
    expect(tableRows).toHaveLength(4);
    // The pool entropy column: layer 1 / 2 / 3 of each row, as computed, after the Loopix entropies.
    for (const [k, row] of r.entries()) {
      const cells = (tableRows[k] as string).split(" | ");
      const pool = [1, 2, 3].map((l) => row.pool?.find((x) => x.layer === l)?.meanEntropy.toFixed(2)).join(" / ");
      expect(cells[9]).toBe(pool);
    }
    expect(md).toContain("| pool entropy layer 1 / 2 / 3 (bits) |");
    expect(md).toContain("![a.png](a.png)");
    expect(md).toContain("`nym-privacy run --clients 6`");
  });

  it("renders the plots as PNG files", async () => {
    const files = await renderCharts(rows(), dir);
    expect(files).toEqual(["recipient-success.png", "entropy.png"]);
    for (const f of files) {
      const png = readFileSync(join(dir, f));
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.readUInt32BE(16)).toBe(900); // IHDR width
      expect(png.length).toBeGreaterThan(10_000);
    }
  });
});

describe("the command line", () => {
  it("reads durations, lists and the defaults of the issue's command", () => {
    expect(parseDuration("120s")).toBe(120_000);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("10")).toBe(10_000);
    expect(() => parseDuration("soon")).toThrow(/not a duration/);
    expect(parseList("5,20,50", "mu")).toEqual([5, 20, 50]);
    expect(() => parseList("5,-1", "mu")).toThrow(/--mu/);
    const o = runOptionsFrom({ clients: "20", duration: "120s", mu: "5,20,50" });
    expect(o).toMatchObject({ clients: 20, durationMs: 120_000, meanDelaysMs: [5, 20, 50], covers: [0, 2] });
    expect(() => runOptionsFrom({ clients: "1" })).toThrow(/--clients/);
  });
});

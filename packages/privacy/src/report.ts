import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import { Chart, type ChartConfiguration, registerables } from "chart.js";
import type { PrivacyResult } from "./analysis.js";

/** One configuration's measurement: the parameters, what the run did and what the adversary achieved. */
export interface ReportRow {
  meanDelayMs: number;
  cover: number;
  clients: number;
  durationMs: number;
  /** Real messages per client per second. */
  messageRate: number;
  mixLoopRate: number;
  stats: {
    queued: number;
    entered: number;
    delivered: number;
    unmatched: number;
    failed: number;
    latencyP50Ms: number;
    mixPacketsPerSecond: number;
    events: number;
  };
  /** Mean holding time (Little's law) at the mixes and at the gateways, ms: the delay plus processing and stalls. */
  holding: { mixes: number; gateways: number };
  /** The latency the adversary's kernel adds at every node (median at the gateways), ms. */
  latencyMs: number;
  /** The machine's 1-minute load average before and after the run. */
  loadAverage: [number, number];
  result: PrivacyResult;
  /**
   * The Loopix paper's single-mix metric (Appendix A.1, `pool-entropy.ts`) per mix layer: the mean entropy of a
   * mix's outputs over its past inputs from the counts alone, packets inside at an output, packets/s into a mix.
   */
  pool?: { layer: number; meanEntropy: number; meanInside: number; arrivalRate: number }[];
}

const f = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : "-");
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The report's Markdown: the parameters, one table row per configuration, per-layer entropies, how to read it. */
export function markdownReport(
  rows: readonly ReportRow[],
  meta: { command: string; date: string; charts: string[] },
): string {
  const first = rows[0];
  const lines: string[] = [];
  lines.push("# Mixnet privacy against a global passive adversary", "");
  lines.push(`Measured ${meta.date} with \`${meta.command}\` (docs/privacy.md explains every column).`, "");
  if (first) {
    lines.push(
      `${first.clients} clients, ${first.durationMs / 1000} s of real messages per configuration at ` +
        `${first.messageRate} message/s per client, each to a uniformly chosen other client; the random guess of a ` +
        `recipient is 1/${first.clients - 1} = ${pct(1 / (first.clients - 1))}, the most entropy a recipient set can ` +
        `have is log2(${first.clients - 1}) = ${f(Math.log2(first.clients - 1))} bits.`,
      "",
    );
  }
  lines.push(
    "| mean delay (ms) | cover (pkt/s) | messages | recipient guessed | vs 1/N | recipient entropy (bits) | sender named | sender entropy (bits) | layer 1 / 2 / 3 entropy (bits) | pool entropy layer 1 / 2 / 3 (bits) | mix load (pkt/s) | holding mix / gw (ms) | node latency (ms) | end-to-end p50 (ms) | load average |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of rows) {
    const layer = (l: number) => r.result.layers.find((x) => x.layer === l)?.senderEntropy ?? Number.NaN;
    const pool = (l: number) => r.pool?.find((x) => x.layer === l)?.meanEntropy ?? Number.NaN;
    lines.push(
      `| ${r.meanDelayMs} | ${r.cover} | ${r.result.messages} | ${pct(r.result.recipientSuccess)} | ` +
        `${f(r.result.recipientSuccess / r.result.baseline)}x | ${f(r.result.recipientEntropy)} | ` +
        `${pct(r.result.senderSuccess)} | ${f(r.result.senderEntropy)} | ${f(layer(1))} / ${f(layer(2))} / ${f(layer(3))} | ` +
        `${f(pool(1))} / ${f(pool(2))} / ${f(pool(3))} | ` +
        `${f(r.stats.mixPacketsPerSecond, 1)} | ${f(r.holding.mixes, 1)} / ${f(r.holding.gateways, 1)} | ` +
        `${f(r.latencyMs, 2)} | ${f(r.stats.latencyP50Ms, 0)} | ${f(r.loadAverage[0], 1)} -> ${f(r.loadAverage[1], 1)} |`,
    );
  }
  lines.push("");
  lines.push("Per layer (every packet leaving it): sender entropy / one-hop entropy, bits.", "");
  lines.push(
    "| mean delay (ms) | cover (pkt/s) | layer 1 | layer 2 | layer 3 | gateway deliveries |",
    "|---|---|---|---|---|---|",
  );
  for (const r of rows) {
    const cell = (l: number | "delivery") => {
      const x = r.result.layers.find((y) => y.layer === l);
      return x ? `${f(x.senderEntropy)} / ${f(x.hopEntropy)} (${x.packets})` : "-";
    };
    lines.push(`| ${r.meanDelayMs} | ${r.cover} | ${cell(1)} | ${cell(2)} | ${cell(3)} | ${cell("delivery")} |`);
  }
  lines.push("");
  lines.push(
    "Runs: real messages queued / entered and matched / delivered and matched / unmatched / failed sends, link events seen.",
    "",
  );
  for (const r of rows) {
    const s = r.stats;
    lines.push(
      `- mean delay ${r.meanDelayMs} ms, cover ${r.cover}: ${s.queued} / ${s.entered} / ${s.delivered} / ${s.unmatched} / ${s.failed}, ${s.events} events; trails lost: ${r.result.lost}`,
    );
  }
  if (meta.charts.length > 0) {
    lines.push("");
    for (const c of meta.charts) lines.push(`![${c}](${c})`);
  }
  lines.push("");
  return lines.join("\n");
}

let registered = false;
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

async function renderPng(config: ChartConfiguration, path: string, width = 900, height = 520): Promise<void> {
  if (!registered) {
    Chart.register(...registerables);
    registered = true;
  }
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  // Chart.js draws on any 2D context with the canvas API; @napi-rs/canvas is one (Skia, no browser).
  const chart = new Chart(ctx as unknown as ConstructorParameters<typeof Chart>[0], {
    ...config,
    options: { ...config.options, responsive: false, animation: false, devicePixelRatio: 1 },
  });
  writeFileSync(path, await canvas.encode("png"));
  chart.destroy();
}

/** Writes the report's PNG plots into `dir`; returns their file names. */
export async function renderCharts(rows: readonly ReportRow[], dir: string): Promise<string[]> {
  const covers = [...new Set(rows.map((r) => r.cover))].sort((a, b) => a - b);
  const delays = [...new Set(rows.map((r) => r.meanDelayMs))].sort((a, b) => a - b);
  const series = (value: (r: ReportRow) => number) =>
    covers.map((c, k) => ({
      label: `cover ${c} pkt/s per client`,
      data: rows
        .filter((r) => r.cover === c)
        .sort((a, b) => a.meanDelayMs - b.meanDelayMs)
        .map((r) => ({ x: r.meanDelayMs, y: value(r) })),
      borderColor: PALETTE[k % PALETTE.length],
      backgroundColor: PALETTE[k % PALETTE.length],
    }));
  const flat = (label: string, y: number, color: string) => ({
    label,
    data: [
      { x: delays[0] ?? 0, y },
      { x: delays.at(-1) ?? 0, y },
    ],
    borderColor: color,
    borderDash: [6, 4],
    pointRadius: 0,
  });
  const clients = rows[0]?.clients ?? 2;
  const axes = (y: string, max?: number) => ({
    x: { type: "linear" as const, title: { display: true, text: "mean delay per mix (ms)" } },
    y: { min: 0, ...(max === undefined ? {} : { max }), title: { display: true, text: y } },
  });
  const written: string[] = [];
  await renderPng(
    {
      type: "line",
      data: {
        datasets: [
          ...series((r) => r.result.recipientSuccess),
          flat("random guess 1/(N-1)", 1 / (clients - 1), "#555"),
        ],
      },
      options: {
        scales: axes("recipients guessed right", 1),
        plugins: { title: { display: true, text: "Global passive adversary: recipient guesses from timing alone" } },
      },
    },
    join(dir, "recipient-success.png"),
  );
  written.push("recipient-success.png");
  const maxBits = Math.log2(clients - 1);
  await renderPng(
    {
      type: "line",
      data: {
        datasets: [
          ...series((r) => r.result.layers.find((l) => l.layer === 3)?.senderEntropy ?? 0).map((d) => ({
            ...d,
            label: `layer 3 output sender entropy, ${d.label}`,
          })),
          ...series((r) => r.result.recipientEntropy).map((d) => ({
            ...d,
            label: `recipient entropy, ${d.label}`,
            borderDash: [3, 3],
          })),
          flat(`log2(N-1) = ${maxBits.toFixed(2)} bits`, maxBits, "#555"),
        ],
      },
      options: {
        scales: axes("bits"),
        plugins: { title: { display: true, text: "Anonymity sets (Shannon entropy, bits)" } },
      },
    },
    join(dir, "entropy.png"),
  );
  written.push("entropy.png");
  return written;
}

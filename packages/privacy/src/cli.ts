import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import {
  type CommandLineSpec,
  type CommandSpec,
  daemonVersion,
  type FlagSpec,
  packageVersion,
  runCommandLine,
  UsageError,
} from "@nym-ts/common";
import { seededRandom } from "@nym-ts/mixnet";
import {
  AdversaryView,
  analyzePrivacy,
  estimateHoldingTimes,
  estimateLatencyMs,
  layerEntropies,
  networkFromTraces,
  SenderDistributions,
} from "./analysis.js";
import { runExperiment } from "./experiment.js";
import {
  largePoolEntropy,
  type MixPoolEntropy,
  poolEntropyByLayer,
  poolEntropyByMix,
  simulatePoissonMix,
} from "./pool-entropy.js";
import { markdownReport, type ReportRow, renderCharts } from "./report.js";
import { simulateNetwork } from "./simulate.js";
import { readTraces } from "./traces.js";

export const DEFAULT_OUT_DIR = "build/privacy";

/** What `nym-privacy run` (and `nym-localnet privacy`) measures. */
export interface PrivacyRunOptions {
  clients: number;
  durationMs: number;
  /** Mean delays per mix to measure, ms. */
  meanDelaysMs: number[];
  /** Cover levels to measure, packets per second per client (0: none). */
  covers: number[];
  messageRate: number;
  mixnodesPerLayer: number;
  gateways: number;
  mixLoopRate: number;
  processes: "none" | "all";
  seed: number;
  /** Where the report goes. */
  outDir: string;
  /** Keep each run's node directories (traces included) under outDir/runs. */
  keepTraces: boolean;
  /** Progress lines (default console.log). */
  print?: (line: string) => void;
}

/** Parses `120s`, `2m`, `500ms` or a number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`not a duration: ${text} (e.g. 120s, 2m, 500ms)`);
  const value = Number(m[1]);
  const ms = m[2] === "ms" ? value : m[2] === "m" ? value * 60_000 : value * 1000;
  if (!(ms > 0)) throw new UsageError(`duration must be positive: ${text}`);
  return ms;
}

/** Parses a comma-separated list of numbers >= 0. */
export function parseList(text: string, what: string): number[] {
  const values = text.split(",").map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new UsageError(`--${what} takes numbers >= 0 separated by commas, not ${text}`);
  }
  return values;
}

const whole = (text: string | undefined, what: string, fallback: number, min: number): number => {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < min)
    throw new UsageError(`--${what} must be a whole number >= ${min}, not ${text}`);
  return v;
};

const positive = (text: string | undefined, what: string, fallback: number): number => {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`--${what} must be a number >= 0, not ${text}`);
  return v;
};

/** The experiment's flags, shared with `nym-localnet privacy`. */
export const runFlags: Record<string, FlagSpec> = {
  clients: { type: "string", value: "N", describe: "clients sending real messages (default 20)" },
  duration: { type: "string", value: "T", describe: "sending time per configuration, e.g. 120s, 2m (default 120s)" },
  mu: { type: "string", value: "MS,...", describe: "mean delays per mix to measure, ms (default 5,20,50)" },
  cover: {
    type: "string",
    value: "C,...",
    describe: "cover levels, packets/s per client of drops and of loops each (0 = no cover at all; default 0,2)",
  },
  rate: { type: "string", value: "R", describe: "real messages per second per client (default 1)" },
  "mixnodes-per-layer": { type: "string", value: "N", describe: "mixnodes in each of the 3 layers (default 2)" },
  gateways: { type: "string", value: "N", describe: "gateways (default 2)" },
  "mix-loops": { type: "string", value: "R", describe: "loops per mix per second when cover is on (default 0.5)" },
  processes: { type: "boolean", describe: "run the mixnodes as child processes (default: in this process)" },
  seed: { type: "string", value: "S", describe: "seed of the message schedule (default 1)" },
  out: { type: "string", value: "DIR", describe: `where the report goes (default ${DEFAULT_OUT_DIR})` },
  "keep-traces": { type: "boolean", describe: "keep every run's node directories and traces under DIR/runs" },
};

/** `PrivacyRunOptions` from the flags of `runFlags`. */
export function runOptionsFrom(flags: Record<string, string>): PrivacyRunOptions {
  const clients = whole(flags.clients, "clients", 20, 2);
  return {
    clients,
    durationMs: parseDuration(flags.duration ?? "120s"),
    meanDelaysMs: parseList(flags.mu ?? "5,20,50", "mu"),
    covers: parseList(flags.cover ?? "0,2", "cover"),
    messageRate: positive(flags.rate, "rate", 1) || 1,
    mixnodesPerLayer: whole(flags["mixnodes-per-layer"], "mixnodes-per-layer", 2, 1),
    gateways: whole(flags.gateways, "gateways", 2, 1),
    mixLoopRate: positive(flags["mix-loops"], "mix-loops", 0.5),
    processes: flags.processes === "true" ? "all" : "none",
    seed: whole(flags.seed, "seed", 1, 0),
    outDir: resolve(flags.out ?? DEFAULT_OUT_DIR),
    keepTraces: flags["keep-traces"] === "true",
  };
}

/**
 * Runs every (mean delay, cover) configuration on a fresh loopback mixnet, scores the adversary on each, and writes
 * `report.md`, `results.json` and the PNG plots into `outDir`. Returns the rows.
 */
export async function runPrivacy(options: PrivacyRunOptions, command = "nym-privacy run"): Promise<ReportRow[]> {
  const print = options.print ?? ((line: string) => console.log(line));
  mkdirSync(options.outDir, { recursive: true });
  const rows: ReportRow[] = [];
  for (const cover of options.covers) {
    for (const meanDelayMs of options.meanDelaysMs) {
      const t0 = performance.now();
      const loadBefore = loadavg()[0] as number;
      const dir = options.keepTraces ? join(options.outDir, "runs", `mu${meanDelayMs}-cover${cover}`) : undefined;
      // A configuration's traces and node keys from an earlier run into the same --out are replaced, not reused: a
      // mixnet starts on fresh keys (`init` refuses to overwrite a key file).
      if (dir) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
      }
      const experiment = {
        clients: options.clients,
        durationMs: options.durationMs,
        meanDelayMs,
        cover,
        messageRate: options.messageRate,
        mixnodesPerLayer: options.mixnodesPerLayer,
        gateways: options.gateways,
        mixLoopRate: options.mixLoopRate,
        processes: options.processes,
        seed: options.seed,
        ...(dir ? { dir } : {}),
      };
      // One retry: a configuration that fails to start (a node not registered in time on a loaded machine) is run
      // again on a fresh mixnet before the whole experiment gives up; the rows done so far are on disk already.
      const run = await runExperiment(experiment).catch((error: unknown) => {
        print(`mean delay ${meanDelayMs} ms, cover ${cover}: ${(error as Error).message}; retrying once`);
        const retryDir = dir ? `${dir}-retry` : undefined;
        if (retryDir) {
          rmSync(retryDir, { recursive: true, force: true });
          mkdirSync(retryDir, { recursive: true });
        }
        return runExperiment({ ...experiment, ...(retryDir ? { dir: retryDir } : {}) });
      });
      const holdingMs = estimateHoldingTimes(run.network);
      const latencyMs = estimateLatencyMs(run.network) ?? 1;
      const result = analyzePrivacy(run.network, run.messages, {
        meanDelayMs,
        latencyMs,
        mixLoopRate: run.options.mixLoopRate,
      });
      const pool = poolEntropyByLayer(poolEntropyByMix(run.network)).map(
        ({ layer, meanEntropy, meanInside, arrivalRate }) => ({
          layer,
          meanEntropy,
          meanInside,
          arrivalRate,
        }),
      );
      const mean = (role: "mix" | "gateway") => {
        const values = [...run.network.nodes]
          .filter(([, r]) => (role === "gateway") === (r === "gateway"))
          .map(([id]) => holdingMs.get(id))
          .filter((v): v is number => v !== undefined);
        return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
      };
      const row: ReportRow = {
        meanDelayMs,
        cover,
        clients: options.clients,
        durationMs: options.durationMs,
        messageRate: options.messageRate,
        mixLoopRate: run.options.mixLoopRate,
        stats: run.stats,
        holding: { mixes: mean("mix"), gateways: mean("gateway") },
        latencyMs,
        loadAverage: [loadBefore, loadavg()[0] as number],
        result,
        pool,
      };
      rows.push(row);
      writeFileSync(join(options.outDir, "results.json"), `${JSON.stringify(rows, null, 2)}\n`);
      print(
        `mean delay ${meanDelayMs} ms, cover ${cover}: ${result.messages} messages, recipient guessed ` +
          `${(100 * result.recipientSuccess).toFixed(1)} % (1/N = ${(100 * result.baseline).toFixed(1)} %), ` +
          `layer 3 entropy ${(result.layers.find((l) => l.layer === 3)?.senderEntropy ?? 0).toFixed(2)} bits ` +
          `(${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
  }
  const charts = await renderCharts(rows, options.outDir);
  const report = markdownReport(rows, { command, date: new Date().toISOString().slice(0, 10), charts });
  writeFileSync(join(options.outDir, "report.md"), report);
  writeFileSync(join(options.outDir, "results.json"), `${JSON.stringify(rows, null, 2)}\n`);
  print(`wrote ${join(options.outDir, "report.md")}, results.json, ${charts.join(", ")}`);
  return rows;
}

/** `run`: the experiment end to end; exported for `nym-localnet privacy`. */
export const runCommand: CommandSpec<number> = {
  describe: "run the experiment on loopback mixnets and write report.md, results.json and PNG plots",
  flags: runFlags,
  async run({ flags }) {
    const options = runOptionsFrom(flags);
    await runPrivacy(options, ["nym-privacy run", ...process.argv.slice(3)].join(" "));
    return 0;
  },
};

const commands: Record<string, CommandSpec<number>> = {
  run: runCommand,
  analyze: {
    describe: "the per-layer entropies and holding times of recorded traces (e.g. a localnet's, [observe] enabled)",
    flags: {
      dir: { type: "string", value: "DIR", describe: "directory searched for observe.trace files", required: true },
      mu: { type: "string", value: "MS", describe: "the network's mean delay per mix, ms (default 20)" },
      "mix-loops": { type: "string", value: "R", describe: "loops per mix per second (default 0.5)" },
    },
    run({ flags }) {
      const network = networkFromTraces(readTraces(resolve(flags.dir as string)));
      if (network.events.length === 0) throw new UsageError(`no observe.trace with packets under ${flags.dir}`);
      const holdingMs = estimateHoldingTimes(network);
      const latencyMs = estimateLatencyMs(network) ?? 1;
      const view = new AdversaryView(network, {
        meanDelayMs: positive(flags.mu, "mu", 20),
        latencyMs,
        mixLoopRate: positive(flags["mix-loops"], "mix-loops", 0.5),
      });
      const layers = layerEntropies(view, new SenderDistributions(view));
      console.log(`${network.nodes.size} nodes, ${view.clients.length} clients, ${network.events.length} link events`);
      for (const l of layers) {
        console.log(
          `${l.layer === "delivery" ? "deliveries" : `layer ${l.layer}`}: ${l.packets} packets, sender entropy ` +
            `${l.senderEntropy.toFixed(2)} bits, one-hop entropy ${l.hopEntropy.toFixed(2)} bits`,
        );
      }
      for (const l of poolEntropyByLayer(poolEntropyByMix(network))) {
        console.log(
          `layer ${l.layer} pool entropy (Loopix Appendix A.1): ${l.meanEntropy.toFixed(2)} bits, ` +
            `${l.meanInside.toFixed(2)} packets inside, ${l.arrivalRate.toFixed(1)} packets/s in per mix`,
        );
      }
      console.log(`latency (median, gateways): ${latencyMs.toFixed(2)} ms`);
      for (const [id, ms] of holdingMs)
        console.log(`holding ${network.nodes.get(id)} ${id.slice(0, 12)}: ${ms.toFixed(1)} ms`);
      return 0;
    },
  },
};

/** The Figure 4 grid: one Poisson mix per (lambda, mu), `runs` seeds each; mean and spread of the mean entropy. */
export function loopixFigure4(
  lambdas: readonly number[],
  mus: readonly number[],
  runs: number,
  seed: number,
): { lambda: number; mu: number; mean: number; sd: number }[] {
  const out: { lambda: number; mu: number; mean: number; sd: number }[] = [];
  for (const mu of mus) {
    for (const lambda of lambdas) {
      const values: number[] = [];
      for (let r = 0; r < runs; r++) {
        const random = seededRandom(seed * 1_000_003 + out.length * 1009 + r);
        values.push(simulatePoissonMix({ lambda, mu, random }).meanEntropy);
      }
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
      out.push({ lambda, mu, mean, sd });
    }
  }
  return out;
}

/** Our ideal network (`simulateNetwork`) at the experiment's parameters, as `nym-privacy run` would build it. */
export function idealNetworkPool(o: {
  clients: number;
  durationMs: number;
  meanDelayMs: number;
  cover: number;
  gatewayAcks: boolean;
  seed: number;
}): Omit<MixPoolEntropy, "id">[] {
  const { network } = simulateNetwork({
    clients: o.clients,
    gateways: 2,
    layers: 3,
    mixesPerLayer: 2,
    durationMs: o.durationMs,
    meanDelayMs: o.meanDelayMs,
    messageRate: 1,
    lambdaP: o.cover > 0 ? 2 + o.cover : 0,
    lambdaD: o.cover,
    lambdaL: o.cover,
    mixLoopRate: o.cover > 0 ? 0.5 : 0,
    latencyMs: 0.5,
    acks: true,
    gatewayAcks: o.gatewayAcks,
    random: seededRandom(o.seed),
  });
  return poolEntropyByLayer(poolEntropyByMix(network, { fromMs: 2000, toMs: o.durationMs }));
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);

commands["loopix-fig4"] = {
  describe:
    "the Loopix paper's Figure 4 setting: one Poisson mix's mean output entropy (Appendix A.1) for each incoming " +
    "rate lambda and delay rate mu, as a Markdown table",
  flags: {
    lambda: { type: "string", value: "L,...", describe: "incoming messages per second (default 100,200,300,400,500)" },
    mu: {
      type: "string",
      value: "MU,...",
      describe: "delay rates per second, mean delay 1/mu (default 200,20,2,0.2,0.02)",
    },
    runs: { type: "string", value: "N", describe: "simulations averaged per point (default 10; the paper used 50)" },
    seed: { type: "string", value: "S", describe: "seed (default 1)" },
  },
  run({ flags }) {
    const lambdas = parseList(flags.lambda ?? "100,200,300,400,500", "lambda");
    const mus = parseList(flags.mu ?? "200,20,2,0.2,0.02", "mu");
    if (lambdas.some((x) => x <= 0) || mus.some((x) => x <= 0)) throw new UsageError("--lambda and --mu must be > 0");
    const runs = whole(flags.runs, "runs", 10, 1);
    const t0 = performance.now();
    const grid = loopixFigure4(lambdas, mus, runs, whole(flags.seed, "seed", 1, 0));
    console.log(`Mean entropy of a Poisson mix's outputs, bits (Appendix A.1), ${runs} simulations per point`);
    console.log("(each from empty: 5 mean delays of warm-up, then max(10 mean delays, 20,000 arrivals) measured).\n");
    console.log(`| mu (1/s) | mean delay | ${lambdas.map((l) => `lambda ${l}`).join(" | ")} |`);
    console.log(`|---|---|${lambdas.map(() => "---|").join("")}`);
    let sd = 0;
    for (const mu of mus) {
      const cells = lambdas.map((lambda) => {
        const p = grid.find((g) => g.lambda === lambda && g.mu === mu) as (typeof grid)[number];
        sd = Math.max(sd, p.sd);
        return fmt(p.mean);
      });
      const delay = 1 / mu >= 1 ? `${fmt(1 / mu, 1)} s` : `${fmt(1000 / mu, 0)} ms`;
      console.log(`| ${mu} | ${delay} | ${cells.join(" | ")} |`);
    }
    console.log(
      `\nLargest standard deviation between simulations: ${fmt(sd, 3)} bits. For a large pool the value is ` +
        `log2(e lambda / mu), e.g. ${fmt(largePoolEntropy(lambdas.at(-1) as number, mus.at(-1) as number))} at ` +
        `lambda ${lambdas.at(-1)}, mu ${mus.at(-1)}. ${fmt((performance.now() - t0) / 1000, 1)} s.`,
    );
    return 0;
  },
};

commands["pool-entropy"] = {
  describe:
    "the Loopix Appendix A.1 pool entropy per mix layer on the ideal network at the experiment's parameters, beside " +
    "one Poisson mix (the paper's Figure 4 experiment) at the same incoming rate and delay",
  flags: {
    clients: runFlags.clients as FlagSpec,
    duration: runFlags.duration as FlagSpec,
    mu: runFlags.mu as FlagSpec,
    cover: runFlags.cover as FlagSpec,
    "no-gateway-acks": { type: "boolean", describe: "simulate without the gateways' acks (default: with them)" },
    seed: { type: "string", value: "S", describe: "seed of the ideal network (default 7)" },
  },
  run({ flags }) {
    const clients = whole(flags.clients, "clients", 20, 2);
    const durationMs = parseDuration(flags.duration ?? "120s");
    const seed = whole(flags.seed, "seed", 7, 0);
    const gatewayAcks = flags["no-gateway-acks"] !== "true";
    console.log(
      `Ideal network, ${clients} clients, 3 x 2 mixes, 2 gateways, ${durationMs / 1000} s, seed ${seed}, ` +
        `${gatewayAcks ? "with" : "without"} gateway acks; per layer: packets/s into a mix (lambda), mu = 1000 / mean ` +
        "delay, lambda/mu, packets inside at an output, pool entropy (bits) of the layer's mixes, one Poisson mix at " +
        "the same lambda and mu (10 simulations).\n",
    );
    console.log(
      "| mean delay (ms) | cover | layer | lambda (pkt/s) | mu (1/s) | lambda/mu | inside | pool entropy | one Poisson mix |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|");
    for (const cover of parseList(flags.cover ?? "0,2", "cover")) {
      for (const meanDelayMs of parseList(flags.mu ?? "5,20,50", "mu")) {
        const mu = 1000 / meanDelayMs;
        for (const l of idealNetworkPool({ clients, durationMs, meanDelayMs, cover, gatewayAcks, seed })) {
          const single = loopixFigure4([l.arrivalRate], [mu], 10, seed)[0]?.mean ?? Number.NaN;
          console.log(
            `| ${meanDelayMs} | ${cover} | ${l.layer} | ${fmt(l.arrivalRate, 1)} | ${fmt(mu, 0)} | ` +
              `${fmt(l.arrivalRate / mu)} | ${fmt(l.meanInside)} | ${fmt(l.meanEntropy)} | ${fmt(single)} |`,
          );
        }
      }
    }
    return 0;
  },
};

export const cliSpec: CommandLineSpec<number> = {
  name: "nym-privacy",
  about:
    "How much the mixnet hides from a global passive adversary, measured on our own traffic (docs/privacy.md): run " +
    "real clients over loopback mixnets whose nodes record what the adversary sees, guess each real message's " +
    "recipient from timing alone, and measure each layer's sender anonymity in bits.",
  commands,
  version: daemonVersion(packageVersion(import.meta.url)),
};

export function runCli(argv: readonly string[]): Promise<number> {
  return runCommandLine(cliSpec as CommandLineSpec<unknown>, argv) as Promise<number>;
}

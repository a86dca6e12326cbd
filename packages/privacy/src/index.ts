/**
 * @nym-ts/privacy: how much the mixnet hides, measured on our own traffic (docs/privacy.md).
 *
 * - `analysis.ts` (pure): the global passive adversary over recorded link events: the Loopix per-hop likelihood
 *   `P(i | o)`, Little's-law holding times, sender distributions and their entropy per layer, and the recipient
 *   guess that follows a real message along the stratified route.
 * - `pool-entropy.ts` (pure): the Loopix paper's single-mix entropy (Appendix A.1, its Figure 4) from the counts in
 *   and out of a mix, per mix of an observed network, and a simulated Poisson mix for the paper's Figure 4 setting.
 * - `simulate.ts` (pure): an ideal Loopix network with the same streams and delays, for tests and comparison.
 * - `traces.ts`: reads the nodes' `observe.trace` files (`[observe] enabled`, @nym-ts/mixnet-node).
 * - `experiment.ts`: one run: a loopback mixnet (@nym-ts/testkit) with observation on, real MixClients sending real
 *   messages at Poisson times with cover traffic, the truth matched to the adversary's events.
 * - `report.ts`, `cli.ts`: `nym-privacy run --clients 20 --duration 120s --mu 5,20,50` writes report.md,
 *   results.json and PNG plots (Chart.js on @napi-rs/canvas) to build/privacy.
 *
 * @example
 * const run = await runExperiment({ clients: 4, durationMs: 10_000, meanDelayMs: 50, cover: 2 });
 * const result = analyzePrivacy(run.network, run.messages, {
 *   meanDelayMs: 50, latencyMs: 1, mixLoopRate: run.options.mixLoopRate, holdingMs: estimateHoldingTimes(run.network),
 * });
 * console.log(result.recipientSuccess, result.baseline, result.layers);
 */

export * from "./analysis.js";
export {
  cliSpec,
  DEFAULT_OUT_DIR,
  idealNetworkPool,
  loopixFigure4,
  type PrivacyRunOptions,
  parseDuration,
  parseList,
  runCli,
  runCommand,
  runFlags,
  runOptionsFrom,
  runPrivacy,
} from "./cli.js";
export { type ExperimentOptions, type ExperimentRun, runExperiment, trafficFor } from "./experiment.js";
export * from "./pool-entropy.js";
export { markdownReport, type ReportRow, renderCharts } from "./report.js";
export { type SimulationOptions, simulateNetwork } from "./simulate.js";
export { readTraces } from "./traces.js";

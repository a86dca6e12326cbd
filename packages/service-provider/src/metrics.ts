import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Every way a spend can end: the SpendAnswer outcomes, plus a body that is not a spend and a chain not reachable. */
export const METRIC_OUTCOMES = [
  "spent",
  "rejected",
  "double_spend",
  "released",
  "timeout",
  "malformed",
  "unavailable",
] as const;
export type MetricOutcome = (typeof METRIC_OUTCOMES)[number];

export interface SpendMetrics {
  spends: Counter<"outcome" | "transport">;
  verifySeconds: Histogram;
  decisionSeconds: Histogram<"outcome">;
  inFlight: Gauge;
  chainErrors: Counter<"where">;
  mixnetMessages: Counter<"result">;
}

/** The SP's Prometheus metrics, registered on the HTTP app's registry (`prefix` is `nym_service_provider_`). */
export function createSpendMetrics(registry: Registry, prefix = "nym_service_provider_"): SpendMetrics {
  const registers = [registry];
  const spends = new Counter({
    name: `${prefix}spends_total`,
    help: "Spends handled, by outcome (spent, rejected, double_spend, released, timeout, malformed, unavailable) and transport",
    labelNames: ["outcome", "transport"] as const,
    registers,
  });
  for (const outcome of METRIC_OUTCOMES) {
    for (const transport of ["http", "mixnet"]) spends.inc({ outcome, transport }, 0);
  }
  return {
    spends,
    verifySeconds: new Histogram({
      name: `${prefix}spend_verify_seconds`,
      help: "Time to decode and verify a spend's proof locally",
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25],
      registers,
    }),
    decisionSeconds: new Histogram({
      name: `${prefix}spend_decision_seconds`,
      help: "Time from a spend's arrival to its answer, by outcome",
      labelNames: ["outcome"] as const,
      buckets: [0.005, 0.05, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    }),
    inFlight: new Gauge({
      name: `${prefix}spends_in_flight`,
      help: "Spends deposited and waiting for the verifiers' decision",
      registers,
    }),
    chainErrors: new Counter({
      name: `${prefix}chain_errors_total`,
      help: "Failed calls and malformed chain events, by where (poll, subscribe, event, deposit, reconcile, directory)",
      labelNames: ["where"] as const,
      registers,
    }),
    mixnetMessages: new Counter({
      name: `${prefix}mixnet_messages_total`,
      help: "Mixnet messages received, by result (answered, malformed, no_surb, reply_failed)",
      labelNames: ["result"] as const,
      registers,
    }),
  };
}

import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The issuer's Prometheus series (beside the HTTP and process ones `createHttpApp` registers). */
export interface IssuerMetrics {
  /** Distinct credential requests seen in committed events (replays of decided ones are not counted again). */
  seen: Counter;
  signed: Counter;
  rejected: Counter<"reason">;
  /** Events of requests already decided: replays after a restart or a reconnect; never signed again. */
  duplicates: Counter;
  /** Decode, π_s check, blind signature and the store's transaction, per signed request. */
  signDuration: Histogram;
  checkpoint: Gauge;
  chainHeight: Gauge;
  chainErrors: Counter<"operation">;
  registrations: Counter<"result">;
}

export function createIssuerMetrics(registry: Registry): IssuerMetrics {
  const registers = [registry];
  const p = "nym_issuer_";
  return {
    seen: new Counter({
      name: `${p}requests_seen_total`,
      help: "Distinct credential requests seen in committed credential_request events",
      registers,
    }),
    signed: new Counter({ name: `${p}requests_signed_total`, help: "Credential requests blind-signed", registers }),
    rejected: new Counter({
      name: `${p}requests_rejected_total`,
      help: "Credential requests refused for good, by reason",
      labelNames: ["reason"] as const,
      registers,
    }),
    duplicates: new Counter({
      name: `${p}duplicate_events_total`,
      help: "Events of requests already decided (replays), skipped",
      registers,
    }),
    signDuration: new Histogram({
      name: `${p}sign_duration_seconds`,
      help: "Time to check (decode, pi_s) and blind-sign one request and store the partial",
      buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256],
      registers,
    }),
    checkpoint: new Gauge({
      name: `${p}checkpoint_height`,
      help: "Height up to which every credential request is decided",
      registers,
    }),
    chainHeight: new Gauge({ name: `${p}chain_height`, help: "Latest chain height seen", registers }),
    chainErrors: new Counter({
      name: `${p}chain_errors_total`,
      help: "Failed calls to the chain node, by operation (retried)",
      labelNames: ["operation"] as const,
      registers,
    }),
    registrations: new Counter({
      name: `${p}directory_registrations_total`,
      help: "Directory registrations and renewals, by result",
      labelNames: ["result"] as const,
      registers,
    }),
  };
}

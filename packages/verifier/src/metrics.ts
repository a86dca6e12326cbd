import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The verifier's Prometheus series (prefix `nym_verifier_`), registered on its app's registry. */
export interface VerifierMetrics {
  depositsSeen: Counter;
  malformedEvents: Counter;
  verified: Counter<"verdict">;
  invalid: Counter<"reason">;
  batchSize: Histogram;
  batchFallbacks: Counter;
  verifySeconds: Histogram;
  votesSent: Counter<"valid">;
  votesRecovered: Counter;
  voteErrors: Counter<"code">;
  skipped: Counter<"reason">;
  pending: Gauge;
  checkpoint: Gauge;
}

export function createVerifierMetrics(registry: Registry): VerifierMetrics {
  const registers = [registry];
  const p = "nym_verifier_";
  return {
    depositsSeen: new Counter({
      name: `${p}deposits_seen_total`,
      help: "deposit_credential events recorded (each deposit once)",
      registers,
    }),
    malformedEvents: new Counter({
      name: `${p}malformed_events_total`,
      help: "deposit_credential events without well-formed attributes (ignored)",
      registers,
    }),
    verified: new Counter({
      name: `${p}proofs_verified_total`,
      help: "Deposits judged, by verdict (valid, invalid)",
      labelNames: ["verdict"] as const,
      registers,
    }),
    invalid: new Counter({
      name: `${p}invalid_proofs_total`,
      help: "Deposits judged invalid, by reason",
      labelNames: ["reason"] as const,
      registers,
    }),
    batchSize: new Histogram({
      name: `${p}batch_size`,
      help: "Deposits judged together in one pass",
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    }),
    batchFallbacks: new Counter({
      name: `${p}batch_fallbacks_total`,
      help: "Batch verifications that failed, after which each proof was verified alone",
      registers,
    }),
    verifySeconds: new Histogram({
      name: `${p}verify_duration_seconds`,
      help: "Time to judge one pass of deposits (decoding and verification)",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    votesSent: new Counter({
      name: `${p}votes_sent_total`,
      help: "Votes this verifier sent that are confirmed on chain, by verdict",
      labelNames: ["valid"] as const,
      registers,
    }),
    votesRecovered: new Counter({
      name: `${p}votes_recovered_total`,
      help: "Votes found on chain already (sent before a restart, or refused as duplicates)",
      registers,
    }),
    voteErrors: new Counter({
      name: `${p}vote_errors_total`,
      help: "Vote attempts the chain refused or that failed, by code (CHAIN_ERROR_DUPLICATE_VOTE counts as done)",
      labelNames: ["code"] as const,
      registers,
    }),
    skipped: new Counter({
      name: `${p}deposits_skipped_total`,
      help: "Deposits not voted on, by reason (decided, superseded)",
      labelNames: ["reason"] as const,
      registers,
    }),
    pending: new Gauge({ name: `${p}pending_deposits`, help: "Deposits seen, not yet voted on", registers }),
    checkpoint: new Gauge({
      name: `${p}checkpoint_height`,
      help: "Height deposit events are followed from after a restart",
      registers,
    }),
  };
}

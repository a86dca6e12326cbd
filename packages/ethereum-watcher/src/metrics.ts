import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/**
 * The watcher's Prometheus series, shared by the poller and the notification pump. They exist once `register` has
 * put them on the HTTP app's registry (at start); before that every update is skipped.
 */
export class WatcherMetrics {
  head: Gauge | undefined;
  nextBlock: Gauge | undefined;
  pending: Gauge | undefined;
  seen: Counter | undefined;
  notified: Counter | undefined;
  notifyErrors: Counter<"reason"> | undefined;
  rejected: Counter | undefined;
  rpcErrors: Counter | undefined;
  malformed: Counter | undefined;
  deepReorgs: Counter | undefined;
  notifyDuration: Histogram | undefined;

  register(registry: Registry): void {
    const registers = [registry];
    const p = "nym_ethereum_watcher_";
    this.head = new Gauge({ name: `${p}ethereum_head`, help: "Latest Ethereum block number seen", registers });
    this.nextBlock = new Gauge({
      name: `${p}next_block`,
      help: "Next Ethereum block to scan (checkpoint)",
      registers,
    });
    this.pending = new Gauge({
      name: `${p}pending_notifications`,
      help: "Transfers seen, not yet notified",
      registers,
    });
    this.seen = new Counter({
      name: `${p}transfers_seen_total`,
      help: "Confirmed transfers into the pipe account recorded",
      registers,
    });
    this.notified = new Counter({
      name: `${p}notifications_total`,
      help: "Transfers notified to the chain",
      registers,
    });
    this.notifyErrors = new Counter({
      name: `${p}notification_errors_total`,
      help: "Failed notification attempts (retried)",
      labelNames: ["reason"] as const,
      registers,
    });
    this.rejected = new Counter({
      name: `${p}notifications_rejected_total`,
      help: "Notifications the chain refused for good",
      registers,
    });
    this.rpcErrors = new Counter({
      name: `${p}ethereum_rpc_errors_total`,
      help: "Failed polls of the Ethereum node",
      registers,
    });
    this.malformed = new Counter({
      name: `${p}malformed_logs_total`,
      help: "eth_getLogs entries rejected as malformed",
      registers,
    });
    this.deepReorgs = new Counter({
      name: `${p}deep_reorgs_total`,
      help: "Reorgs deeper than the confirmations",
      registers,
    });
    this.notifyDuration = new Histogram({
      name: `${p}notify_duration_seconds`,
      help: "Time to get one batch of notifications committed",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
  }
}

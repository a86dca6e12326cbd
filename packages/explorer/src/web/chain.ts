import { z } from "zod";

/**
 * The chain as the page sees it through CometBFT's RPC (proxied by the directory): each validator's height and last
 * block time, and the ledger's credential events per minute from the tx index. DOM-free.
 */

/** The ledger's credential events the page counts, with the indexed attribute each is found by (see chain-client). */
export const ACTIVITY_EVENTS = {
  credential_request: { key: "request_id", label: "credential requests" },
  deposit_credential: { key: "zeta", label: "deposits" },
  zeta_spent: { key: "zeta", label: "spent serial numbers" },
} as const;
export type ActivityEvent = keyof typeof ACTIVITY_EVENTS;
export const ACTIVITY_EVENT_TYPES = Object.keys(ACTIVITY_EVENTS) as ActivityEvent[];

const IntString = z
  .string()
  .regex(/^[0-9]{1,19}$/)
  .transform(Number)
  .describe("A decimal integer as CometBFT writes it");
const RfcTime = z
  .string()
  .transform((s) => Date.parse(s))
  .refine(Number.isFinite, "expected an RFC 3339 time")
  .describe("RFC 3339 time");

/** `{ result }` of a JSON-RPC answer over CometBFT's URI interface. */
const rpc = <T extends z.ZodType>(result: T) =>
  z.object({ result: result.describe("The method's result") }).describe("CometBFT JSON-RPC answer");

export const CometStatus = rpc(
  z.object({
    node_info: z
      .object({
        id: z.string().describe("Node id"),
        moniker: z.string().describe("Node name"),
        network: z.string().describe("Chain id"),
        version: z.string().describe("CometBFT version"),
      })
      .describe("Node"),
    sync_info: z
      .object({
        latest_block_height: IntString.describe("Height of the node's latest block"),
        latest_block_time: RfcTime.describe("Time of the node's latest block"),
        catching_up: z.boolean().describe("Whether the node is still syncing"),
      })
      .describe("Sync state"),
  }),
);
export type CometStatus = z.infer<typeof CometStatus>;

export const CometBlockchain = rpc(
  z.object({
    last_height: IntString.describe("Latest height"),
    block_metas: z
      .array(
        z.object({
          header: z
            .object({ height: IntString.describe("Height"), time: RfcTime.describe("Block time") })
            .describe("Header"),
          num_txs: IntString.describe("Transactions in the block"),
        }),
      )
      .describe("Block metadata, newest first"),
  }),
);

const Attribute = z.object({ key: z.string().describe("Key"), value: z.string().nullish().describe("Value") });
export const CometTxSearch = rpc(
  z.object({
    txs: z
      .array(
        z.object({
          height: IntString.describe("Height of the block holding the tx"),
          tx_result: z
            .object({
              code: z.number().optional().describe("0 when the tx succeeded"),
              events: z
                .array(z.object({ type: z.string().describe("Event type"), attributes: z.array(Attribute).nullish() }))
                .nullish()
                .describe("Events the tx emitted"),
            })
            .describe("Result"),
        }),
      )
      .describe("Matching txs"),
    total_count: IntString.describe("Matching txs in all pages"),
  }),
);
export type CometTxSearch = z.infer<typeof CometTxSearch>;

/** The RPC calls the page makes; `explorer/rpc/{target}/{method}` on the directory forwards exactly these. */
export interface ChainRpc {
  status(): Promise<CometStatus>;
  blockchain(minHeight: number, maxHeight: number): Promise<z.infer<typeof CometBlockchain>>;
  txSearch(query: string, page: number, perPage: number): Promise<CometTxSearch>;
}

/** The tx_search query for `type`'s events in blocks (from, to]. */
export function activityQuery(type: ActivityEvent, from: number, to: number): string {
  return `${type}.${ACTIVITY_EVENTS[type].key} EXISTS AND tx.height > ${from} AND tx.height <= ${to}`;
}

/** Events of `type` in one tx's results (a tx may emit several, e.g. a batch of spends). */
export function countEvents(tx: CometTxSearch["result"]["txs"][number], type: ActivityEvent): number {
  if ((tx.tx_result.code ?? 0) !== 0) return 0;
  return (tx.tx_result.events ?? []).filter((e) => e.type === type).length;
}

/** Per-minute counts, oldest first, with each minute's start in Unix seconds. */
export interface ActivityBuckets {
  times: number[];
  counts: Record<ActivityEvent, number[]>;
  /** Events in the whole span. */
  totals: Record<ActivityEvent, number>;
}

/**
 * Credential events over the last minutes: each poll searches the blocks added since the last one (the first poll
 * looks back `spanMs`, by the recent block rate), and dates every event by its block's time.
 */
export class ActivityTracker {
  /** Highest height searched; undefined before the first poll. */
  scanned: number | undefined;
  readonly #events: { type: ActivityEvent; time: number }[] = [];
  readonly #heightTimes = new Map<number, number>();

  constructor(
    private readonly spanMs = 10 * 60_000,
    private readonly maxPages = 10,
  ) {}

  /** Searches the blocks up to `latest` (from `/status`); rejects on any RPC failure, keeping what it had. */
  async poll(rpc: ChainRpc, latest: { height: number; time: number }): Promise<void> {
    this.#heightTimes.set(latest.height, latest.time);
    let from = this.scanned;
    if (from === undefined) {
      const metas = await rpc.blockchain(Math.max(1, latest.height - 19), latest.height);
      const times = metas.result.block_metas.map((m) => m.header.time);
      for (const m of metas.result.block_metas) this.#heightTimes.set(m.header.height, m.header.time);
      const oldest = Math.min(...times, latest.time);
      const blocks = Math.max(1, metas.result.block_metas.length - 1);
      const perBlock = Math.max(1, (latest.time - oldest) / blocks);
      from = Math.max(0, latest.height - Math.ceil(this.spanMs / perBlock) - 1);
    }
    if (latest.height <= from) {
      this.scanned = Math.max(from, this.scanned ?? 0);
      return;
    }
    const found: { type: ActivityEvent; height: number; count: number }[] = [];
    for (const type of ACTIVITY_EVENT_TYPES) {
      const query = activityQuery(type, from, latest.height);
      for (let page = 1; page <= this.maxPages; page++) {
        const answer = await rpc.txSearch(query, page, 100);
        for (const tx of answer.result.txs) {
          const count = countEvents(tx, type);
          if (count > 0) found.push({ type, height: tx.height, count });
        }
        if (answer.result.txs.length === 0 || page * 100 >= answer.result.total_count) break;
      }
    }
    await this.#dateHeights(
      rpc,
      found.map((f) => f.height),
    );
    for (const f of found) {
      const time = this.#heightTimes.get(f.height) ?? latest.time;
      for (let i = 0; i < f.count; i++) this.#events.push({ type: f.type, time });
    }
    this.scanned = latest.height;
    this.#prune(latest.time);
  }

  /** Fetches block times for heights not yet dated, 20 heights per `/blockchain` call, at most 10 calls a poll. */
  async #dateHeights(rpc: ChainRpc, heights: number[]): Promise<void> {
    const missing = [...new Set(heights)].filter((h) => !this.#heightTimes.has(h)).sort((a, b) => a - b);
    let calls = 0;
    for (let i = 0; i < missing.length && calls < 10; ) {
      const low = missing[i] as number;
      const metas = await rpc.blockchain(low, low + 19);
      calls++;
      for (const m of metas.result.block_metas) this.#heightTimes.set(m.header.height, m.header.time);
      while (i < missing.length && (missing[i] as number) <= low + 19) i++;
    }
  }

  #prune(now: number): void {
    const cutoff = now - this.spanMs - 60_000;
    let keep = 0;
    for (const e of this.#events) if (e.time >= cutoff) this.#events[keep++] = e;
    this.#events.length = keep;
    if (this.#heightTimes.size > 5000) {
      for (const [h, t] of this.#heightTimes) if (t < cutoff) this.#heightTimes.delete(h);
    }
  }

  /** Counts per minute over the span, the current (partial) minute last. */
  buckets(now: number): ActivityBuckets {
    const minutes = Math.max(1, Math.round(this.spanMs / 60_000));
    const current = Math.floor(now / 60_000) * 60_000;
    const first = current - (minutes - 1) * 60_000;
    const zeros = () => new Array<number>(minutes).fill(0);
    const counts = Object.fromEntries(ACTIVITY_EVENT_TYPES.map((t) => [t, zeros()])) as Record<ActivityEvent, number[]>;
    const totals = Object.fromEntries(ACTIVITY_EVENT_TYPES.map((t) => [t, 0])) as Record<ActivityEvent, number>;
    for (const e of this.#events) {
      const b = Math.floor((e.time - first) / 60_000);
      if (b < 0 || b >= minutes) continue;
      (counts[e.type] as number[])[b] = ((counts[e.type] as number[])[b] as number) + 1;
      totals[e.type]++;
    }
    return { times: Array.from({ length: minutes }, (_, b) => (first + b * 60_000) / 1000), counts, totals };
  }
}

/** What the page says about a validator. */
export type ValidatorStatus = "up" | "syncing" | "lagging" | "unreachable" | "down";

/**
 * `down` when the directory no longer lists it; `unreachable` when its RPC did not answer the last poll; `syncing`
 * while it catches up; `lagging` more than `lagBlocks` behind the best height seen; `up` otherwise.
 */
export function validatorStatus(
  listed: boolean,
  status: CometStatus | undefined,
  reachable: boolean,
  bestHeight: number,
  lagBlocks = 5,
): ValidatorStatus {
  if (!listed) return "down";
  if (!reachable || status === undefined) return "unreachable";
  if (status.result.sync_info.catching_up) return "syncing";
  if (bestHeight - status.result.sync_info.latest_block_height > lagBlocks) return "lagging";
  return "up";
}

import { MixnetError } from "./errors.js";

/** One piece of a message: `total` pieces share a 16-byte `messageId`; `index` counts from 0. */
export interface Fragment {
  messageId: Uint8Array;
  index: number;
  total: number;
  data: Uint8Array;
}

export const MESSAGE_ID_BYTES = 16;
/** At most 65535 fragments per message (u16 counters on the wire). */
export const MAX_FRAGMENTS = 0xffff;

/** Splits `data` into fragments carrying at most `maxFragmentData` bytes each; an empty message is one empty fragment. */
export function splitMessage(messageId: Uint8Array, data: Uint8Array, maxFragmentData: number): Fragment[] {
  if (messageId.length !== MESSAGE_ID_BYTES) throw new RangeError("messageId must be 16 bytes");
  if (!(maxFragmentData >= 1)) throw new RangeError("maxFragmentData must be >= 1");
  const total = Math.max(1, Math.ceil(data.length / maxFragmentData));
  if (total > MAX_FRAGMENTS) {
    throw new MixnetError(
      "MIXNET_ERROR_MESSAGE_TOO_LONG",
      `message needs ${total} fragments, at most ${MAX_FRAGMENTS}`,
    );
  }
  const fragments: Fragment[] = [];
  for (let i = 0; i < total; i++) {
    fragments.push({ messageId, index: i, total, data: data.subarray(i * maxFragmentData, (i + 1) * maxFragmentData) });
  }
  return fragments;
}

export interface ReassemblerOptions {
  /** Incomplete messages held at once; the oldest is dropped past this. */
  maxMessages?: number;
  /** An incomplete message older than this is dropped. */
  timeoutMs?: number;
  /** Completed message ids remembered, so a retransmitted fragment of a delivered message is not delivered again. */
  rememberCompleted?: number;
  now?: () => number;
}

interface Partial {
  total: number;
  parts: (Uint8Array | undefined)[];
  have: number;
  bytes: number;
  started: number;
}

export type AddResult =
  | { status: "complete"; message: Uint8Array }
  | { status: "partial" }
  | { status: "duplicate" }
  | { status: "inconsistent" };

/** Collects fragments until a message is whole; duplicates (retransmissions) are recognised and ignored. */
export class Reassembler {
  private readonly partials = new Map<string, Partial>();
  private readonly completed = new Map<string, true>();
  private readonly maxMessages: number;
  private readonly timeoutMs: number;
  private readonly rememberCompleted: number;
  private readonly now: () => number;
  expired = 0;

  constructor(options: ReassemblerOptions = {}) {
    this.maxMessages = options.maxMessages ?? 1024;
    this.timeoutMs = options.timeoutMs ?? 10 * 60_000;
    this.rememberCompleted = options.rememberCompleted ?? 16_384;
    this.now = options.now ?? Date.now;
  }

  get pending(): number {
    return this.partials.size;
  }

  add(fragment: Fragment): AddResult {
    const key = Buffer.from(fragment.messageId).toString("hex");
    if (this.completed.has(key)) return { status: "duplicate" };
    this.expire();
    let partial = this.partials.get(key);
    if (!partial) {
      if (fragment.total < 1 || fragment.index >= fragment.total) return { status: "inconsistent" };
      if (this.partials.size >= this.maxMessages) {
        const oldest = this.partials.keys().next().value as string;
        this.partials.delete(oldest);
        this.expired++;
      }
      partial = { total: fragment.total, parts: new Array(fragment.total), have: 0, bytes: 0, started: this.now() };
      this.partials.set(key, partial);
    }
    if (fragment.total !== partial.total || fragment.index >= partial.total) return { status: "inconsistent" };
    if (partial.parts[fragment.index] !== undefined) return { status: "duplicate" };
    partial.parts[fragment.index] = fragment.data.slice();
    partial.have++;
    partial.bytes += fragment.data.length;
    if (partial.have < partial.total) return { status: "partial" };
    this.partials.delete(key);
    this.completed.set(key, true);
    if (this.completed.size > this.rememberCompleted) {
      this.completed.delete(this.completed.keys().next().value as string);
    }
    const message = new Uint8Array(partial.bytes);
    let offset = 0;
    for (const part of partial.parts) {
      message.set(part as Uint8Array, offset);
      offset += (part as Uint8Array).length;
    }
    return { status: "complete", message };
  }

  private expire(): void {
    const cutoff = this.now() - this.timeoutMs;
    for (const [key, partial] of this.partials) {
      if (partial.started >= cutoff) break; // insertion order is age order
      this.partials.delete(key);
      this.expired++;
    }
  }
}

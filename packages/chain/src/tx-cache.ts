import type { VerifiedTx } from "@nym-ts/chain-client";

/**
 * Txs that passed `decodeTx` on this node (framing, UTF-8, JSON, schema, signature), keyed by their sha256 and
 * holding a copy of their exact bytes. Those checks are pure functions of the bytes, so CheckTx's verdict is reused
 * by every RECHECK and by FinalizeBlock instead of being computed again; what depends on state (chain id, nonce,
 * roles, balances, zeta status) is never cached and runs every time. A hit requires the very same bytes, not only
 * the same hash, so a different byte is always a miss. Bounded: past `maxEntries` the oldest entry goes first.
 */
export class VerifiedTxCache {
  readonly #entries = new Map<string, { bytes: Uint8Array; vtx: VerifiedTx }>();
  readonly #maxEntries: number;

  constructor(maxEntries = 50_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError("maxEntries: expected an integer >= 1");
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The verified tx for exactly these bytes (whose sha256 is `hash`), or undefined. */
  get(hash: string, bytes: Uint8Array): VerifiedTx | undefined {
    const entry = this.#entries.get(hash);
    if (!entry || !sameBytes(entry.bytes, bytes)) return undefined;
    return entry.vtx;
  }

  /** Remembers `vtx`, the result of `decodeTx(bytes)`. The bytes are copied: the caller's buffer may be reused. */
  set(bytes: Uint8Array, vtx: VerifiedTx): void {
    if (this.#entries.has(vtx.hash)) this.#entries.delete(vtx.hash);
    else if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(vtx.hash, { bytes: Uint8Array.from(bytes), vtx });
  }

  delete(hash: string): void {
    this.#entries.delete(hash);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  );
}

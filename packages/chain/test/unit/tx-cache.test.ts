import {
  buildDepositCredential,
  buildVerificationNotification,
  decodeTx,
  TX_CODES,
  txHash,
} from "@nym-ts/chain-client";
import { describe, expect, it } from "vitest";
import { SignatureVerifier } from "../../src/keys.js";
import { Ledger } from "../../src/ledger.js";
import { MemoryStore } from "../../src/store.js";
import { VerifiedTxCache } from "../../src/tx-cache.js";
import { actor, appState, proofOf, verifiers, zetaOf } from "../fixtures.js";

const CHAIN = "nym-test";
const sp = actor("sp");
const verifier = new SignatureVerifier();

function newLedger(): Ledger {
  const ledger = new Ledger(new MemoryStore());
  ledger.initChain(CHAIN, new TextEncoder().encode(JSON.stringify(appState())));
  return ledger;
}

function deposit(nonce: number, label: string): Uint8Array {
  return buildDepositCredential(
    sp.key,
    { chainId: CHAIN, nonce },
    { zeta: zetaOf(label), value: 5n, proof: proofOf(zetaOf(label)) },
  );
}

describe("VerifiedTxCache", () => {
  it("gives back exactly what decodeTx gave for the same bytes", () => {
    const cache = new VerifiedTxCache(10);
    const tx = deposit(0, "a");
    const vtx = decodeTx(tx, verifier);
    cache.set(tx, vtx);
    expect(cache.get(vtx.hash, Uint8Array.from(tx))).toEqual(decodeTx(tx, verifier));
  });

  it("misses on any different byte, even under the same hash, and keeps its own copy of the bytes", () => {
    const cache = new VerifiedTxCache(10);
    const tx = deposit(0, "a");
    const vtx = decodeTx(tx, verifier);
    cache.set(tx, vtx);
    for (let i = 0; i < tx.length; i++) {
      const mutated = Uint8Array.from(tx);
      mutated[i] = mutated[i]! ^ 0x01;
      expect(cache.get(vtx.hash, mutated)).toBeUndefined();
    }
    expect(cache.get(vtx.hash, tx.subarray(0, tx.length - 1))).toBeUndefined();
    // The caller's buffer being reused afterwards does not change what the cache holds.
    const original = Uint8Array.from(tx);
    tx.fill(0);
    expect(cache.get(vtx.hash, tx)).toBeUndefined();
    expect(cache.get(vtx.hash, original)).toBe(vtx);
  });

  it("is bounded: past maxEntries the oldest entries go first", () => {
    const cache = new VerifiedTxCache(3);
    const txs = Array.from({ length: 5 }, (_, i) => deposit(i, `b${i}`));
    for (const tx of txs) cache.set(tx, decodeTx(tx, verifier));
    expect(cache.size).toBe(3);
    expect(txs.map((tx) => cache.get(txHash(tx), tx) !== undefined)).toEqual([false, false, true, true, true]);
    expect(() => new VerifiedTxCache(0)).toThrow(RangeError);
  });
});

describe("ledger with the verified-tx cache", () => {
  it("a block of txs seen in CheckTx (hits) gives the same results and app hash as on a node that never saw them", () => {
    const txs = [
      deposit(0, "c"),
      buildVerificationNotification(
        verifiers[0]!.key,
        { chainId: CHAIN, nonce: 0 },
        { zeta: zetaOf("c"), valid: true },
      ),
      buildVerificationNotification(
        verifiers[1]!.key,
        { chainId: CHAIN, nonce: 0 },
        { zeta: zetaOf("c"), valid: true },
      ),
      deposit(1, "c"), // spent zeta: refused by state, after the cache hit
    ];
    const seen = newLedger();
    for (const tx of txs) seen.checkTx(tx);
    const fresh = newLedger();
    const a = seen.finalizeBlock(1, txs);
    const b = fresh.finalizeBlock(1, txs);
    expect(a.txResults.map((r) => r.code)).toEqual([0, 0, 0, TX_CODES.CHAIN_ERROR_ZETA_IN_USE]);
    expect(a).toEqual(b);
  });

  it("a tx that differs by one byte from a cached one is decoded and verified in full", () => {
    const ledger = newLedger();
    const tx = deposit(0, "d");
    expect(ledger.checkTx(tx).code).toBe(0);
    // Flip a bit of the signature: same length, same body, different bytes.
    const forged = Uint8Array.from(tx);
    forged[40] = forged[40]! ^ 0x01;
    expect(ledger.checkTx(forged).code).toBe(TX_CODES.CHAIN_ERROR_SIGNATURE);
    const { txResults } = ledger.finalizeBlock(1, [forged, tx]);
    expect(txResults.map((r) => r.code)).toEqual([TX_CODES.CHAIN_ERROR_SIGNATURE, 0]);
  });

  it("RECHECK after a commit runs the state checks again: a tx made stale by the block is refused", () => {
    const ledger = newLedger();
    const first = deposit(0, "e");
    const competing = buildDepositCredential(
      sp.key,
      { chainId: CHAIN, nonce: 0 },
      { zeta: zetaOf("other"), value: 1n, proof: proofOf(zetaOf("other")) },
    );
    expect(ledger.checkTx(first).code).toBe(0);
    // Another node's proposal commits a different tx with the same nonce.
    ledger.finalizeBlock(1, [competing]);
    ledger.commit();
    expect(ledger.checkTx(first).code).toBe(TX_CODES.CHAIN_ERROR_NONCE);
  });
});

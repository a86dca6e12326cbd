import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import {
  buildCredentialRequest,
  buildDepositCredential,
  buildTransferNotification,
  buildVerificationNotification,
  EVENT_KEYS,
  signTx,
  TX_CODES,
} from "@nym-ts/chain-client";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger, nextAppHash } from "../../src/ledger.js";
import { type CommittedStore, MemoryStore, SqliteStore } from "../../src/store.js";
import { type Actor, actor, appState, ethTxHashOf, proofOf, verifiers, watchers, zetaOf } from "../fixtures.js";

const CHAIN = "nym-test";
const genesis = (extra = {}) => new TextEncoder().encode(JSON.stringify(appState(extra)));

function newLedger(store: CommittedStore = new MemoryStore(), extra = {}): Ledger {
  const ledger = new Ledger(store);
  ledger.initChain(CHAIN, genesis(extra));
  return ledger;
}

/** Runs one block through FinalizeBlock and Commit, as CometBFT does. */
function block(ledger: Ledger, txs: Uint8Array[]) {
  const height = ledger.info().height + 1;
  const { txResults, appHash } = ledger.finalizeBlock(height, txs);
  ledger.commit();
  return { txResults, appHash };
}

const user = actor("user");
const sp = actor("sp");
const stranger = actor("stranger");

function vote(w: Actor, nonce: number, label = "a", amount = 100n, logIndex = 0) {
  return buildTransferNotification(
    w.key,
    { chainId: CHAIN, nonce },
    { ethTxHash: ethTxHashOf(label), logIndex, address: user.address, amount },
  );
}

function account(ledger: Ledger, address: string) {
  return JSON.parse(new TextDecoder().decode(ledger.query(`/account/${address}`).value)) as {
    balance: string;
    nonce: number;
  };
}

function zeta(ledger: Ledger, z: string) {
  return JSON.parse(new TextDecoder().decode(ledger.query(`/zeta/${z}`).value)) as {
    status: string;
    valid?: string[];
    proof?: string;
  };
}

describe("ledger: watcher threshold", () => {
  it("credits an address exactly once when two of three watchers agree, and a third vote changes nothing", () => {
    const ledger = newLedger();
    const r1 = block(ledger, [vote(watchers[0]!, 0)]);
    expect(r1.txResults[0]?.code).toBe(0);
    expect(account(ledger, user.address).balance).toBe("0");
    const r2 = block(ledger, [vote(watchers[1]!, 0)]);
    expect(r2.txResults[0]?.code).toBe(0);
    expect(r2.txResults[0]?.events.map((e) => e.type)).toEqual(["transfer_notification", "transfer_credited"]);
    expect(account(ledger, user.address).balance).toBe("100");
    const r3 = block(ledger, [vote(watchers[2]!, 0)]);
    expect(r3.txResults[0]?.code).toBe(0);
    expect(r3.txResults[0]?.events.map((e) => e.type)).toEqual(["transfer_notification"]);
    expect(account(ledger, user.address).balance).toBe("100");
  });

  it("rejects a second vote by the same watcher with CHAIN_ERROR_DUPLICATE_VOTE and does not count it", () => {
    const ledger = newLedger();
    const { txResults } = block(ledger, [vote(watchers[0]!, 0), vote(watchers[0]!, 1)]);
    expect(txResults.map((r) => r.code)).toEqual([0, TX_CODES.CHAIN_ERROR_DUPLICATE_VOTE]);
    expect(txResults[1]?.log).toMatch(/CHAIN_ERROR_DUPLICATE_VOTE/);
    expect(account(ledger, user.address).balance).toBe("0");
    // The refused vote still spent its nonce, so the same signed bytes can never run again.
    expect(account(ledger, watchers[0]!.address).nonce).toBe(2);
  });

  it("rejects a vote from a key that is not a watcher with CHAIN_ERROR_UNAUTHORIZED", () => {
    const ledger = newLedger();
    const { txResults } = block(ledger, [vote(stranger, 0), vote(watchers[0]!, 0)]);
    expect(txResults.map((r) => r.code)).toEqual([TX_CODES.CHAIN_ERROR_UNAUTHORIZED, 0]);
    expect(account(ledger, user.address).balance).toBe("0");
  });

  it("does not credit when watchers disagree on the amount", () => {
    const ledger = newLedger();
    block(ledger, [vote(watchers[0]!, 0, "a", 100n), vote(watchers[1]!, 0, "a", 999n)]);
    expect(account(ledger, user.address).balance).toBe("0");
    block(ledger, [vote(watchers[2]!, 0, "a", 999n)]);
    expect(account(ledger, user.address).balance).toBe("999");
  });
});

describe("ledger: nonces, signatures, schemas", () => {
  it("rejects a replayed tx (same nonce) with CHAIN_ERROR_NONCE, in CheckTx and in FinalizeBlock", () => {
    const ledger = newLedger();
    const tx = vote(watchers[0]!, 0);
    block(ledger, [tx]);
    expect(ledger.checkTx(tx).code).toBe(TX_CODES.CHAIN_ERROR_NONCE);
    expect(block(ledger, [tx]).txResults[0]?.code).toBe(TX_CODES.CHAIN_ERROR_NONCE);
    expect(ledger.checkTx(vote(watchers[0]!, 5)).code).toBe(TX_CODES.CHAIN_ERROR_NONCE);
  });

  it("accepts a sequence of nonces in the mempool before they are committed, and rejects a gap", () => {
    const ledger = newLedger();
    expect(ledger.checkTx(vote(watchers[0]!, 0, "a")).code).toBe(0);
    expect(ledger.checkTx(vote(watchers[0]!, 1, "b")).code).toBe(0);
    expect(ledger.checkTx(vote(watchers[0]!, 3, "c")).code).toBe(TX_CODES.CHAIN_ERROR_NONCE);
  });

  it("rejects a tampered body or signature with CHAIN_ERROR_SIGNATURE", () => {
    const ledger = newLedger();
    const tx = vote(watchers[0]!, 0);
    const badSig = Uint8Array.from(tx);
    badSig[40] = (badSig[40] as number) ^ 1;
    expect(ledger.checkTx(badSig).code).toBe(TX_CODES.CHAIN_ERROR_SIGNATURE);
    // Swap in another watcher's public key: the signature no longer matches it.
    const otherKey = signTx(watchers[1]!.key, {
      type: "verification_notification",
      chainId: CHAIN,
      nonce: 0,
      zeta: zetaOf("x"),
      valid: true,
    }).subarray(1, 34);
    const swapped = Uint8Array.from(tx);
    swapped.set(otherKey, 1);
    expect(ledger.checkTx(swapped).code).toBe(TX_CODES.CHAIN_ERROR_SIGNATURE);
    // A high-s twin of a valid signature is refused as malleable.
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${Buffer.from(tx.subarray(66, 98)).toString("hex")}`);
    const highS = Uint8Array.from(tx);
    highS.set(Buffer.from((n - s).toString(16).padStart(64, "0"), "hex"), 66);
    expect(ledger.checkTx(highS).code).toBe(TX_CODES.CHAIN_ERROR_SIGNATURE);
    expect(block(ledger, [badSig, swapped, highS]).txResults.map((r) => r.code)).toEqual([3, 3, 3]);
    expect(account(ledger, watchers[0]!.address).nonce).toBe(0);
  });

  it("rejects garbage bytes with CHAIN_ERROR_ENCODING and oversized txs with CHAIN_ERROR_TX_TOO_LARGE", () => {
    const ledger = newLedger();
    expect(ledger.checkTx(new Uint8Array([1, 2, 3])).code).toBe(TX_CODES.CHAIN_ERROR_ENCODING);
    const tx = vote(watchers[0]!, 0);
    const notJson = Uint8Array.from(tx);
    notJson[tx.length - 1] = 0xff;
    expect(ledger.checkTx(notJson).code).toBe(TX_CODES.CHAIN_ERROR_ENCODING);
    expect(ledger.checkTx(new Uint8Array(70_000)).code).toBe(TX_CODES.CHAIN_ERROR_TX_TOO_LARGE);
  });

  it('rejects a body naming a key twice ("nonce":1,"nonce":0) with CHAIN_ERROR_DUPLICATE_KEY, in CheckTx and in a block', () => {
    const ledger = newLedger();
    const text = JSON.stringify({
      type: "transfer_notification",
      chainId: CHAIN,
      nonce: 1,
      ethTxHash: ethTxHashOf("a"),
      logIndex: 0,
      address: user.address,
      amount: "100",
    }).replace('"nonce":1', '"nonce":1,"nonce":0');
    // The last nonce (0) is the watcher's next one: without the check, JSON.parse would run it.
    const tx = rawSignedText(watchers[0]!.key, text);
    expect(ledger.checkTx(tx).code).toBe(TX_CODES.CHAIN_ERROR_DUPLICATE_KEY);
    expect(block(ledger, [tx]).txResults[0]?.code).toBe(TX_CODES.CHAIN_ERROR_DUPLICATE_KEY);
    expect(account(ledger, watchers[0]!.address).nonce).toBe(0);
  });

  it.each([
    ["an unknown tx type", { type: "mint", amount: "5" }],
    ["an extra field", { type: "transfer_notification", extra: 1 }],
    ["a negative amount", { type: "transfer_notification", amount: "-5" }],
    ["a non-numeric amount (found by the mutation property)", { type: "transfer_notification", amount: "1:0" }],
    ["an amount of 2^128", { type: "transfer_notification", amount: (1n << 128n).toString() }],
    ["an amount given as a JSON number", { type: "transfer_notification", amount: 100 }],
    ["an upper-case address", { type: "transfer_notification", address: `0x${"AB".repeat(20)}` }],
    ["a short eth tx hash", { type: "transfer_notification", ethTxHash: "0x1234" }],
    ["a fractional nonce", { type: "transfer_notification", nonce: 1.5 }],
  ])("rejects a body with %s with CHAIN_ERROR_SCHEMA", (_name, patch) => {
    const ledger = newLedger();
    const body: Record<string, unknown> = {
      type: "transfer_notification",
      chainId: CHAIN,
      nonce: 0,
      ethTxHash: ethTxHashOf("a"),
      logIndex: 0,
      address: user.address,
      amount: "100",
    };
    Object.assign(body, patch);
    // Sign the malformed body by hand: signTx itself refuses to build it.
    const tx = rawSigned(watchers[0]!.key, body);
    const result = ledger.checkTx(tx);
    expect(result.code).toBe(TX_CODES.CHAIN_ERROR_SCHEMA);
    expect(block(ledger, [tx]).txResults[0]?.code).toBe(TX_CODES.CHAIN_ERROR_SCHEMA);
  });

  it("rejects a zeta of the wrong size and an oversized proof with CHAIN_ERROR_SCHEMA", () => {
    const ledger = newLedger();
    const body = {
      type: "deposit_credential",
      chainId: CHAIN,
      nonce: 0,
      zeta: `0x${"11".repeat(95)}`,
      value: "1",
      proof: "0x01",
    };
    expect(ledger.checkTx(rawSigned(sp.key, body)).code).toBe(TX_CODES.CHAIN_ERROR_SCHEMA);
    const big = { ...body, zeta: zetaOf("z"), proof: `0x${"00".repeat(16 * 1024 + 1)}` };
    expect(ledger.checkTx(rawSigned(sp.key, big)).code).toBe(TX_CODES.CHAIN_ERROR_SCHEMA);
  });

  it("rejects a tx signed for another chain with CHAIN_ERROR_WRONG_CHAIN", () => {
    const ledger = newLedger();
    const tx = buildTransferNotification(
      watchers[0]!.key,
      { chainId: "other-chain", nonce: 0 },
      { ethTxHash: ethTxHashOf("a"), logIndex: 0, address: user.address, amount: 1n },
    );
    expect(ledger.checkTx(tx).code).toBe(TX_CODES.CHAIN_ERROR_WRONG_CHAIN);
  });
});

describe("ledger: credentials", () => {
  const funded = () => newLedger(new MemoryStore(), { accounts: [{ address: user.address, balance: "50" }] });

  it("debits a credential request, records it under the tx hash and emits credential_request", () => {
    const ledger = funded();
    const tx = buildCredentialRequest(
      user.key,
      { chainId: CHAIN, nonce: 0 },
      { value: 20n, blindSignRequest: "0xabcd" },
    );
    const { txResults } = block(ledger, [tx]);
    expect(txResults[0]?.code).toBe(0);
    const event = txResults[0]?.events[0];
    expect(event?.type).toBe("credential_request");
    const id = event?.attributes.find((a) => a.key === "request_id")?.value;
    expect(id).toBe(txResults[0]?.hash);
    expect(account(ledger, user.address).balance).toBe("30");
    const stored = JSON.parse(new TextDecoder().decode(ledger.query(`/credential_request/${id}`).value));
    expect(stored).toMatchObject({ requester: user.address, value: "20", blindSignRequest: "0xabcd" });
  });

  it("rejects an overspend with CHAIN_ERROR_INSUFFICIENT_FUNDS and leaves the balance", () => {
    const ledger = funded();
    const a = buildCredentialRequest(user.key, { chainId: CHAIN, nonce: 0 }, { value: 40n, blindSignRequest: "0x01" });
    const b = buildCredentialRequest(user.key, { chainId: CHAIN, nonce: 1 }, { value: 40n, blindSignRequest: "0x02" });
    expect(ledger.checkTx(a).code).toBe(0);
    expect(ledger.checkTx(b).code).toBe(TX_CODES.CHAIN_ERROR_INSUFFICIENT_FUNDS);
    expect(block(ledger, [a, b]).txResults.map((r) => r.code)).toEqual([0, TX_CODES.CHAIN_ERROR_INSUFFICIENT_FUNDS]);
    expect(account(ledger, user.address)).toEqual({ address: user.address, balance: "10", nonce: 2 });
  });

  it("rejects a second deposit of one zeta with CHAIN_ERROR_ZETA_IN_USE, spends it at the verifier threshold and credits the SP", () => {
    const ledger = newLedger();
    const z = zetaOf("one");
    const deposit = (who: Actor, nonce: number) =>
      buildDepositCredential(who.key, { chainId: CHAIN, nonce }, { zeta: z, value: 7n, proof: proofOf(z) });
    const other = actor("other-sp");
    expect(block(ledger, [deposit(sp, 0), deposit(other, 0)]).txResults.map((r) => r.code)).toEqual([
      0,
      TX_CODES.CHAIN_ERROR_ZETA_IN_USE,
    ]);
    expect(zeta(ledger, z).status).toBe("being_verified");
    const v = (who: Actor, nonce: number, valid = true) =>
      buildVerificationNotification(who.key, { chainId: CHAIN, nonce }, { zeta: z, valid });
    const r = block(ledger, [v(verifiers[0]!, 0), v(verifiers[0]!, 1), v(stranger, 0)]);
    expect(r.txResults.map((x) => x.code)).toEqual([
      0,
      TX_CODES.CHAIN_ERROR_DUPLICATE_VOTE,
      TX_CODES.CHAIN_ERROR_UNAUTHORIZED,
    ]);
    expect(zeta(ledger, z).status).toBe("being_verified");
    const spent = block(ledger, [v(verifiers[1]!, 0)]);
    expect(spent.txResults[0]?.events.map((e) => e.type)).toEqual(["verification_notification", "zeta_spent"]);
    expect(zeta(ledger, z).status).toBe("spent");
    expect(account(ledger, sp.address).balance).toBe("7");
    // A late vote is recorded and changes nothing; a deposit of the spent zeta is still refused.
    expect(block(ledger, [v(verifiers[2]!, 0)]).txResults[0]?.code).toBe(0);
    expect(account(ledger, sp.address).balance).toBe("7");
    expect(block(ledger, [deposit(other, 1)]).txResults[0]?.code).toBe(TX_CODES.CHAIN_ERROR_ZETA_IN_USE);
  });

  it("releases a zeta at the threshold of invalid votes, after which it can be deposited again", () => {
    const ledger = newLedger();
    const z = zetaOf("two");
    block(ledger, [
      buildDepositCredential(sp.key, { chainId: CHAIN, nonce: 0 }, { zeta: z, value: 7n, proof: proofOf(z) }),
    ]);
    const v = (who: Actor) =>
      buildVerificationNotification(who.key, { chainId: CHAIN, nonce: 0 }, { zeta: z, valid: false });
    const r = block(ledger, [v(verifiers[0]!), v(verifiers[1]!)]);
    expect(r.txResults[1]?.events.map((e) => e.type)).toEqual(["verification_notification", "zeta_released"]);
    expect(zeta(ledger, z).status).toBe("released");
    expect(account(ledger, sp.address).balance).toBe("0");
    expect(zeta(ledger, z)).toMatchObject({
      status: "released",
      proof: proofOf(z),
      invalid: [verifiers[0]!.address, verifiers[1]!.address],
    });
    const again = buildDepositCredential(
      sp.key,
      { chainId: CHAIN, nonce: 1 },
      {
        zeta: z,
        value: 7n,
        proof: proofOf(z, 2, "cd"),
      },
    );
    expect(block(ledger, [again]).txResults[0]?.code).toBe(0);
    // The query shows the new deposit, with its own proof.
    expect(zeta(ledger, z)).toMatchObject({
      status: "being_verified",
      sp: sp.address,
      value: "7",
      proof: proofOf(z, 2, "cd"),
      valid: [],
    });
  });

  it("rejects a vote on a zeta nobody deposited with CHAIN_ERROR_ZETA_UNKNOWN", () => {
    const ledger = newLedger();
    const tx = buildVerificationNotification(
      verifiers[0]!.key,
      { chainId: CHAIN, nonce: 0 },
      { zeta: zetaOf("no"), valid: true },
    );
    expect(ledger.checkTx(tx).code).toBe(TX_CODES.CHAIN_ERROR_ZETA_UNKNOWN);
  });
});

describe("ledger: credential deposits, who checks what", () => {
  const deposit = (who: Actor, nonce: number, zeta: string, proof: string, value = 7n) =>
    buildDepositCredential(who.key, { chainId: CHAIN, nonce }, { zeta, value, proof });

  it("rejects a deposit whose proof reveals another zeta with CHAIN_ERROR_ZETA_MISMATCH, in CheckTx and in a block", () => {
    const ledger = newLedger();
    const z = zetaOf("mine");
    const tx = deposit(sp, 0, z, proofOf(zetaOf("someone else's")));
    const checked = ledger.checkTx(tx);
    expect(checked.code).toBe(TX_CODES.CHAIN_ERROR_ZETA_MISMATCH);
    expect(checked.log).toMatch(/CHAIN_ERROR_ZETA_MISMATCH: the proof reveals another zeta/);
    // A proposer that includes it anyway: refused in the block, nothing recorded, the nonce spent.
    const { txResults } = block(ledger, [tx]);
    expect(txResults[0]?.code).toBe(TX_CODES.CHAIN_ERROR_ZETA_MISMATCH);
    expect(txResults[0]?.events).toEqual([]);
    expect(zeta(ledger, z).status).toBe("unknown");
    expect(account(ledger, sp.address).nonce).toBe(1);
  });

  it("rejects proofs not framed as a Coconut Θ (version, tag, k, length 515 + 32k) with CHAIN_ERROR_ZETA_MISMATCH", () => {
    const ledger = newLedger();
    const z = zetaOf("framing");
    const good = proofOf(z);
    const bad = {
      "one byte": "0x01",
      "wrong version": `0x02${good.slice(4)}`,
      "wrong type tag": `0x0106${good.slice(6)}`,
      "k = 0": `0x010700${good.slice(8)}`,
      "k larger than the bytes": `0x010703${good.slice(8)}`,
      truncated: good.slice(0, -2),
      "a trailing byte": `${good}00`,
    };
    for (const [what, proof] of Object.entries(bad)) {
      const result = ledger.checkTx(deposit(sp, 0, z, proof));
      expect({ what, code: result.code, log: result.log }).toEqual({
        what,
        code: TX_CODES.CHAIN_ERROR_ZETA_MISMATCH,
        log: "CHAIN_ERROR_ZETA_MISMATCH: the proof is not a Coconut Θ encoding",
      });
    }
    for (const k of [1, 2, 3])
      expect(ledger.checkTx(deposit(sp, k - 1, zetaOf(`k${k}`), proofOf(zetaOf(`k${k}`), k))).code).toBe(0);
  });

  it("records the depositor as the SP and its declared value; the verifiers' votes decide, so a proof bound elsewhere is released and never credited", () => {
    // The ledger cannot see the proof's binding or check its value (that needs pairings): it accepts B's deposit of
    // a proof made for A, and B is credited only if the verifiers vote it valid. They vote it invalid (bound to A).
    const ledger = newLedger();
    const thief = actor("thief-sp");
    const z = zetaOf("bound to sp");
    const r = block(ledger, [deposit(thief, 0, z, proofOf(z), 40n)]);
    expect(r.txResults[0]?.code).toBe(0);
    expect(zeta(ledger, z)).toMatchObject({ status: "being_verified", sp: thief.address, value: "40" });
    const no = (who: Actor) =>
      buildVerificationNotification(who.key, { chainId: CHAIN, nonce: 0 }, { zeta: z, valid: false });
    const decided = block(ledger, [no(verifiers[0]!), no(verifiers[1]!)]);
    expect(decided.txResults[1]?.events.map((e) => e.type)).toEqual(["verification_notification", "zeta_released"]);
    expect(account(ledger, thief.address).balance).toBe("0");
    // The rightful SP may now deposit the same proof and be credited at the valid threshold.
    expect(block(ledger, [deposit(sp, 0, z, proofOf(z), 40n)]).txResults[0]?.code).toBe(0);
    const yes = (who: Actor) =>
      buildVerificationNotification(who.key, { chainId: CHAIN, nonce: 1 }, { zeta: z, valid: true });
    block(ledger, [yes(verifiers[0]!), yes(verifiers[1]!)]);
    expect(zeta(ledger, z)).toMatchObject({ status: "spent", sp: sp.address });
    expect(account(ledger, sp.address).balance).toBe("40");
    expect(account(ledger, thief.address).balance).toBe("0");
  });

  it("only appends to TX_CODES: the zeta check has code 14, duplicate JSON keys 15, every older code keeps its number", () => {
    expect(TX_CODES).toMatchObject({
      CHAIN_ERROR_ENCODING: 1,
      CHAIN_ERROR_SCHEMA: 2,
      CHAIN_ERROR_SIGNATURE: 3,
      CHAIN_ERROR_WRONG_CHAIN: 4,
      CHAIN_ERROR_NONCE: 5,
      CHAIN_ERROR_UNAUTHORIZED: 6,
      CHAIN_ERROR_DUPLICATE_VOTE: 7,
      CHAIN_ERROR_INSUFFICIENT_FUNDS: 8,
      CHAIN_ERROR_ZETA_IN_USE: 9,
      CHAIN_ERROR_ZETA_UNKNOWN: 10,
      CHAIN_ERROR_ZETA_NOT_PENDING: 11,
      CHAIN_ERROR_TX_TOO_LARGE: 12,
      CHAIN_ERROR_BALANCE_OVERFLOW: 13,
      CHAIN_ERROR_ZETA_MISMATCH: 14,
      CHAIN_ERROR_DUPLICATE_KEY: 15,
    });
  });
});

describe("ledger: events", () => {
  it("indexes the attribute the chain client searches each event type by, and keeps proofs and amounts out of the index", () => {
    const ledger = newLedger();
    const events = [
      ...block(ledger, [vote(watchers[0]!, 0), vote(watchers[1]!, 0)]).txResults,
      ...block(ledger, [
        buildCredentialRequest(user.key, { chainId: CHAIN, nonce: 0 }, { value: 5n, blindSignRequest: "0x01" }),
      ]).txResults,
      ...block(ledger, [
        buildDepositCredential(
          sp.key,
          { chainId: CHAIN, nonce: 0 },
          { zeta: zetaOf("ev1"), value: 1n, proof: proofOf(zetaOf("ev1")) },
        ),
        buildDepositCredential(
          sp.key,
          { chainId: CHAIN, nonce: 1 },
          { zeta: zetaOf("ev2"), value: 1n, proof: proofOf(zetaOf("ev2")) },
        ),
      ]).txResults,
      ...block(
        ledger,
        verifiers
          .slice(0, 2)
          .flatMap((v) => [
            buildVerificationNotification(v.key, { chainId: CHAIN, nonce: 0 }, { zeta: zetaOf("ev1"), valid: true }),
            buildVerificationNotification(v.key, { chainId: CHAIN, nonce: 1 }, { zeta: zetaOf("ev2"), valid: false }),
          ]),
      ).txResults,
    ].flatMap((r) => {
      expect(r.code).toBe(0);
      return r.events;
    });
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(Object.keys(EVENT_KEYS)));
    for (const event of events) {
      const byKey = new Map(event.attributes.map((a) => [a.key, a.index]));
      expect(byKey.get(EVENT_KEYS[event.type as keyof typeof EVENT_KEYS])).toBe(true);
      for (const stored of ["proof", "amount", "value", "balance", "blind_sign_request", "valid_votes"]) {
        if (byKey.has(stored)) expect(byKey.get(stored)).toBe(false);
      }
    }
  });
});

describe("ledger: event sizes", () => {
  it("leaves the proof out of the deposit event (it is in the tx and in the /zeta query)", () => {
    const ledger = newLedger();
    const z = zetaOf("no-proof-in-event");
    const proof = proofOf(z);
    const r = block(ledger, [
      buildDepositCredential(sp.key, { chainId: CHAIN, nonce: 0 }, { zeta: z, value: 3n, proof }),
    ]);
    const event = r.txResults[0]?.events.find((e) => e.type === "deposit_credential");
    expect(event?.attributes.map((a) => a.key)).toEqual(["zeta", "sp", "value", "deposit_tx"]);
    expect(zeta(ledger, z)).toMatchObject({ status: "being_verified", proof });
  });
});

describe("ledger: app hash layout", () => {
  it("hashes sha256(prev || u64be(height) || sha256(len||key||len||value, keys sorted)) over UTF-8 bytes", () => {
    const writes = new Map([
      ["b/é", '{"x":"ü"}'],
      ["a", ""],
      ["acc/0x01", '{"balance":"5","nonce":1}'],
    ]);
    const prev = new Uint8Array(32).fill(7);
    const lp = (text: string) => {
      const bytes = Buffer.from(text, "utf8");
      const len = Buffer.alloc(4);
      len.writeUInt32BE(bytes.length);
      return Buffer.concat([len, bytes]);
    };
    const inner = createHash("sha256");
    for (const key of ["a", "acc/0x01", "b/é"]) inner.update(lp(key)).update(lp(writes.get(key) as string));
    const height = Buffer.alloc(8);
    height.writeBigUInt64BE(42n);
    const expected = createHash("sha256").update(prev).update(height).update(inner.digest()).digest();
    expect(Buffer.from(nextAppHash(prev, 42, writes)).toString("hex")).toBe(expected.toString("hex"));
    expect(nextAppHash(prev, 43, new Map())).toEqual(prev);
  });
});

describe("ledger: determinism and persistence", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function script(): Uint8Array[][] {
    const z = zetaOf("det");
    return [
      [vote(watchers[0]!, 0), vote(watchers[1]!, 0), vote(stranger, 0)],
      [buildCredentialRequest(user.key, { chainId: CHAIN, nonce: 0 }, { value: 60n, blindSignRequest: "0x0a" })],
      [],
      [
        buildDepositCredential(sp.key, { chainId: CHAIN, nonce: 0 }, { zeta: z, value: 3n, proof: proofOf(z) }),
        buildVerificationNotification(verifiers[0]!.key, { chainId: CHAIN, nonce: 0 }, { zeta: z, valid: true }),
        buildVerificationNotification(verifiers[1]!.key, { chainId: CHAIN, nonce: 0 }, { zeta: z, valid: true }),
      ],
    ];
  }

  it("gives the same app hash after every block on two instances (memory and SQLite), and changes it with state", () => {
    const dir = mkdtempSync(join(tmpdir(), "ledger-"));
    dirs.push(dir);
    const a = newLedger(new MemoryStore());
    const b = newLedger(new SqliteStore(join(dir, "l.sqlite")));
    expect(a.info().appHash).toEqual(b.info().appHash);
    const seen = new Set<string>();
    for (const txs of script()) {
      const ha = block(a, txs).appHash;
      const hb = block(b, txs).appHash;
      expect(Buffer.from(ha).toString("hex")).toBe(Buffer.from(hb).toString("hex"));
      seen.add(Buffer.from(ha).toString("hex"));
    }
    // Three blocks change state, one is empty: three distinct hashes.
    expect(seen.size).toBe(3);
  });

  it("resumes from SQLite after a restart with the same height, app hash and state", () => {
    const dir = mkdtempSync(join(tmpdir(), "ledger-"));
    dirs.push(dir);
    const path = join(dir, "l.sqlite");
    const store = new SqliteStore(path);
    const ledger = newLedger(store);
    for (const txs of script()) block(ledger, txs);
    const before = ledger.info();
    store.close();
    const reopened = new Ledger(new SqliteStore(path));
    expect(reopened.info()).toEqual(before);
    expect(account(reopened, user.address).balance).toBe("40");
    expect(zeta(reopened, zetaOf("det")).status).toBe("spent");
    // And it carries on: the next block builds on the stored hash.
    const next = block(reopened, [vote(watchers[2]!, 0)]);
    expect(next.txResults[0]?.code).toBe(0);
  });

  it("refuses a second store on a ledger file that is open, with a typed error, and opens it once closed", () => {
    const dir = mkdtempSync(join(tmpdir(), "ledger-"));
    dirs.push(dir);
    const path = join(dir, "l.sqlite");
    const store = new SqliteStore(path);
    block(newLedger(store), [vote(watchers[0]!, 0)]);
    // A child process, as a second validator started on the same data dir would be.
    const second = spawnSync(
      process.execPath,
      ["-e", `new (require("node:sqlite").DatabaseSync)(${JSON.stringify(path)}).exec("BEGIN IMMEDIATE; COMMIT;")`],
      { encoding: "utf8" },
    );
    expect(second.status).not.toBe(0);
    expect(second.stderr).toMatch(/locked/);
    expect(() => new SqliteStore(path)).toThrow(expect.objectContaining({ code: "CHAIN_ERROR_STATE" }));
    store.close();
    const reopened = new SqliteStore(path);
    expect(new Ledger(reopened).info().height).toBe(1);
    reopened.close();
  });

  it("does not persist a finalized block until Commit", () => {
    const dir = mkdtempSync(join(tmpdir(), "ledger-"));
    dirs.push(dir);
    const path = join(dir, "l.sqlite");
    const store = new SqliteStore(path);
    const ledger = newLedger(store);
    block(ledger, [vote(watchers[0]!, 0)]);
    ledger.finalizeBlock(2, [vote(watchers[1]!, 0)]);
    store.close();
    const reopened = new Ledger(new SqliteStore(path));
    expect(reopened.info().height).toBe(1);
    expect(account(reopened, user.address).balance).toBe("0");
  });
});

describe("ledger: queries", () => {
  it("answers params, unknown zetas and rejects unknown paths", () => {
    const ledger = newLedger();
    const params = JSON.parse(new TextDecoder().decode(ledger.query("/params").value));
    expect(params.watchers.threshold).toBe(2);
    expect(zeta(ledger, zetaOf("nothing")).status).toBe("unknown");
    expect(ledger.query("/nope").code).toBe(1);
    expect(ledger.query(`/credential_request/${"A".repeat(64)}`).code).toBe(2);
  });

  it("refuses a genesis app_state that breaks its schema", () => {
    const ledger = new Ledger(new MemoryStore());
    const bad = appState({ watchers: { threshold: 4, members: watchers.map((w) => w.address) } });
    expect(() => ledger.initChain(CHAIN, new TextEncoder().encode(JSON.stringify(bad)))).toThrow(/threshold/);
  });
});

/** Signs arbitrary JSON as a v1 tx, bypassing the builder's schema check (to test the ledger's). */
function rawSigned(secretKey: Uint8Array, body: unknown): Uint8Array {
  return rawSignedText(secretKey, JSON.stringify(body));
}

/** A tx over the body text exactly as given, validly signed. */
function rawSignedText(secretKey: Uint8Array, text: string): Uint8Array {
  const bodyBytes = new TextEncoder().encode(text);
  const domain = new TextEncoder().encode("nym-ts/chain tx v1\n");
  const msg = new Uint8Array([...domain, ...bodyBytes]);
  const sig = secp256k1.sign(keccak_256(msg), secretKey, { prehash: false, lowS: true });
  return new Uint8Array([1, ...secp256k1.getPublicKey(secretKey, true), ...sig, ...bodyBytes]);
}

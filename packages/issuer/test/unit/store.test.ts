import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { IssuerError, IssuerStore } from "../../src/index.js";
import { tempDir, txHashOf } from "../helpers/fixtures.js";

const identity = { chainId: "nym-test", issuerIndex: 2, verificationKey: "0xabcd" };
const seen = (label: string, height: number) => ({
  requestId: txHashOf(label),
  height,
  requester: "0x1111111111111111111111111111111111111111",
  value: "10",
});

describe("IssuerStore", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  function open(): { path: string; store: IssuerStore } {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "issuer.sqlite");
    const store = new IssuerStore(path);
    cleanups.unshift(() => store.close());
    store.bind(identity);
    return { path, store };
  }

  it("starts at checkpoint 0 and moves it to height - 1 with each decision, never back", () => {
    const { store } = open();
    expect(store.checkpoint()).toBe(0);
    expect(store.recordSigned(seen("a", 5), "0x01")).toBe(true);
    // Other requests at height 5 may still be undecided: only the heights below are complete.
    expect(store.checkpoint()).toBe(4);
    expect(store.recordRejected(seen("b", 9), "bad_proof", "the issuance proof does not verify")).toBe(true);
    expect(store.checkpoint()).toBe(8);
    expect(store.recordSigned(seen("c", 3), "0x02")).toBe(true);
    expect(store.checkpoint()).toBe(8);
    expect(store.advanceCheckpoint(7)).toBe(8);
    expect(store.advanceCheckpoint(20)).toBe(20);
    expect(store.counts()).toEqual({ signed: 2, rejected: 1 });
  });

  it("decides a request id once: a second record of it changes nothing", () => {
    const { store } = open();
    expect(store.recordSigned(seen("a", 5), "0x01")).toBe(true);
    expect(store.recordSigned(seen("a", 5), "0x02")).toBe(false);
    expect(store.recordRejected(seen("a", 5), "value_mismatch", "x")).toBe(false);
    expect(store.get(txHashOf("a"))).toMatchObject({ status: "signed", blindedSignature: "0x01", height: 5 });
    expect(store.has(txHashOf("a"))).toBe(true);
    expect(store.has(txHashOf("zzz"))).toBe(false);
    expect(store.counts()).toEqual({ signed: 1, rejected: 0 });
  });

  it("keeps decisions, reasons and the checkpoint across a restart", () => {
    const { path, store } = open();
    store.recordSigned(seen("a", 5), "0x01");
    store.recordRejected(seen("b", 6), "malformed_request", "blindSignRequest: commitment is the identity");
    store.close();
    const again = new IssuerStore(path);
    cleanups.unshift(() => again.close());
    again.bind(identity);
    expect(again.checkpoint()).toBe(5);
    expect(again.get(txHashOf("b"))).toMatchObject({
      status: "rejected",
      reason: "malformed_request",
      detail: "blindSignRequest: commitment is the identity",
      requester: "0x1111111111111111111111111111111111111111",
      value: "10",
    });
    expect(again.recordSigned(seen("a", 5), "0x09")).toBe(false);
  });

  it("refuses a file made for another chain, index or key share", () => {
    const { path, store } = open();
    store.close();
    for (const other of [
      { ...identity, chainId: "other" },
      { ...identity, issuerIndex: 3 },
      { ...identity, verificationKey: "0xabce" },
    ]) {
      const s = new IssuerStore(path);
      try {
        expect(() => s.bind(other)).toThrow(IssuerError);
        expect(() => s.bind(other)).toThrow(/another/);
      } finally {
        s.close();
      }
    }
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type DepositEvent, type DepositRecord, VerifierError, VerifierStore } from "../../src/index.js";

const dirs: string[] = [];
function dbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "verifier-store-"));
  dirs.push(dir);
  return join(dir, "verifier.sqlite");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const identity = { chainId: "nym-unit", address: `0x${"11".repeat(20)}` };
const zeta = (n: number) => `0x${n.toString(16).padStart(2, "0").repeat(96)}`;
const event = (n: number, height: number): DepositEvent => ({
  zeta: zeta(n),
  sp: `0x${"22".repeat(20)}`,
  value: String(n),
  depositTx: n.toString(16).padStart(64, "0").toUpperCase(),
  height,
});

describe("VerifierStore", () => {
  it("keeps the checkpoint and the deposits across a reopen, never moving the checkpoint back", () => {
    const path = dbPath();
    const a = new VerifierStore(path);
    a.bind(identity);
    expect(a.checkpoint()).toBeUndefined();
    expect(a.record([event(1, 5), event(2, 5)], 5)).toBe(2);
    expect(a.record([event(3, 7)], 7)).toBe(1);
    expect(a.record([], 6)).toBe(0);
    a.close();
    const b = new VerifierStore(path);
    b.bind(identity);
    expect(b.checkpoint()).toBe(7);
    expect(b.due(Date.now(), 10).map((d) => d.value)).toEqual(["1", "2", "3"]);
    b.close();
  });

  it("records a deposit once however often its event is delivered (a replay from the checkpoint height)", () => {
    const store = new VerifierStore(dbPath());
    store.bind(identity);
    expect(store.record([event(1, 5)], 5)).toBe(1);
    expect(store.record([event(1, 5), event(2, 6)], 6)).toBe(1);
    expect(store.all()).toHaveLength(2);
    store.close();
  });

  it("marks a deposit voted exactly once, and a voted or skipped deposit is never due again (also after a reopen)", () => {
    const path = dbPath();
    const store = new VerifierStore(path);
    store.bind(identity);
    store.record([event(1, 5), event(2, 5), event(3, 5)], 5);
    const [d1, d2] = store.due(Date.now(), 10) as [DepositRecord, DepositRecord];
    store.setVerdict(d1.depositTx, false, "does_not_verify");
    expect(store.markVoted(d1.depositTx, { valid: false, reason: "does_not_verify", voteTx: "AB" })).toBe(true);
    expect(store.markVoted(d1.depositTx, { valid: true, reason: undefined, voteTx: "CD" })).toBe(false);
    expect(store.markSkipped(d2.depositTx, "decided")).toBe(true);
    expect(store.markSkipped(d1.depositTx, "decided")).toBe(false);
    store.close();
    const again = new VerifierStore(path);
    expect(again.due(Date.now(), 10).map((d) => d.value)).toEqual(["3"]);
    expect(again.byZeta(zeta(1))).toMatchObject([
      { status: "voted", valid: false, reason: "does_not_verify", voteTx: "AB", attempts: 1 },
    ]);
    expect(again.byZeta(zeta(2).toUpperCase().replace("0X", "0x"))).toMatchObject([
      { status: "skipped", skipReason: "decided" },
    ]);
    expect(again.counts()).toEqual({ pending: 1, voted: 1, skipped: 1 });
    again.close();
  });

  it("keeps a computed verdict for the retry, and a failed deposit is due again only after its backoff", () => {
    const store = new VerifierStore(dbPath());
    store.bind(identity);
    store.record([event(1, 5)], 5);
    const d = store.due(1_000, 1)[0] as DepositEvent;
    store.setVerdict(d.depositTx, true, undefined);
    store.markFailed([d.depositTx], 5_000);
    expect(store.due(4_999, 10)).toEqual([]);
    expect(store.nextDueAt()).toBe(5_000);
    expect(store.due(5_000, 10)).toMatchObject([{ valid: true, attempts: 1 }]);
    store.close();
  });

  it("lists every deposit of a zeta (released, then deposited again) oldest first", () => {
    const store = new VerifierStore(dbPath());
    store.bind(identity);
    const first = event(1, 5);
    const second = { ...first, depositTx: "F".repeat(64), height: 9 };
    store.record([first], 5);
    store.record([second], 9);
    expect(store.byZeta(first.zeta).map((d) => d.height)).toEqual([5, 9]);
    store.close();
  });

  it("refuses a file made for another chain or another verifier key with VERIFIER_ERROR_STORE_MISMATCH", () => {
    const path = dbPath();
    const store = new VerifierStore(path);
    store.bind(identity);
    store.close();
    for (const other of [
      { ...identity, chainId: "other-chain" },
      { ...identity, address: `0x${"33".repeat(20)}` },
    ]) {
      const s = new VerifierStore(path);
      try {
        s.bind(other);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(VerifierError);
        expect((error as VerifierError).code).toBe("VERIFIER_ERROR_STORE_MISMATCH");
      } finally {
        s.close();
      }
    }
  });
});

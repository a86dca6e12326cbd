import { randomBytes } from "node:crypto";
import {
  addressFromSecretKey,
  bytesToHex,
  hexToBytes,
  proofZeta,
  randomSecretKey,
  THETA_ZETA_OFFSET,
} from "@nym-ts/chain-client";
import { decodeTheta, encodeTheta } from "@nym-ts/coconut";
import type { Spend } from "@nym-ts/credentials";
import { beforeAll, describe, expect, it } from "vitest";
import { checkDeposits, type DepositProof } from "../../src/index.js";
import { type CredentialKit, credentialKit, issueSpend } from "../helpers/credentials.js";

const address = () => addressFromSecretKey(randomSecretKey());
const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;

let kit: CredentialKit;
const sp = address();
const otherSp = address();
let spends: Spend[];

beforeAll(async () => {
  kit = await credentialKit(2, 3);
  spends = Array.from({ length: 9 }, (_, i) => issueSpend(kit, BigInt(10 + i), sp));
});

const deposit = (s: Spend, at = sp): DepositProof => ({ zeta: s.zeta, sp: at, value: s.value, proof: s.theta });

/** The proof's bytes with `bytes` written at `offset`. */
function patched(proof: string, offset: number, bytes: Uint8Array): string {
  const b = hexToBytes(proof);
  b.set(bytes, offset);
  return hex(b);
}

describe("checkDeposits", () => {
  it("judges a spend valid only for the SP it is bound to and the value it discloses", () => {
    const s = spends[0] as Spend;
    const report = checkDeposits(kit.params, kit.vk, [
      deposit(s),
      deposit(s, otherSp),
      { ...deposit(s), value: String(BigInt(s.value) + 1n) },
    ]);
    expect(report.verdicts).toEqual([
      { valid: true },
      { valid: false, reason: "does_not_verify" },
      { valid: false, reason: "does_not_verify" },
    ]);
  });

  it("verifies good proofs as one batch without falling back", () => {
    const report = checkDeposits(
      kit.params,
      kit.vk,
      spends.map((s) => deposit(s)),
    );
    expect(report).toMatchObject({ checked: 9, batched: true, fellBack: false });
    expect(report.verdicts.every((v) => v.valid)).toBe(true);
  });

  it("finds exactly the bad proof of a batch (bound to another SP) by checking one by one after the batch fails", () => {
    for (const bad of [0, 4, 8]) {
      const deposits = spends.map((s, i) => deposit(s, i === bad ? otherSp : sp));
      const report = checkDeposits(kit.params, kit.vk, deposits);
      expect(report).toMatchObject({ checked: 9, batched: true, fellBack: true });
      expect(report.verdicts.map((v, i) => (v.valid ? -1 : i)).filter((i) => i >= 0)).toEqual([bad]);
      expect(report.verdicts[bad]).toEqual({ valid: false, reason: "does_not_verify" });
    }
  });

  it("judges one by one when batching is off, with the same verdicts", () => {
    const deposits = spends.map((s, i) => deposit(s, i === 3 ? otherSp : sp));
    const alone = checkDeposits(kit.params, kit.vk, deposits, { batch: false });
    expect(alone).toMatchObject({ batched: false, fellBack: false });
    expect(alone.verdicts).toEqual(checkDeposits(kit.params, kit.vk, deposits).verdicts);
  });

  it("judges malformed proofs (truncated, trailing byte, garbage, identity points, wrong tag, not hex) malformed_proof without throwing", () => {
    const s = spends[1] as Spend;
    const g1Identity = new Uint8Array(48);
    g1Identity[0] = 0xc0;
    const g2Identity = new Uint8Array(96);
    g2Identity[0] = 0xc0;
    const good = hexToBytes(s.theta);
    const garbage = new Uint8Array(randomBytes(good.length));
    garbage.set(good.subarray(0, 3));
    const bad: Record<string, string> = {
      truncated: s.theta.slice(0, -2),
      "half the proof": s.theta.slice(0, s.theta.length / 2),
      "a trailing byte": `${s.theta}00`,
      garbage: hex(garbage),
      "h' the identity": patched(s.theta, 3, g1Identity),
      "s' the identity": patched(s.theta, 3 + 48, g1Identity),
      "kappa the identity": patched(s.theta, 3 + 96, g2Identity),
      "zeta the identity": patched(s.theta, THETA_ZETA_OFFSET, g2Identity),
      "wrong type tag": patched(s.theta, 1, Uint8Array.of(0x06)),
      "a point off the curve": patched(s.theta, 3, new Uint8Array(48).fill(0xaa)),
      "not hex": "0xzz",
      empty: "",
    };
    const deposits = Object.values(bad).map((proof) => ({ ...deposit(s), proof }));
    // The good proof in the same pass is still valid: one bad input does not spoil the others.
    const report = checkDeposits(kit.params, kit.vk, [...deposits, deposit(spends[2] as Spend)]);
    const names = Object.keys(bad);
    report.verdicts.slice(0, -1).forEach((v, i) => {
      expect({ what: names[i], v }).toEqual({ what: names[i], v: { valid: false, reason: "malformed_proof" } });
    });
    expect(report.verdicts.at(-1)).toEqual({ valid: true });
  });

  it("judges a proof revealing another zeta zeta_mismatch, and bad values and SPs as such", () => {
    const [a, b] = spends as [Spend, Spend];
    const report = checkDeposits(kit.params, kit.vk, [
      { ...deposit(a), zeta: b.zeta },
      { ...deposit(a), value: "0" },
      { ...deposit(a), value: "-5" },
      { ...deposit(a), value: "1e3" },
      { ...deposit(a), value: `1${"0".repeat(80)}` },
      { ...deposit(a), sp: "0xnot-an-address" },
      { ...deposit(a), sp: sp.toUpperCase() },
    ]);
    expect(report.verdicts.map((v) => (v.valid ? "valid" : v.reason))).toEqual([
      "zeta_mismatch",
      "bad_value",
      "bad_value",
      "bad_value",
      "bad_value",
      "bad_sp",
      "bad_sp",
    ]);
    expect(report.checked).toBe(0);
  });
});

describe("the ledger's view of a Θ", () => {
  it("proofZeta (chain-client, read at a fixed offset) is the ζ coconut's encodeTheta writes and zetaBytes returns", () => {
    for (const s of spends.slice(0, 3)) {
      expect(proofZeta(s.theta)).toBe(s.zeta);
      const reencoded = hex(encodeTheta(kit.params, decodeTheta(kit.params, hexToBytes(s.theta))));
      expect(reencoded).toBe(s.theta);
      expect(hexToBytes(s.theta).length).toBe(515 + 32 * 2);
    }
  });
});

import { createHash } from "node:crypto";
import type { AppStateInput } from "@nym-ts/chain-client";
import { type Address, addressFromSecretKey, THETA_ZETA_OFFSET } from "@nym-ts/chain-client";

/** A deterministic secp256k1 key from a label (tests only: never derive real keys like this). */
export function testKey(label: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`nym-ts test key ${label}`).digest());
}

export interface Actor {
  key: Uint8Array;
  address: Address;
}

export function actor(label: string): Actor {
  const key = testKey(label);
  return { key, address: addressFromSecretKey(key) };
}

export const watchers = [actor("watcher-0"), actor("watcher-1"), actor("watcher-2")];
export const verifiers = [actor("verifier-0"), actor("verifier-1"), actor("verifier-2")];
export const issuers = [actor("issuer-0"), actor("issuer-1"), actor("issuer-2")];
export const pipe = actor("pipe");

export function appState(extra: Partial<AppStateInput> = {}): AppStateInput {
  return {
    pipeAccount: pipe.address,
    watchers: { threshold: 2, members: watchers.map((w) => w.address) },
    verifiers: { threshold: 2, members: verifiers.map((v) => v.address) },
    issuers: {
      threshold: 2,
      members: issuers.map((iss, i) => ({
        address: iss.address,
        index: i + 1,
        verificationKey: `0x${"ab".repeat(96 * 3)}`,
      })),
    },
    accounts: [],
    ...extra,
  };
}

/** A 96-byte zeta made from a label. */
export function zetaOf(label: string): string {
  const h = createHash("sha256");
  const parts = [0, 1, 2].map((i) => createHash("sha256").update(`${label}/${i}`).digest("hex"));
  h.update(label);
  return `0x${parts.join("")}`;
}

export function ethTxHashOf(label: string): string {
  return `0x${createHash("sha256").update(`eth ${label}`).digest("hex")}`;
}

/**
 * A deposit proof the ledger accepts for `zeta`: framed as a Coconut Θ (version 1, tag 0x07, k, 515 + 32k bytes) with
 * `zeta` at THETA_ZETA_OFFSET and filler elsewhere (the ledger reads only the framing; verifiers would vote it
 * invalid). `k = 2` gives the real credentials' 579 bytes.
 */
export function proofOf(zeta: string, k = 2, fill = "ab"): string {
  const bytes = 515 + 32 * k;
  const head = `0107${k.toString(16).padStart(2, "0")}`;
  const before = fill.repeat(THETA_ZETA_OFFSET - 3);
  const after = fill.repeat(bytes - THETA_ZETA_OFFSET - 96);
  return `0x${head}${before}${zeta.slice(2)}${after}`;
}

import { sha256 } from "@noble/hashes/sha2.js";
import {
  aggregateSignatures,
  aggregateVerificationKeys,
  type Backend,
  blindSign,
  blstBackend,
  type KeyShare,
  mclBackend,
  nobleBackend,
  type Params,
  prepareBlindSign,
  type Rng,
  type Signature,
  setup,
  ttpKeygen,
  unblindSignature,
  type VerificationKey,
} from "../src/index.js";

/** A deterministic byte stream: SHA-256(seed ‖ u32 counter) blocks. Test and vector use only. */
export function seededRng(seed: string): Rng {
  const s = new TextEncoder().encode(seed);
  let counter = 0;
  let pool = new Uint8Array(0);
  return (n) => {
    while (pool.length < n) {
      const block = new Uint8Array(s.length + 4);
      block.set(s);
      new DataView(block.buffer).setUint32(s.length, counter++);
      const next = new Uint8Array(pool.length + 32);
      next.set(pool);
      next.set(sha256(block), pool.length);
      pool = next;
    }
    const out = pool.slice(0, n);
    pool = pool.slice(n);
    return out;
  };
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

let mclParams: Promise<Params> | undefined;
/** q = 3 params on the mcl backend (shared by the tests of one file). */
export function mclParams3(): Promise<Params> {
  mclParams ??= mclBackend().then((backend) => setup(3, { backend }));
  return mclParams;
}

/** The fast backends every scheme test runs on (the blst addon is built by `make bootstrap`; CI always runs it). */
export const FAST_BACKENDS = ["blst", "mcl"] as const;
export type FastBackend = (typeof FAST_BACKENDS)[number];

/** q = 3 params on the named fast backend. */
export async function params3(name: FastBackend): Promise<Params> {
  return name === "mcl" ? mclParams3() : setup(3, { backend: blstBackend() });
}

export function nobleParams3(): Params {
  return setup(3, { backend: nobleBackend() });
}

export interface Issued {
  shares: KeyShare[];
  vk: VerificationKey;
  privateAttributes: bigint[];
  publicAttributes: bigint[];
  signature: Signature;
}

export function vkShares(shares: readonly KeyShare[]) {
  return shares.map((s) => ({ index: s.index, verificationKey: s.verificationKey }));
}

/** Full issuance: t-of-n keys, a credential on (serial, binding | public value) signed by the last t issuers. */
export function issue(params: Params, t: number, n: number, rng: Rng, publicAttributes: bigint[] = [7n]): Issued {
  const shares = ttpKeygen(params, t, n, { rng });
  const signers = shares.slice(n - t);
  const vk = aggregateVerificationKeys(params, vkShares(signers));
  const privateAttributes = [0x1234n + BigInt(t), 0x5678n + BigInt(n)];
  const { request, openings } = prepareBlindSign(params, privateAttributes, publicAttributes, { rng });
  const partials = signers.map((s) => ({
    index: s.index,
    signature: unblindSignature(
      params,
      blindSign(params, s.secretKey, request, publicAttributes),
      openings,
      s.verificationKey,
    ),
  }));
  return { shares, vk, privateAttributes, publicAttributes, signature: aggregateSignatures(params, partials) };
}

export function backendOf(params: Params): Backend {
  return params.backend;
}

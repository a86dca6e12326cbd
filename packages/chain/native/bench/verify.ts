/**
 * Micro benchmark of the signature check of one tx from JS, per backend, in one process (same-run ratios): the
 * `SignatureVerifier` call that `decodeTx` makes (keccak256 of domain || a 650-byte body, then ECDSA verify), the
 * bare verification of a precomputed digest (this package's addon against the `secp256k1` npm package's), and
 * keccak256 of 650 bytes per backend, and the addon's call with a key it has not seen (parsing the key, about 6 us in
 * Rust, is what its key cache saves). CPU time (process.cpuUsage), best of ROUNDS interleaved rounds.
 *
 *   pnpm bench:verify      (env: ROUNDS=5 N=4000)
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { SIGN_DOMAIN } from "@nym-ts/chain-client";
import {
  availableSignatureBackends,
  type ChainAddon,
  KECCAK_BACKEND,
  keccak256Backends,
  SIGNATURE_BACKEND,
  SignatureVerifier,
} from "../../src/keys.js";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const N = Number(process.env.N ?? 4000);
const KEYS = 64;
const BODY = 650;

const require = createRequire(import.meta.url);
const addon = require(fileURLToPath(new URL("../build/nym_chain_native.node", import.meta.url))) as ChainAddon;
const npm = require("secp256k1/bindings.js") as {
  ecdsaVerify(signature: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean;
};

// 64 signers (the bench's senders are a few dozen), N signed bodies of 650 bytes.
const secrets = Array.from({ length: KEYS }, () => secp256k1.utils.randomSecretKey());
const keys = secrets.map((sk) => secp256k1.getPublicKey(sk, true));
const points = keys.map((k) => secp256k1.Point.fromBytes(k).toBytes(false));
const items = Array.from({ length: N }, (_, i) => {
  const body = new Uint8Array(BODY).map(() => Math.floor(Math.random() * 256));
  const message = new Uint8Array(SIGN_DOMAIN.length + BODY);
  message.set(SIGN_DOMAIN);
  message.set(body, SIGN_DOMAIN.length);
  const digest = keccak256Backends.js(message);
  const signature = secp256k1.sign(digest, secrets[i % KEYS]!, { prehash: false, lowS: true, format: "compact" });
  return { key: keys[i % KEYS]!, point: points[i % KEYS]!, body, digest, signature };
});

// A fresh signer per tx and per round, for the uncached-key case (the addon caches every key it parses).
const fresh = Array.from({ length: ROUNDS }, () =>
  items.map((t) => {
    const secret = secp256k1.utils.randomSecretKey();
    const signature = secp256k1.sign(t.digest, secret, { prehash: false, lowS: true, format: "compact" });
    return { key: secp256k1.getPublicKey(secret, true), body: t.body, signature };
  }),
);
let freshRound = 0;

const cases: [string, () => boolean][] = [];
for (const backend of availableSignatureBackends.filter((b) => b !== "wasm")) {
  const verifier = new SignatureVerifier(50_000, backend);
  cases.push([
    `SignatureVerifier ${backend}: keccak256 + verify per tx`,
    () => items.every((t) => verifier.verifyParts(t.signature, SIGN_DOMAIN, t.body, t.key)),
  ]);
}
cases.push([
  "verifyTx native-0.6, a key the addon has not seen yet (parsed and cached in the call)",
  () => fresh[freshRound++]!.every((t) => addon.verifyTx(t.key, t.signature, SIGN_DOMAIN, t.body)),
]);
const empty = new Uint8Array();
cases.push([
  "bare verify, native-0.6 (verifyTx over a 32-byte body: keccak of 51 bytes included)",
  () => items.every((t) => addon.verifyTx(t.key, t.signature, empty, t.digest) !== undefined),
]);
cases.push([
  "bare verify, native-2019 (ecdsaVerify, digest given, uncompressed key)",
  () => items.every((t) => npm.ecdsaVerify(t.signature, t.digest, t.point)),
]);
for (const [name, f] of Object.entries(keccak256Backends)) {
  cases.push([`keccak256 ${name}, ${BODY} bytes`, () => items.every((t) => f(t.body).length === 32)]);
}

const best = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of cases) {
    const t0 = process.cpuUsage();
    if (!run()) throw new Error(`${name}: a valid signature was rejected`);
    const t = process.cpuUsage(t0);
    const us = (t.user + t.system) / N;
    best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, us));
  }
}

console.log(
  `# CPU per call from JS, best of ${ROUNDS} rounds of ${N} (process default: ${SIGNATURE_BACKEND}, keccak ${KECCAK_BACKEND})`,
);
for (const [name, us] of best) console.log(`  ${us.toFixed(2).padStart(7)} us  ${name}`);
const ratio = (a: string, b: string) => {
  const x = [...best].find(([n]) => n.startsWith(a))?.[1];
  const y = [...best].find(([n]) => n.startsWith(b))?.[1];
  if (x && y) console.log(`  ratio ${a} / ${b}: ${(x / y).toFixed(2)}`);
};
ratio("SignatureVerifier native-0.6", "SignatureVerifier native-2019");
ratio("bare verify, native-0.6", "bare verify, native-2019");
ratio("verifyTx native-0.6, a key", "SignatureVerifier native-0.6");
ratio("keccak256 rust", "keccak256 native");
console.log("  target: the tx check below the 2019 addon's (ratio < 1); keccak256 rust at most the `keccak` addon's");

/**
 * Ed25519 as the directory and the mixnet nodes use it, measured on both implementations the repository had:
 * Node's node:crypto (OpenSSL) and @noble/curves (pure JS). Prints ops/s of each side by side:
 *
 *   pnpm --filter @nym-ts/directory-client bench            # about 1 s per cell
 *   pnpm --filter @nym-ts/directory-client bench -- 0.2     # seconds per cell
 *
 * "verify (key per call)" builds the public key from its 32 bytes on every call, as the directory does for each
 * signed write (every request can come from another key); "verify (cached key)" reuses one imported key.
 * "strict key check" is the small-order and canonical-encoding check that refuses keys which would accept forgeries.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from "node:crypto";
import { ed25519 as noble } from "@noble/curves/ed25519.js";
import { ed25519KeyPair, ed25519PublicKeyFromSeed, ed25519Verify, isStrictEd25519PublicKey } from "../src/ed25519.js";

const seconds = Number(process.argv[2] ?? 1);
const seed = new Uint8Array(randomBytes(32));
const message = new Uint8Array(randomBytes(200)); // about the size of a registration's signing bytes
const PKCS8 = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI = Buffer.from("302a300506032b6570032100", "hex");

const nodePrivate = createPrivateKey({ key: Buffer.concat([PKCS8, seed]), format: "der", type: "pkcs8" });
const publicKey = ed25519PublicKeyFromSeed(seed);
const nodePublic = createPublicKey({ key: Buffer.concat([SPKI, publicKey]), format: "der", type: "spki" });
const signature = new Uint8Array(sign(null, message, nodePrivate));
if (!Buffer.from(noble.sign(message, seed)).equals(signature)) throw new Error("the two sides disagree");

function opsPerSecond(run: () => unknown): number {
  for (let i = 0; i < 50; i++) run(); // warm up
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 20; i++) run();
    ops += 20;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

const rows: Array<[string, () => unknown, () => unknown]> = [
  [
    "public key from seed",
    () => createPublicKey(createPrivateKey({ key: Buffer.concat([PKCS8, seed]), format: "der", type: "pkcs8" })),
    () => noble.getPublicKey(seed),
  ],
  ["sign", () => sign(null, message, nodePrivate), () => noble.sign(message, seed)],
  [
    "verify (key per call)",
    () =>
      verify(
        null,
        message,
        createPublicKey({ key: Buffer.concat([SPKI, publicKey]), format: "der", type: "spki" }),
        signature,
      ),
    () => noble.verify(signature, message, publicKey, { zip215: false }),
  ],
  ["verify (cached key)", () => verify(null, message, nodePublic, signature), undefined as never],
  [
    "strict key check",
    () => isStrictEd25519PublicKey(publicKey),
    () => noble.Point.fromBytes(publicKey).isSmallOrder(),
  ],
];

const pair = ed25519KeyPair(seed);
const chosen: Array<[string, () => unknown]> = [
  ["sign", () => pair.sign(message)],
  ["verify, strict (key per call)", () => ed25519Verify(publicKey, message, signature)],
];

const fmt = (n: number | undefined) => (n === undefined ? "-" : Math.round(n).toLocaleString("en-US")).padStart(12);
console.log(`Ed25519, ${message.length}-byte message, ${seconds} s per cell, Node ${process.version}`);
console.log(`${"operation".padEnd(32)}${"node:crypto".padStart(12)}${"@noble".padStart(12)}   ratio`);
for (const [name, nodeSide, nobleSide] of rows) {
  const a = opsPerSecond(nodeSide);
  const b = nobleSide === undefined ? undefined : opsPerSecond(nobleSide);
  const ratio = b === undefined ? "" : `${(a / b).toFixed(1)}x`;
  console.log(`${name.padEnd(32)}${fmt(a)}${fmt(b)}   ${ratio}`);
}
console.log("\nsrc/ed25519.ts (the one implementation):");
for (const [name, run] of chosen) console.log(`${name.padEnd(32)}${fmt(opsPerSecond(run))}`);

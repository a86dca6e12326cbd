import { hash as oneShotHash } from "node:crypto";
import { z } from "zod";
import { TxRejected } from "./errors.js";
import { type Address, bytesToHex, publicKeyFromSecretKey, signMessage, type TxSignatureVerifier } from "./keys.js";

/**
 * Tx wire format (version 1), all bytes:
 *
 *   0x01 | public key (33, compressed secp256k1) | signature (64, r || s, low s) | body (UTF-8 JSON)
 *
 * The signature is Ethereum-style ECDSA/secp256k1 over keccak256(`SIGN_DOMAIN || body`). The body names the chain and the
 * sender's nonce, so a tx is bound to one chain and executes at most once. The sender is the Ethereum address of the
 * public key. The body is validated by the zod schemas below in CheckTx and again in FinalizeBlock; a body that names a
 * key twice in one object is refused (CHAIN_ERROR_DUPLICATE_KEY), so every parser reads one tx the same way.
 */
export const TX_VERSION = 1;
export const SIGN_DOMAIN = new TextEncoder().encode("nym-ts/chain tx v1\n");
export const MAX_TX_BYTES = 64 * 1024;
export const MAX_BLIND_SIGN_REQUEST_BYTES = 16 * 1024;
export const MAX_PROOF_BYTES = 16 * 1024;
export const MAX_PUBLIC_ATTRIBUTES = 16;
export const MAX_ATTRIBUTE_BYTES = 64;
/** zeta = g2^serial, a compressed BLS12-381 G2 point. */
export const ZETA_BYTES = 96;
const HEADER_BYTES = 1 + 33 + 64;

/**
 * Where a Coconut Θ (the proof of a `deposit_credential`) keeps ζ, per @nym-ts/coconut's `encodeTheta`: version (1),
 * type tag (0x07), u8 k, h' and s' (G1, 48 B each), κ (G2, 96 B), then ζ (G2, 96 B); the whole encoding is
 * 515 + 32k bytes (1 <= k). The ledger reads ζ there to check a deposit names the zeta its proof reveals, without
 * decoding a point (the verifiers decode and verify the proof).
 */
export const THETA_VERSION = 1;
export const THETA_TYPE_TAG = 0x07;
export const THETA_ZETA_OFFSET = 2 + 1 + 48 + 48 + 96;
const THETA_FIXED_BYTES = 515;

/**
 * The ζ a deposited proof carries, as 0x-prefixed lower-case hex, read from the Θ framing alone (version, type tag,
 * length 515 + 32k for the k in byte 2, k >= 1). Undefined when `proof` (0x-prefixed lower-case hex, as in a tx
 * body) is not framed as a Θ. No point is decoded: a well-framed proof may still be garbage, which the verifiers
 * vote invalid.
 */
export function proofZeta(proof: string): string | undefined {
  if (typeof proof !== "string" || !proof.startsWith("0x") || proof.length < 2 + 2 * THETA_FIXED_BYTES) {
    return undefined;
  }
  const byte = (i: number) => Number.parseInt(proof.slice(2 + 2 * i, 4 + 2 * i), 16);
  const k = byte(2);
  if (byte(0) !== THETA_VERSION || byte(1) !== THETA_TYPE_TAG || !(k >= 1)) return undefined;
  if (proof.length !== 2 + 2 * (THETA_FIXED_BYTES + 32 * k)) return undefined;
  const start = 2 + 2 * THETA_ZETA_OFFSET;
  return `0x${proof.slice(start, start + 2 * ZETA_BYTES)}`;
}

const hexBytes = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^0x(?:[0-9a-f]{2})*$/, `${name} must be 0x-prefixed lower-case hex`)
    .refine((s) => (s.length - 2) / 2 >= min && (s.length - 2) / 2 <= max, {
      message: min === max ? `${name} must be exactly ${min} bytes` : `${name} must be ${min}..${max} bytes`,
    })
    .describe(`${name}, ${min === max ? `${min}` : `${min}..${max}`} bytes as 0x-prefixed lower-case hex`);

export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-f]{40}$/, "address must be 0x and 40 lower-case hex digits")
  .describe("an Ethereum address, lower-case") as z.ZodType<Address>;

/** Amounts in the smallest unit, as decimal strings (JSON has no big integers); at most 2^128 - 1. */
export const amountSchema = z
  .string()
  .regex(/^(?:0|[1-9][0-9]{0,38})$/, "amount must be a decimal integer string")
  // zod runs refinements even after a failed regex, so this one must not assume the format (BigInt would throw).
  .refine((s) => !/^[0-9]{1,39}$/.test(s) || BigInt(s) < 1n << 128n, { message: "amount must be below 2^128" })
  .describe("an amount in the smallest unit, decimal string");
export const positiveAmountSchema = amountSchema.refine((s) => s !== "0", { message: "amount must be positive" });

export const zetaSchema = hexBytes("zeta", ZETA_BYTES, ZETA_BYTES);
export const ethTxHashSchema = hexBytes("ethTxHash", 32, 32);

const base = {
  chainId: z.string().min(1).max(64).describe("the CometBFT chain id this tx is for"),
  nonce: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe("the sender's next nonce, from 0"),
};

export const transferNotificationSchema = z
  .object({
    type: z.literal("transfer_notification"),
    ...base,
    ethTxHash: ethTxHashSchema.describe("hash of the Ethereum tx holding the ERC20 Transfer log"),
    logIndex: z.number().int().min(0).max(0xffffffff).describe("index of the Transfer log in its block"),
    address: addressSchema.describe("the Ethereum address that paid, which is the Nym account credited"),
    amount: positiveAmountSchema.describe("the ERC20 amount moved into the pipe account"),
  })
  .strict();

export const credentialRequestSchema = z
  .object({
    type: z.literal("credential_request"),
    ...base,
    value: positiveAmountSchema.describe("the credential's value, debited from the sender"),
    blindSignRequest: hexBytes("blindSignRequest", 1, MAX_BLIND_SIGN_REQUEST_BYTES).describe(
      "the Coconut blind-sign request (opaque to the chain; issuers check it)",
    ),
    publicAttributes: z
      .array(hexBytes("publicAttribute", 1, MAX_ATTRIBUTE_BYTES))
      .max(MAX_PUBLIC_ATTRIBUTES)
      .describe("public attributes, encoded as the Coconut library does"),
  })
  .strict();

export const depositCredentialSchema = z
  .object({
    type: z.literal("deposit_credential"),
    ...base,
    zeta: zetaSchema.describe("the serial number tag revealed by the credential proof"),
    value: positiveAmountSchema.describe("the credential's public value, credited to the SP when spent"),
    proof: hexBytes("proof", 1, MAX_PROOF_BYTES).describe("the credential proof (opaque to the chain)"),
  })
  .strict();

export const verificationNotificationSchema = z
  .object({
    type: z.literal("verification_notification"),
    ...base,
    zeta: zetaSchema,
    valid: z.boolean().describe("the verifier's verdict on the deposited proof"),
  })
  .strict();

export const txBodySchema = z.discriminatedUnion("type", [
  transferNotificationSchema,
  credentialRequestSchema,
  depositCredentialSchema,
  verificationNotificationSchema,
]);

export type TransferNotification = z.infer<typeof transferNotificationSchema>;
export type CredentialRequest = z.infer<typeof credentialRequestSchema>;
export type DepositCredential = z.infer<typeof depositCredentialSchema>;
export type VerificationNotification = z.infer<typeof verificationNotificationSchema>;
export type TxBody = z.infer<typeof txBodySchema>;
export type TxType = TxBody["type"];

/** A decoded, schema-checked, signature-checked tx. */
export interface VerifiedTx {
  /** sha256 of the tx bytes, upper-case hex, as CometBFT names txs. */
  hash: string;
  sender: Address;
  body: TxBody;
}

/** sha256 of the tx bytes, upper-case hex: CometBFT's tx hash, and the id of a credential request. */
export function txHash(tx: Uint8Array): string {
  // node:crypto's one-shot hash: no Hash object per call (about 1 us less than createHash for a 650-byte tx).
  return oneShotHash("sha256", tx, "hex").toUpperCase();
}

export function signBytes(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIGN_DOMAIN.length + body.length);
  out.set(SIGN_DOMAIN, 0);
  out.set(body, SIGN_DOMAIN.length);
  return out;
}

/** Encodes and signs a tx body; returns the tx bytes to broadcast. */
export function signTx(secretKey: Uint8Array, body: TxBody): Uint8Array {
  const checked = txBodySchema.parse(body);
  const bodyBytes = new TextEncoder().encode(JSON.stringify(checked));
  const publicKey = publicKeyFromSecretKey(secretKey);
  const signature = signMessage(signBytes(bodyBytes), secretKey);
  const tx = new Uint8Array(HEADER_BYTES + bodyBytes.length);
  tx[0] = TX_VERSION;
  tx.set(publicKey, 1);
  tx.set(signature, 34);
  tx.set(bodyBytes, HEADER_BYTES);
  if (tx.length > MAX_TX_BYTES) throw new RangeError(`tx is ${tx.length} bytes, more than ${MAX_TX_BYTES}`);
  return tx;
}

export interface TxContext {
  chainId: string;
  nonce: number;
}

type Amount = bigint | number | string;
const amount = (a: Amount): string => BigInt(a).toString();

export function buildTransferNotification(
  secretKey: Uint8Array,
  ctx: TxContext,
  fields: { ethTxHash: string; logIndex: number; address: string; amount: Amount },
): Uint8Array {
  return signTx(secretKey, {
    type: "transfer_notification",
    ...ctx,
    ethTxHash: fields.ethTxHash.toLowerCase(),
    logIndex: fields.logIndex,
    address: fields.address.toLowerCase() as Address,
    amount: amount(fields.amount),
  });
}

export function buildCredentialRequest(
  secretKey: Uint8Array,
  ctx: TxContext,
  fields: { value: Amount; blindSignRequest: Uint8Array | string; publicAttributes?: readonly (Uint8Array | string)[] },
): Uint8Array {
  return signTx(secretKey, {
    type: "credential_request",
    ...ctx,
    value: amount(fields.value),
    blindSignRequest: toHex(fields.blindSignRequest),
    publicAttributes: (fields.publicAttributes ?? []).map(toHex),
  });
}

export function buildDepositCredential(
  secretKey: Uint8Array,
  ctx: TxContext,
  fields: { zeta: Uint8Array | string; value: Amount; proof: Uint8Array | string },
): Uint8Array {
  return signTx(secretKey, {
    type: "deposit_credential",
    ...ctx,
    zeta: toHex(fields.zeta),
    value: amount(fields.value),
    proof: toHex(fields.proof),
  });
}

export function buildVerificationNotification(
  secretKey: Uint8Array,
  ctx: TxContext,
  fields: { zeta: Uint8Array | string; valid: boolean },
): Uint8Array {
  return signTx(secretKey, {
    type: "verification_notification",
    ...ctx,
    zeta: toHex(fields.zeta),
    valid: fields.valid,
  });
}

function toHex(value: Uint8Array | string): string {
  return typeof value === "string"
    ? (value.startsWith("0x") ? value : `0x${value}`).toLowerCase()
    : `0x${bytesToHex(value)}`;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The index of the quote that closes the JSON string opened at `open`, in text already known to be valid JSON: the
 * next quote not escaped by an odd run of backslashes. `indexOf` jumps over long hex strings in native code.
 */
function closingQuote(text: string, open: number): number {
  let close = text.indexOf('"', open + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return close;
    close = text.indexOf('"', close + 1);
  }
}

/**
 * The first key named twice in one object of `text`, which must be valid JSON (run it after `JSON.parse`): keys are
 * compared after unescaping, so `"nonce"` and `"non\u0063e"` are the same key. Undefined when every key is unique.
 * One pass over the text; string contents are skipped with `indexOf`, so a body of long hex strings costs about as
 * much as one of short ones.
 */
export function duplicateJsonKey(text: string): string | undefined {
  /** One entry per open container: the keys seen so far for an object, undefined for an array. */
  const stack: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const close = closingQuote(text, i);
      if (expectKey) {
        const raw = text.slice(i + 1, close);
        const key = raw.includes("\\") ? (JSON.parse(text.slice(i, close + 1)) as string) : raw;
        const keys = stack[stack.length - 1] as Set<string>;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = close;
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(undefined);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] !== undefined;
    }
  }
  return undefined;
}

/**
 * Decodes and checks a tx: framing, UTF-8, JSON, schema, then signature. Throws `TxRejected` with the precise code.
 * Does not look at state (nonce, roles): the ledger does that.
 */
export function decodeTx(tx: Uint8Array, verifier: TxSignatureVerifier, hash = txHash(tx)): VerifiedTx {
  if (tx.length > MAX_TX_BYTES) throw new TxRejected("CHAIN_ERROR_TX_TOO_LARGE", `tx of ${tx.length} bytes`);
  if (tx.length <= HEADER_BYTES || tx[0] !== TX_VERSION) {
    throw new TxRejected("CHAIN_ERROR_ENCODING", "not a version 1 tx");
  }
  const publicKey = tx.subarray(1, 34);
  const signature = tx.subarray(34, HEADER_BYTES);
  const bodyBytes = tx.subarray(HEADER_BYTES);
  let json: unknown;
  let text: string;
  try {
    text = decoder.decode(bodyBytes);
    json = JSON.parse(text);
  } catch {
    throw new TxRejected("CHAIN_ERROR_ENCODING", "tx body is not UTF-8 JSON");
  }
  // JSON.parse keeps the last of two equal keys, another parser may keep the first: one signed body must have one
  // reading, so a body that names a key twice is refused before anything reads it.
  const duplicate = duplicateJsonKey(text);
  if (duplicate !== undefined) {
    throw new TxRejected("CHAIN_ERROR_DUPLICATE_KEY", `tx body names the key ${JSON.stringify(duplicate)} twice`);
  }
  let parsed: ReturnType<typeof txBodySchema.safeParse>;
  try {
    parsed = txBodySchema.safeParse(json);
  } catch {
    // A schema bug must never become a crash of every validator: the tx is refused instead.
    throw new TxRejected("CHAIN_ERROR_SCHEMA", "tx body rejected");
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join(".") || "(body)"}: ${issue.message}` : "invalid";
    throw new TxRejected("CHAIN_ERROR_SCHEMA", `tx body rejected: ${where}`);
  }
  const key = verifier.resolve(publicKey);
  if (!key) throw new TxRejected("CHAIN_ERROR_SIGNATURE", "public key is not a secp256k1 point");
  if (!verifier.verifyParts(signature, SIGN_DOMAIN, bodyBytes, publicKey)) {
    throw new TxRejected("CHAIN_ERROR_SIGNATURE", "signature does not verify");
  }
  return { hash, sender: key.address, body: parsed.data };
}

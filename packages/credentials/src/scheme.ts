import { type Address, type AppState, hexToBytes } from "@nym-ts/chain-client";
import {
  aggregateVerificationKeys,
  type Backend,
  checkVerificationKey,
  decodeVerificationKey,
  fastestBackend,
  GROUP_ORDER,
  type Params,
  setup,
  type VerificationKey,
} from "@nym-ts/coconut";
import { CredentialError } from "./errors.js";

/**
 * The Coconut conventions every credential party shares (issuers, verifiers, service providers, nymclient):
 *
 * - three attributes: private `[serial, binding]` (random scalars the client picks; `serial` is what ζ = [serial]g2
 *   reveals as the double-spend tag), public `[value]` (the credential's value in NYM base units);
 * - a credential request carries `value` and `publicAttributes = [encodePublicAttribute(value)]`, and an issuer
 *   signs only when the two agree;
 * - a spend is bound to the service provider's chain address (its 20 bytes are the proof's verifier binding), and
 *   the SP deposits with that same account, so the chain records who the proof was bound to;
 * - the aggregated verification key is the Lagrange combination of the issuers' keys in genesis at their indices.
 */
export const ATTRIBUTE_COUNT = 3;
export const PRIVATE_ATTRIBUTES = 2;
export const PUBLIC_ATTRIBUTES = 1;

let cached: Promise<Params> | undefined;

/**
 * The Coconut parameters for three attributes (hash-to-curve generators, the same for every party), on the fastest
 * backend available (the blst addon when built, else mcl-wasm). Cached per process; pass `backend` to choose.
 */
export function credentialParams(backend?: Backend): Promise<Params> {
  if (backend) return Promise.resolve(setup(ATTRIBUTE_COUNT, { backend }));
  cached ??= fastestBackend().then((b) => setup(ATTRIBUTE_COUNT, { backend: b }));
  return cached;
}

const SCALAR_HEX = /^0x[0-9a-f]{64}$/;

/** A credential value as its public attribute: the value itself as a scalar (it must be below the group order). */
export function valueAttribute(value: bigint): bigint {
  if (typeof value !== "bigint" || value <= 0n || value >= GROUP_ORDER) {
    throw new RangeError("value: expected a positive integer below the BLS12-381 group order");
  }
  return value;
}

/** The public attribute's wire form in a `credential_request` tx: 32 bytes big-endian, 0x-prefixed lower-case hex. */
export function encodePublicAttribute(attribute: bigint): string {
  if (typeof attribute !== "bigint" || attribute < 0n || attribute >= GROUP_ORDER) {
    throw new RangeError("attribute: expected a scalar below the group order");
  }
  return `0x${attribute.toString(16).padStart(64, "0")}`;
}

/** Inverse of encodePublicAttribute; throws CredentialError for anything but a canonical 32-byte scalar. */
export function decodePublicAttribute(hex: string): bigint {
  if (typeof hex !== "string" || !SCALAR_HEX.test(hex)) {
    throw new CredentialError("CREDENTIAL_ERROR_BAD_ATTRIBUTE", "public attribute must be 32 bytes of lower-case hex");
  }
  const x = BigInt(hex);
  if (x >= GROUP_ORDER) throw new CredentialError("CREDENTIAL_ERROR_BAD_ATTRIBUTE", "public attribute not canonical");
  return x;
}

/**
 * True when a request's public attributes are exactly `[value]` in canonical form: what an issuer checks before
 * signing, so a credential's disclosed value is what the ledger debited.
 */
export function publicAttributesMatchValue(publicAttributes: readonly string[], value: bigint | string): boolean {
  if (publicAttributes.length !== PUBLIC_ATTRIBUTES) return false;
  try {
    return decodePublicAttribute(publicAttributes[0] as string) === BigInt(value);
  } catch {
    return false;
  }
}

/** The verifier binding of a spend at a service provider: its chain address's 20 bytes. */
export function spBinding(address: Address | string): Uint8Array {
  if (typeof address !== "string" || !/^0x[0-9a-f]{40}$/.test(address)) {
    throw new TypeError("address: expected a 0x-prefixed lower-case 20-byte address");
  }
  return hexToBytes(address);
}

export interface IssuerKey {
  index: number;
  address: Address;
  verificationKey: VerificationKey;
}

/** The issuers' verification key shares from the chain's params (genesis), each decoded and checked. */
export function issuerKeys(params: Params, appState: AppState): IssuerKey[] {
  return appState.issuers.members.map((m) => {
    let vk: VerificationKey;
    try {
      vk = decodeVerificationKey(params, hexToBytes(m.verificationKey, "verificationKey"));
    } catch (error) {
      throw new CredentialError("CREDENTIAL_ERROR_BAD_KEY", `issuer ${m.index}: verification key does not decode`, {
        cause: error,
      });
    }
    if (!checkVerificationKey(params, vk) || vk.betaG2.length !== ATTRIBUTE_COUNT) {
      throw new CredentialError("CREDENTIAL_ERROR_BAD_KEY", `issuer ${m.index}: verification key is not valid`);
    }
    return { index: m.index, address: m.address, verificationKey: vk };
  });
}

/**
 * The aggregated verification key: any `threshold` issuers' shares combined with Lagrange coefficients at their
 * indices give the same key (the dealer's), so the first `threshold` by index are used.
 */
export function aggregatedVerificationKey(params: Params, appState: AppState): VerificationKey {
  const keys = issuerKeys(params, appState).sort((a, b) => a.index - b.index);
  const t = appState.issuers.threshold;
  if (keys.length < t) throw new CredentialError("CREDENTIAL_ERROR_BAD_KEY", `fewer than ${t} issuers in genesis`);
  return aggregateVerificationKeys(
    params,
    keys.slice(0, t).map((k) => ({ index: k.index, verificationKey: k.verificationKey })),
  );
}

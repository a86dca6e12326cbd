import {
  type AnyRegistration,
  isValidEd25519PublicKey,
  isValidX25519PublicKey,
  type NodeKind,
} from "@nym-ts/directory-client";
import { DirectoryError } from "./errors.js";

/**
 * The public keys inside a registration, besides the identity key (the signed-write check covers that one): the
 * Sphinx keys of mixnodes and gateways (X25519: canonical, not of small order), and the keys a service provider
 * names (its gateway's identity key, the three keys of its mixnet address). A key that fails is refused with 400
 * DIRECTORY_ERROR_INVALID_KEY naming the field, so no client is ever handed a key it cannot route through.
 */
export type PayloadKeyCheck = (kind: NodeKind, payload: AnyRegistration) => void;

/** Ed25519 keys already found valid (their check decodes a point); cleared when it grows too big. */
const VALID_ED25519_CAP = 10_000;

export function createPayloadKeyCheck(): PayloadKeyCheck {
  const validEd25519 = new Set<string>();
  const ed25519 = (field: string, key: string): void => {
    if (validEd25519.has(key)) return;
    if (!isValidEd25519PublicKey(key)) refuse(field, "Ed25519", "non-canonical or small order");
    if (validEd25519.size >= VALID_ED25519_CAP) validEd25519.clear();
    validEd25519.add(key);
  };
  const x25519 = (field: string, key: string): void => {
    if (!isValidX25519PublicKey(key)) refuse(field, "X25519", "non-canonical (u >= 2^255 - 19) or small order");
  };
  return (kind, payload) => {
    if (kind === "mixnode" || kind === "gateway") x25519("sphinxKey", (payload as { sphinxKey: string }).sphinxKey);
    if (kind === "service-provider") {
      const sp = payload as { gatewayIdentityKey?: string; mixnetAddress?: string };
      if (sp.gatewayIdentityKey !== undefined) ed25519("gatewayIdentityKey", sp.gatewayIdentityKey);
      if (sp.mixnetAddress !== undefined) {
        // <identity>.<encryption>@<gateway>, each 64 hex digits (the schema checked the shape).
        const [keys = "", gateway = ""] = sp.mixnetAddress.split("@");
        const [identity = "", encryption = ""] = keys.split(".");
        ed25519("mixnetAddress (identity key)", identity);
        x25519("mixnetAddress (encryption key)", encryption);
        ed25519("mixnetAddress (gateway key)", gateway);
      }
    }
  };
}

/** Whether a stored registration still passes the check (registrations stored by an older directory are re-checked). */
export function passesKeyCheck(check: PayloadKeyCheck, kind: NodeKind, payload: AnyRegistration): boolean {
  try {
    check(kind, payload);
    return true;
  } catch {
    return false;
  }
}

function refuse(field: string, what: string, why: string): never {
  throw new DirectoryError(
    400,
    "DIRECTORY_ERROR_INVALID_KEY",
    `body.payload.${field}: not a usable ${what} public key (${why})`,
  );
}

import { MixnetError } from "./errors.js";

/**
 * A client's mixnet address: its Ed25519 identity (the Sphinx destination its gateway delivers to), its X25519
 * encryption key (end-to-end encryption of payloads, so the gateway that strips the last Sphinx layer learns
 * nothing), and its gateway's identity. Text form: `<identity hex>.<encryption hex>@<gateway hex>`.
 */
export interface ClientAddress {
  identityKey: Uint8Array;
  encryptionKey: Uint8Array;
  gateway: Uint8Array;
}

export const CLIENT_ADDRESS_BYTES = 96;

const HEX64 = /^[0-9a-f]{64}$/;

export function formatAddress(address: ClientAddress): string {
  const h = (b: Uint8Array) => Buffer.from(b).toString("hex");
  return `${h(address.identityKey)}.${h(address.encryptionKey)}@${h(address.gateway)}`;
}

export function parseAddress(text: string): ClientAddress {
  const match = /^([0-9a-f]+)\.([0-9a-f]+)@([0-9a-f]+)$/.exec(text.trim().toLowerCase());
  if (!match || !HEX64.test(match[1] as string) || !HEX64.test(match[2] as string) || !HEX64.test(match[3] as string)) {
    throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "address must be <64 hex>.<64 hex>@<64 hex>");
  }
  return {
    identityKey: new Uint8Array(Buffer.from(match[1] as string, "hex")),
    encryptionKey: new Uint8Array(Buffer.from(match[2] as string, "hex")),
    gateway: new Uint8Array(Buffer.from(match[3] as string, "hex")),
  };
}

export function encodeAddress(address: ClientAddress): Uint8Array {
  const out = new Uint8Array(CLIENT_ADDRESS_BYTES);
  out.set(address.identityKey, 0);
  out.set(address.encryptionKey, 32);
  out.set(address.gateway, 64);
  return out;
}

export function decodeAddress(bytes: Uint8Array): ClientAddress {
  if (bytes.length !== CLIENT_ADDRESS_BYTES) throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "address length");
  return {
    identityKey: bytes.slice(0, 32),
    encryptionKey: bytes.slice(32, 64),
    gateway: bytes.slice(64, 96),
  };
}

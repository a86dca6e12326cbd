/**
 * @nym-ts/directory-client: what mixnodes, gateways and clients need to talk to the directory, without the server.
 *
 * @example
 * const client = createDirectoryClient({ baseUrl: "http://127.0.0.1:8080" });
 * const signer = ed25519SignerFromSeed(readKeyFile("identity.key"));
 * await client.register("mixnode", { identityKey: signer.publicKey, sphinxKey, host: "10.0.0.5:1789", layer: 1,
 *   version: "0.1.0" }, signer);
 * const { topology, etag } = await client.getTopology();
 *
 * Ed25519 (`ed25519KeyPair`, `ed25519Verify`, strict key checks) lives here once, for the directory's signatures and
 * for the mixnet nodes' identities alike; `isValidX25519PublicKey` is the one check on Sphinx keys (canonical, not of
 * small order), applied by the directory before it stores a key and by topology consumers before they route.
 */
export {
  createDirectoryClient,
  type DirectoryClient,
  DirectoryClientError,
  type DirectoryClientErrorCode,
  type DirectoryClientOptions,
  type TopologyResult,
} from "./client.js";
export {
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SEED_BYTES,
  ED25519_SIGNATURE_BYTES,
  type Ed25519KeyPair,
  ed25519KeyPair,
  ed25519PublicKeyFromSeed,
  ed25519Verify,
  generateEd25519Seed,
  isStrictEd25519PublicKey,
  isValidEd25519PublicKeyBytes,
} from "./ed25519.js";
export * from "./schemas.js";
export {
  canonicalJson,
  type Ed25519Signer,
  ed25519SignerFromSeed,
  generateEd25519Identity,
  isValidEd25519PublicKey,
  SIGNING_DOMAIN,
  signingBytes,
  signPayload,
  verifyEd25519,
} from "./signing.js";
export { isValidX25519PublicKey, isValidX25519PublicKeyBytes, X25519_PUBLIC_KEY_BYTES } from "./x25519.js";

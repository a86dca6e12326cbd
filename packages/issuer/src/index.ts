/**
 * @nym-ts/issuer: `nym-issuer`, one Coconut issuing authority of the Nym credential flow (docs/issuer.md).
 *
 * It holds one t-of-n key share from a trusted dealer (`dealIssuerKeys`, or `nym-issuer deal`), a chain account key
 * (its identity in genesis) and an Ed25519 identity seed (directory registration), each in a 0600 file. It follows
 * the chain's committed `credential_request` events from a checkpoint in its SQLite file, checks each request (the
 * public attributes are exactly the debited value, the blind-sign request decodes, its proof π_s holds), blind-signs
 * the valid ones exactly once, refuses the others for good with a reason, and serves the results:
 * `GET /v1/partial-credentials/{requestId}` (PartialCredential; 404 while undecided, 422 with the reason when
 * refused) and `GET /v1/verification-key`, with /health, /metrics and Swagger at /docs.
 *
 * @example
 * const issuer = createIssuer(
 *   { dataDir: "/var/lib/nym-issuer", chain: { rpcUrl: "http://127.0.0.1:26657" }, http: { port: 8010 } },
 *   { log },
 * );
 * await issuer.start();
 * // a client: new IssuerClient(issuer.url).partialCredential(requestId)
 */

/** The trusted dealer's shares, from @nym-ts/credentials (where the localnet, a CLI, can use it too). */
export { type DealtIssuerKey, dealIssuerKeys } from "@nym-ts/credentials";
export { buildIssuerApp, type IssuerAppOptions } from "./app.js";
export { dealCommand, initCommand } from "./commands.js";
export { IssuerConfig, type IssuerConfigInput } from "./config.js";
export { IssuerError, type IssuerErrorCode } from "./errors.js";
export {
  checkGenesisMembership,
  type FollowerOptions,
  type FollowerStatus,
  type IssuerChain,
  type IssuerIdentity,
  RequestFollower,
} from "./follower.js";
export { createIssuer, type Issuer, type IssuerModules, STORE_FILE } from "./issuer.js";
export {
  CHAIN_KEY_FILE,
  COCONUT_KEY_FILE,
  defaultKeyPaths,
  IDENTITY_KEY_FILE,
  type IssuerKeyPaths,
  type IssuerKeys,
  initIssuerKeys,
  readIssuerKeys,
} from "./keys.js";
export { createIssuerMetrics, type IssuerMetrics } from "./metrics.js";
export { type DirectoryRegistration, type RegistrationOptions, startDirectoryRegistration } from "./registration.js";
export {
  type CredentialRequestEvent,
  crossCheckMismatch,
  type Decision,
  decideRequest,
  parseRequestEvent,
} from "./request-check.js";
export { IssuerStore, type SeenRequest, type StoredRequest, type StoreIdentity } from "./store.js";

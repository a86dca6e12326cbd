/**
 * @nym-ts/directory: the Nym directory daemon (`nym-directory`) and its typed client.
 *
 * Nodes (mixnodes, gateways, validators, issuers, verifiers, service providers) register presence signed with
 * their Ed25519 identity key and renew it within a TTL; mixnodes post signed metrics; clients fetch the topology
 * (with an ETag) to route over. REST with an OpenAPI document at /docs/json and Swagger UI at /docs; see
 * docs/directory.md. Signing bytes: `signingBytes(purpose, timestamp, payload)`.
 *
 * @example
 * const directory = createDirectory({ http: { port: 8080 }, storage: { path: "data/directory.sqlite" } }, { log });
 * await directory.start();
 * const client = createDirectoryClient({ baseUrl: directory.url() });
 * const { topology } = await client.getTopology();
 */
export * from "./client-entry.js";
export { DirectoryConfig, type DirectoryConfigInput } from "./config.js";
export {
  createDirectory,
  DIRECTORY_VERSION,
  type Directory,
  DirectoryError,
  type DirectoryErrorCode,
  type DirectoryModules,
} from "./directory.js";
export { type DirectoryStore, openSqliteStore, type StoredMetrics, type StoredPresence } from "./store.js";

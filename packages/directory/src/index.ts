/**
 * @nym-ts/directory: the Nym directory daemon (`nym-directory`). Its API schemas, request signing and typed client
 * live in @nym-ts/directory-client, the one source of both this server's OpenAPI document and the clients' types.
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

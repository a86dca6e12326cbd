import { logConfigSection } from "@nym-ts/common";
import { z } from "zod";

const KeysSection = z
  .strictObject({
    coconutKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe("File (0600) holding the Coconut key share from the dealer; default <dataDir>/coconut.key"),
    chainKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe("File (0600) holding the chain account's secp256k1 key as hex; default <dataDir>/chain.key"),
    identityKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe("File (0600) holding the Ed25519 identity seed (32 bytes); default <dataDir>/identity.key"),
  })
  .prefault({})
  .describe("Key files (secrets, mode 0600); `nym-issuer init` writes the chain and identity keys");

const ChainSection = z
  .strictObject({
    rpcUrl: z.url({ protocol: /^https?$/ }).describe("CometBFT RPC of a Nym validator, http://host:26657"),
    crossCheck: z
      .boolean()
      .default(false)
      .describe("Compare each request with the chain's state (/credential_request query) before signing it"),
    checkpointLagBlocks: z
      .int()
      .min(1)
      .max(10_000)
      .default(2)
      .describe("A quiet checkpoint moves up to this many blocks behind the head (the tx index may lag it)"),
    idleCheckpointMs: z
      .int()
      .min(100)
      .max(600_000)
      .default(5_000)
      .describe("Period of the chain probe (health) that also moves a quiet checkpoint"),
    retryInitialMs: z.int().min(1).max(60_000).default(500).describe("First delay before retrying a chain call"),
    retryMaxMs: z.int().min(1).max(600_000).default(30_000).describe("Longest delay between two retries"),
  })
  .describe("The Nym chain whose credential requests this issuer signs");

const HttpSection = z
  .strictObject({
    host: z.string().min(1).default("127.0.0.1").describe("Listen address; 0.0.0.0 in a container"),
    port: z.int().min(0).max(65_535).default(8010).describe("Listen port (0 picks a free one)"),
    bodyLimitBytes: z.int().min(1024).max(1_048_576).default(4_096).describe("Larger request bodies get 413"),
    trustProxy: z.boolean().default(false).describe("Trust X-Forwarded-For; only behind a proxy you control"),
  })
  .prefault({})
  .describe("The HTTP API (partial credentials, verification key, /health, /metrics, /docs)");

const DirectorySection = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("The directory to register with (http://host:8080); no registration when absent"),
    apiUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional()
      .describe("The public URL clients fetch partials from; default http://<http.host>:<http.port>"),
  })
  .prefault({})
  .describe("Registration in the directory (IssuerRegistration, signed with the identity key, renewed)");

/** The `nym-issuer` config: file (TOML or JSON) < env `NYM_ISSUER_*` < flags. */
export const IssuerConfig = z
  .strictObject({
    dataDir: z.string().min(1).describe("Directory of issuer.sqlite and, by default, of the key files"),
    keys: KeysSection,
    chain: ChainSection,
    http: HttpSection,
    directory: DirectorySection,
    log: logConfigSection,
  })
  .refine((c) => c.directory.url === undefined || c.directory.apiUrl !== undefined || !isWildcard(c.http.host), {
    message: "directory.apiUrl is needed when http.host is a wildcard address (clients cannot reach 0.0.0.0)",
    path: ["directory", "apiUrl"],
  });

export type IssuerConfig = z.output<typeof IssuerConfig>;
export type IssuerConfigInput = z.input<typeof IssuerConfig>;

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

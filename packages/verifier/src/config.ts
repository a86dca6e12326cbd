import { logConfigSection } from "@nym-ts/common";
import { z } from "zod";

export const KeysSection = z
  .strictObject({
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
  .describe("Key files (secrets, mode 0600); `nym-verifier init` writes both");

export const ChainSection = z
  .strictObject({
    rpcUrl: z.url({ protocol: /^https?$/ }).describe("CometBFT RPC of a Nym validator, http://host:26657"),
    startHeight: z
      .int()
      .min(1)
      .default(1)
      .describe("First height whose deposits are followed when the database is new (later: the checkpoint)"),
    commitTimeoutMs: z.int().min(100).max(600_000).default(30_000).describe("Longest wait for votes to commit"),
    pollIntervalMs: z
      .int()
      .min(10)
      .max(10_000)
      .default(100)
      .describe("How often the account nonce is read while waiting for votes to commit"),
    stallMs: z
      .int()
      .min(100)
      .max(600_000)
      .default(3_000)
      .describe("How long pipelined votes may leave the nonce still before they are retried one by one"),
  })
  .describe("The Nym chain whose deposits this verifier checks");

export const VerifySection = z
  .strictObject({
    maxBatch: z
      .int()
      .min(1)
      .max(1_000)
      .default(100)
      .describe("Most pending deposits verified together (one batch verification) and voted on in one go"),
    viewConcurrency: z
      .int()
      .min(1)
      .max(64)
      .default(8)
      .describe("How many /zeta queries (proof, SP, value, status) are in flight at once"),
    retryInitialMs: z.int().min(1).max(60_000).default(500).describe("First delay before retrying a failed vote"),
    retryMaxMs: z.int().min(1).max(600_000).default(30_000).describe("Longest delay between two retries"),
  })
  .prefault({})
  .describe("Verification batching and vote retries");

export const HttpSection = z
  .strictObject({
    host: z.string().min(1).default("127.0.0.1").describe("Listen address; 0.0.0.0 in a container"),
    port: z.int().min(0).max(65_535).default(8020).describe("Listen port (0 picks a free one)"),
  })
  .prefault({})
  .describe("The HTTP API (/v1/votes, /health, /metrics, /docs)");

export const DirectorySection = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("The directory to register with (http://host:8080); no registration when absent"),
    apiUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional()
      .describe("The public URL of this verifier's API, registered when set"),
  })
  .prefault({})
  .describe("Registration in the directory (VerifierRegistration, signed with the identity key, renewed)");

/** The `nym-verifier` config: file (TOML or JSON) < env `NYM_VERIFIER_*` < flags. */
export const VerifierConfig = z.strictObject({
  dataDir: z.string().min(1).describe("Directory of verifier.sqlite and, by default, of the key files"),
  keys: KeysSection,
  chain: ChainSection,
  verify: VerifySection,
  http: HttpSection,
  directory: DirectorySection,
  log: logConfigSection,
});

export type VerifierConfig = z.output<typeof VerifierConfig>;
export type VerifierConfigInput = z.input<typeof VerifierConfig>;

import { logConfigSection } from "@nym-ts/common";
import { z } from "zod";

const hexKey = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "expected 32 bytes as 64 lower-case hex digits")
  .describe("Ed25519 public key, 64 lower-case hex digits");

export const ChainSection = z
  .strictObject({
    rpcUrl: z.url({ protocol: /^https?$/ }).describe("CometBFT RPC of a Nym validator, http://host:26657"),
  })
  .describe("The Nym chain the SP deposits spends on");

export const SpendSection = z
  .strictObject({
    decisionTimeoutMs: z
      .int()
      .min(100)
      .max(600_000)
      .default(60_000)
      .describe("Longest wait for the verifiers' decision after a deposit; then the answer is outcome timeout"),
    pollIntervalMs: z
      .int()
      .min(10)
      .max(60_000)
      .default(1_000)
      .describe("How often a waiting spend reads its zeta from the chain, besides following the events"),
  })
  .describe("Spend handling");

export const HttpSection = z
  .strictObject({
    host: z.string().min(1).default("127.0.0.1").describe("Address the HTTP API listens on"),
    port: z.int().min(0).max(65_535).default(8_090).describe("Port of the HTTP API; 0 picks a free one"),
  })
  .describe("The HTTP API (/v1/spend, /v1/info, /health, /metrics, /docs)");

export const DirectorySection = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).describe("The directory the SP registers with, http://host:8080"),
    apiUrl: z
      .url({ protocol: /^https?$/ })
      .describe("The public URL of this SP's HTTP API, as clients reach it (registered)"),
    registerIntervalMs: z
      .int()
      .min(100)
      .max(3_600_000)
      .default(20_000)
      .describe("Registration renewal period (the directory's TTL is longer)"),
  })
  .describe("Registration in the directory; absent: the SP does not register");

export const MixnetSection = z
  .strictObject({
    directoryUrl: z.url({ protocol: /^https?$/ }).describe("Directory the mixnet topology is read from"),
    gateway: hexKey
      .optional()
      .describe(
        "Identity key of the gateway holding the SP's mailbox; absent: one is picked from the topology at the " +
          "first start and kept (in the SQLite file) so the SP's mixnet address stays the same",
      ),
    lambdaP: z
      .number()
      .min(0)
      .max(10_000)
      .default(20)
      .describe("Real-or-drop packets per second (Loopix lambdaP); answers leave at this rate"),
    lambdaD: z.number().min(0).max(10_000).default(2).describe("Drop cover packets per second (lambdaD)"),
    lambdaL: z.number().min(0).max(10_000).default(2).describe("Loop cover packets per second (lambdaL)"),
    meanDelayMs: z.number().min(0).max(60_000).default(20).describe("Mean per-hop delay of the SP's packets"),
  })
  .describe("The mixnet endpoint; absent: the SP serves HTTP only");

/** The `nym-service-provider` config file (TOML or JSON), env `NYM_SERVICE_PROVIDER_*`, and flags. */
export const ServiceProviderConfigSchema = z
  .strictObject({
    dataDir: z
      .string()
      .min(1)
      .describe("Directory of the key files (written by `init`, mode 0600) and the SQLite file"),
    chain: ChainSection,
    spend: SpendSection.prefault({}),
    http: HttpSection.prefault({}),
    directory: DirectorySection.optional(),
    mixnet: MixnetSection.optional(),
    log: logConfigSection,
  })
  .describe("nym-service-provider");

export type ServiceProviderConfig = z.output<typeof ServiceProviderConfigSchema>;
export type ServiceProviderConfigInput = z.input<typeof ServiceProviderConfigSchema>;

import { DEFAULT_PAYLOAD_SIZE, DEFAULT_SPHINX_VERSION, PayloadSize, SPHINX_VERSIONS } from "@nym-ts/mixnet";
import { z } from "zod";
import { ChainSection, CredentialsSection, EthereumSection } from "./credentials/sections.js";

/**
 * The client's config file (`<dir>/client.json`, written by `nymclient init`); flags override any field
 * (`--traffic.lambdaP 50`). The keys are not in it: `identity.key` and `encryption.key` (0600) sit beside it. The
 * chain/ethereum/credentials sections are the credential commands' (`nymclient credential init`; credentials/).
 */
export const ClientConfig = z
  .strictObject({
    directoryUrl: z.url().describe("Directory base URL"),
    gateway: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe("Identity key (hex) of the gateway holding this client's mailbox"),
    traffic: z
      .strictObject({
        lambdaP: z.number().min(0).default(20).describe("Real-or-drop packets per second; 0 = send at once, no cover"),
        lambdaD: z.number().min(0).default(2).describe("Drop cover packets per second"),
        lambdaL: z.number().min(0).default(2).describe("Loop cover packets per second"),
        meanDelayMs: z.number().min(0).default(20).describe("Mean per-hop mixing delay, ms (1/mu)"),
        payloadSize: z
          .int()
          .min(640)
          .max(PayloadSize.extended32)
          .default(DEFAULT_PAYLOAD_SIZE)
          .describe("Sphinx payload size class, bytes"),
        ackTimeoutFactor: z.number().min(1).default(1.5).describe("Ack wait, as a multiple of the expected delay"),
        ackTimeoutExtraMs: z.int().min(0).default(1500).describe("Ack wait added on top, ms"),
        maxAttempts: z.int().min(1).default(10).describe("Sends of one fragment before giving up"),
      })
      .default({
        lambdaP: 20,
        lambdaD: 2,
        lambdaL: 2,
        meanDelayMs: 20,
        payloadSize: DEFAULT_PAYLOAD_SIZE,
        ackTimeoutFactor: 1.5,
        ackTimeoutExtraMs: 1500,
        maxAttempts: 10,
      })
      .describe("Loopix traffic parameters"),
    sphinx: z
      .strictObject({
        version: z
          .literal(SPHINX_VERSIONS)
          .default(DEFAULT_SPHINX_VERSION)
          .describe(
            "Sphinx format of the packets this client creates: 258, 259 (nym's current release; default) or 260. SURBs: 572 bytes with 258, 396 otherwise; the clients that exchange SURBs must agree",
          ),
      })
      .default({ version: DEFAULT_SPHINX_VERSION })
      .describe("Sphinx packet format"),
    log: z
      .strictObject({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("warn").describe("Level"),
      })
      .default({ level: "warn" })
      .describe("Logging (stderr)"),
    chain: ChainSection.optional(),
    ethereum: EthereumSection.optional(),
    credentials: CredentialsSection.optional(),
  })
  .describe("nymclient");
export type ClientConfig = z.output<typeof ClientConfig>;

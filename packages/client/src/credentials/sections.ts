import { z } from "zod";

/**
 * The credential sections of the client's config file (`<dir>/client.json`, written by `nymclient credential
 * init`); like every field of it, flags override them (`--chain.rpcUrl URL`, `--credentials.collectTimeoutMs 5000`).
 * The account key is not in it: `account.key` (0600) sits beside it.
 */

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an Ethereum address, 0x and 40 hex digits");

export const ChainSection = z
  .strictObject({
    rpcUrl: z.url().describe("CometBFT RPC of a Nym validator, http://host:26657"),
  })
  .describe("The Nym chain: balance, credential requests, the issuers' keys and the pipe account (genesis)");
export type ChainSection = z.output<typeof ChainSection>;

export const EthereumSection = z
  .strictObject({
    rpcUrl: z.url().describe("Ethereum JSON-RPC endpoint the payment is sent through"),
    chainId: z.int().positive().describe("Ethereum chain id the endpoint must serve (31337 for anvil)"),
    tokenAddress: address.describe("Address of the NYM ERC20 contract"),
    confirmations: z
      .int()
      .min(0)
      .max(1_000)
      .default(12)
      .describe("The watchers' confirmations (progress only: the chain's credit is what the client waits for)"),
    pollIntervalMs: z.int().min(10).max(60_000).default(250).describe("Time between two checks of the credit"),
    creditTimeoutMs: z.int().min(1_000).default(600_000).describe("Longest wait for the credit after inclusion"),
  })
  .describe("The Ethereum side of `nymclient pay`; the pipe account comes from the chain's genesis");
export type EthereumSection = z.output<typeof EthereumSection>;

export const CredentialsSection = z
  .strictObject({
    issuers: z
      .array(z.url())
      .max(1_024)
      .default([])
      .describe("Issuer API URLs; empty: the issuers registered in the directory (directoryUrl)"),
    pollIntervalMs: z.int().min(10).max(60_000).default(100).describe("Time between two polls of the issuers"),
    collectTimeoutMs: z.int().min(100).default(60_000).describe("Longest wait for t valid partial credentials"),
    httpTimeoutMs: z.int().min(100).default(10_000).describe("Timeout of one request to an issuer or an SP"),
    spendTimeoutMs: z.int().min(100).default(120_000).describe("Longest wait for an SP's answer to a spend"),
  })
  .describe("Collecting and spending credentials");
export type CredentialsSection = z.output<typeof CredentialsSection>;

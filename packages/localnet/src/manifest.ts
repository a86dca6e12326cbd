import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { LocalnetError } from "./errors.js";
import type { Topology } from "./topology.js";

/** The file at the top of a build directory that says what was built (public facts only: no secret is in it). */
export const MANIFEST_FILE = "localnet.json";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const hexKey = z.string().regex(/^[0-9a-f]{64}$/);

export const Manifest = z.strictObject({
  version: z.literal(1).describe("Layout version of the build directory"),
  seeded: z.boolean().describe("Built with --seed: every key is reproducible (a test network, never a real one)"),
  topology: z
    .strictObject({
      validators: z.int(),
      watchers: z.int(),
      watcherThreshold: z.int(),
      issuers: z.int(),
      threshold: z.int(),
      verifiers: z.int(),
      verifierThreshold: z.int(),
      providers: z.int(),
      mixLayers: z.int(),
      mixnodesPerLayer: z.int(),
      gateways: z.int(),
      basePort: z.int(),
    })
    .describe("What `build` was asked for, thresholds filled in"),
  chainId: z.string().describe("The Nym chain's id"),
  logLevel: z.string().describe("Log level of every daemon"),
  ethereum: z
    .strictObject({
      chainId: z.int().describe("anvil's chain id"),
      blockTime: z.number().describe("Seconds between anvil blocks"),
      confirmations: z.int().describe("The watchers' confirmations"),
      deployer: address.describe("anvil's first dev account: deploys NYM as its first transaction"),
      tokenAddress: address.describe("Where that deployment puts the NYM token (deployer, nonce 0)"),
      pipeAccount: address.describe("The pipe account users pay NYM into (genesis)"),
      clientFunding: z
        .strictObject({ nym: z.string(), eth: z.string() })
        .describe("What `up` gives the local client on Ethereum (decimal NYM and ETH)"),
    })
    .describe("The Ethereum side"),
  client: z
    .strictObject({ dir: z.string(), address })
    .describe("The local nymclient directory (relative) and its account's address"),
  accounts: z
    .strictObject({
      watchers: z.array(address),
      issuers: z.array(z.strictObject({ index: z.int(), address, identityKey: hexKey, verificationKey: z.string() })),
      verifiers: z.array(z.strictObject({ address, identityKey: hexKey })),
      providers: z.array(z.strictObject({ address, identityKey: hexKey })),
      gateways: z.array(z.strictObject({ identityKey: hexKey })),
      mixnodes: z.array(z.strictObject({ name: z.string(), identityKey: hexKey })),
      validators: z.array(z.strictObject({ nodeId: z.string() })),
    })
    .describe("Public keys and addresses of every node, as genesis and the directory know them"),
});
export type Manifest = z.infer<typeof Manifest>;

export function readManifest(dir: string): Manifest & { topology: Topology } {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) {
    throw new LocalnetError("LOCALNET_ERROR_NOT_BUILT", `${path} does not exist: run \`nym-localnet build\` first`, {
      dir,
    });
  }
  const parsed = Manifest.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    throw new LocalnetError(
      "LOCALNET_ERROR_NOT_BUILT",
      `${path} is not a localnet manifest of this version (rebuild with \`nym-localnet build --force\`)`,
      { dir },
    );
  }
  return parsed.data;
}

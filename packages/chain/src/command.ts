import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where this module lives (src/ when run from source, dist/ when built): the validator's bin is beside it. */
const here = dirname(fileURLToPath(import.meta.url));

/** What a command that runs the ledger for one CometBFT node needs to know about the node. */
export interface AbciAppSpec {
  index: number;
  abciPort: number;
  /** What CometBFT dials: `unix://<socket path>` or `tcp://127.0.0.1:<abciPort>`. */
  abciAddress: string;
  dataDir: string;
  logLevel: string;
  /** The node's CometBFT home: the ledger then checks it runs the genesis in the home (`--cometbft.home`). */
  cometHome?: string;
}

/** The socket path of a `unix://` ABCI address, else undefined. */
const socketPathOf = (address: string): string | undefined =>
  address.startsWith("unix://") ? address.slice("unix://".length) : undefined;

/**
 * Node.js flags for a validator's ledger process. The ledger is one event loop that shares its host with CometBFT:
 * V8's parallel GC helper threads would only contend with CometBFT for cores, so the young generation is collected on
 * the main thread, and a 32 MiB semi-space lets the mempool's verified txs die young instead of being promoted. On
 * the 2-core benchmark machine the 4-validator ledger ran at 919-1,086 tx/s with them and 834-1,000 tx/s without
 * (5 and 10 runs). The localnet and the container start the ledger with these.
 */
export const VALIDATOR_NODE_FLAGS: readonly string[] = ["--single-threaded-gc", "--max-semi-space-size=32"];

/**
 * The command that runs this package's `nym-validator` for `node` (via tsx when running from source), with
 * `nodeFlags` for Node.js: what `startTestnet` runs unless given another `appCommand`.
 */
export function validatorCommand(
  node: AbciAppSpec,
  nodeFlags: readonly string[] = VALIDATOR_NODE_FLAGS,
): { command: string; args: string[] } {
  const fromSource = import.meta.url.endsWith(".ts");
  const bin = join(here, fromSource ? "bin.ts" : "bin.js");
  const socket = socketPathOf(node.abciAddress);
  return {
    command: process.execPath,
    args: [
      ...nodeFlags,
      ...(fromSource ? ["--conditions=@nym-ts/source", "--import", "tsx", bin] : [bin]),
      ...(socket ? [`--abci.socket=${socket}`] : [`--abci.port=${node.abciPort}`, "--abci.host=127.0.0.1"]),
      `--data.dir=${node.dataDir}`,
      ...(node.cometHome !== undefined ? [`--cometbft.home=${node.cometHome}`] : []),
      `--log.level=${node.logLevel}`,
    ],
  };
}

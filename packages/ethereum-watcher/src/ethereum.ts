import { checkAddress, createJsonRpcProvider, TRANSFER_TOPIC } from "@nym-ts/contracts";
import { getAddress, type JsonRpcProvider, zeroPadValue } from "ethers";
import { WatcherError } from "./errors.js";
import type { EthereumSource, ObservedTransfer, TransferLogBatch } from "./types.js";

const HASH32 = /^0x[0-9a-fA-F]{64}$/;
const QUANTITY = /^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/;

export interface JsonRpcSourceOptions {
  rpcUrl: string;
  chainId: number;
  tokenAddress: string;
  pipeAccount: string;
}

/**
 * Reads Ethereum through raw JSON-RPC (`eth_blockNumber`, `eth_getBlockByNumber`, `eth_getLogs`) over an ethers
 * provider, and validates every answer itself: a node is trusted to tell the truth about the chain, not to answer in
 * the right shape. ethers' response cache is off, so a head read after a reorg is never stale.
 */
export class JsonRpcEthereumSource implements EthereumSource {
  readonly provider: JsonRpcProvider;
  readonly #token: string;
  readonly #pipeTopic: string;
  readonly #pipe: string;

  constructor(options: JsonRpcSourceOptions, provider?: JsonRpcProvider) {
    this.provider = provider ?? createJsonRpcProvider(options.rpcUrl, options.chainId, 1_000);
    this.#token = checkAddress(options.tokenAddress, "token address");
    this.#pipe = checkAddress(options.pipeAccount, "pipe account");
    this.#pipeTopic = zeroPadValue(this.#pipe, 32).toLowerCase();
  }

  async blockNumber(): Promise<number> {
    return quantity(await this.provider.send("eth_blockNumber", []), "eth_blockNumber");
  }

  async blockHash(height: number): Promise<string | undefined> {
    const block: unknown = await this.provider.send("eth_getBlockByNumber", [toQuantity(height), false]);
    if (block === null) return undefined;
    const hash = (block as { hash?: unknown } | undefined)?.hash;
    if (typeof hash !== "string" || !HASH32.test(hash)) {
      throw new WatcherError("WATCHER_ERROR_RPC_RESPONSE", "eth_getBlockByNumber answered without a block hash", {
        height,
      });
    }
    return hash.toLowerCase();
  }

  async transferLogs(fromBlock: number, toBlock: number): Promise<TransferLogBatch> {
    const logs: unknown = await this.provider.send("eth_getLogs", [
      {
        address: this.#token,
        fromBlock: toQuantity(fromBlock),
        toBlock: toQuantity(toBlock),
        topics: [TRANSFER_TOPIC, null, this.#pipeTopic],
      },
    ]);
    if (!Array.isArray(logs)) {
      throw new WatcherError("WATCHER_ERROR_RPC_RESPONSE", "eth_getLogs did not answer an array", { fromBlock });
    }
    const transfers: ObservedTransfer[] = [];
    let malformed = 0;
    for (const raw of logs) {
      try {
        const transfer = parseTransferLog(raw, this.#token, this.#pipe);
        if (transfer.blockNumber < fromBlock || transfer.blockNumber > toBlock) {
          throw new WatcherError("WATCHER_ERROR_MALFORMED_LOG", "log outside the requested range", {});
        }
        transfers.push(transfer);
      } catch (error) {
        if (!(error instanceof WatcherError)) throw error;
        malformed++;
      }
    }
    return { transfers, malformed };
  }

  destroy(): void {
    this.provider.destroy();
  }
}

/**
 * Checks that a raw `eth_getLogs` entry is an ERC20 Transfer emitted by `token` to `pipe`, not removed, with a
 * positive amount, and returns it. Throws `WATCHER_ERROR_MALFORMED_LOG` naming what is wrong.
 */
export function parseTransferLog(raw: unknown, token: string, pipe: string): ObservedTransfer {
  const bad = (what: string): never => {
    throw new WatcherError("WATCHER_ERROR_MALFORMED_LOG", `malformed Transfer log: ${what}`, { what });
  };
  if (typeof raw !== "object" || raw === null) return bad("not an object");
  const log = raw as Record<string, unknown>;
  if (log.removed === true) bad("removed by a reorg");
  if (typeof log.address !== "string" || log.address.toLowerCase() !== token.toLowerCase()) bad("wrong emitter");
  const topics = log.topics;
  if (!Array.isArray(topics) || topics.length !== 3) return bad("not three topics");
  if (topics.some((t) => typeof t !== "string" || !HASH32.test(t))) bad("topic is not 32 bytes");
  const [topic0, fromTopic, toTopic] = (topics as string[]).map((t) => t.toLowerCase()) as [string, string, string];
  if (topic0 !== TRANSFER_TOPIC) bad("not a Transfer");
  if (!fromTopic.startsWith("0x000000000000000000000000")) bad("from topic is not an address");
  if (toTopic !== zeroPadValue(pipe, 32).toLowerCase()) bad("not to the pipe account");
  if (typeof log.data !== "string" || !HASH32.test(log.data)) return bad("data is not one 32-byte word");
  const amount = BigInt(log.data);
  if (amount === 0n) bad("zero amount");
  if (typeof log.transactionHash !== "string" || !HASH32.test(log.transactionHash)) bad("transaction hash");
  if (typeof log.blockHash !== "string" || !HASH32.test(log.blockHash)) bad("block hash");
  const from = getAddress(`0x${fromTopic.slice(26)}`);
  if (from === "0x0000000000000000000000000000000000000000") bad("mint, no payer");
  return {
    txHash: (log.transactionHash as string).toLowerCase(),
    logIndex: quantityOr(log.logIndex, bad, "log index"),
    blockNumber: quantityOr(log.blockNumber, bad, "block number"),
    blockHash: (log.blockHash as string).toLowerCase(),
    from,
    amount,
  };
}

function quantityOr(value: unknown, bad: (what: string) => never, what: string): number {
  if (typeof value !== "string" || !QUANTITY.test(value)) return bad(what);
  const n = Number.parseInt(value, 16);
  if (!Number.isSafeInteger(n)) return bad(what);
  return n;
}

function quantity(value: unknown, method: string): number {
  if (typeof value !== "string" || !QUANTITY.test(value)) {
    throw new WatcherError("WATCHER_ERROR_RPC_RESPONSE", `${method} did not answer a hex quantity`, { method });
  }
  const n = Number.parseInt(value, 16);
  if (!Number.isSafeInteger(n)) {
    throw new WatcherError("WATCHER_ERROR_RPC_RESPONSE", `${method} answered an out-of-range quantity`, { method });
  }
  return n;
}

function toQuantity(n: number): string {
  return `0x${n.toString(16)}`;
}

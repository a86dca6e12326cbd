import { WatcherError } from "./errors.js";

/** Most calls per JSON-RPC batch request: CometBFT's `rpc.max_request_batch_size` defaults to 10. */
const MAX_BATCH = 10;

/**
 * CometBFT's `broadcast_tx_async` for a list of txs, sent as JSON-RPC batch requests: the node handles the calls of
 * a batch one after another, in order, and each queues its tx for CheckTx on the mempool's ABCI connection before
 * the next, so consecutive nonces reach the app's CheckTx in order, without a round trip (or a CheckTx wait) per tx.
 * Nothing here says whether CheckTx accepted a tx: the caller watches its committed nonce.
 *
 * This belongs in @nym-ts/chain's ChainClient, which has only the sync and commit flavours; it is here, as small as
 * possible, until the client grows one.
 */
export async function broadcastTxsAsync(rpcUrl: string, txs: readonly Uint8Array[]): Promise<void> {
  for (let from = 0; from < txs.length; from += MAX_BATCH) {
    const chunk = txs.slice(from, from + MAX_BATCH);
    const requests = chunk.map((tx, i) => ({
      jsonrpc: "2.0",
      id: from + i,
      method: "broadcast_tx_async",
      params: { tx: Buffer.from(tx).toString("base64") },
    }));
    let body: unknown;
    try {
      const response = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(requests),
        signal: AbortSignal.timeout(20_000),
      });
      body = await response.json();
    } catch (cause) {
      throw new WatcherError("WATCHER_ERROR_RPC_RESPONSE", `broadcast_tx_async to ${rpcUrl} failed`, {}, { cause });
    }
    // CometBFT answers a batch of one with a single response object, not an array of one.
    if (chunk.length === 1 && !Array.isArray(body)) body = [body];
    if (!Array.isArray(body) || body.length !== chunk.length) {
      throw new WatcherError("WATCHER_ERROR_RPC_RESPONSE", "broadcast_tx_async batch answer has the wrong shape", {});
    }
    for (const answer of body as { result?: { hash?: unknown }; error?: { message?: unknown; data?: unknown } }[]) {
      if (answer?.error !== undefined || typeof answer?.result?.hash !== "string") {
        const error = answer?.error;
        const reason = typeof error?.data === "string" ? error.data : String(error?.message ?? "no result");
        throw new WatcherError("WATCHER_ERROR_RPC_RESPONSE", `broadcast_tx_async refused: ${reason.slice(0, 200)}`, {});
      }
    }
  }
}

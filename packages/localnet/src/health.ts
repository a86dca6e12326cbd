import { connect } from "node:net";
import type { HealthCheck } from "./topology.js";

/**
 * One health probe: a daemon's `/health` answers 200, CometBFT's RPC `/status` answers with a height, anvil answers
 * `eth_blockNumber`, the ledger accepts a connection on its ABCI port. Never throws: false on any failure.
 */
export async function probe(check: HealthCheck, timeoutMs = 2_000): Promise<boolean> {
  try {
    switch (check.type) {
      case "http": {
        const r = await fetch(check.url, { signal: AbortSignal.timeout(timeoutMs) });
        await r.body?.cancel();
        return r.status === 200;
      }
      case "cometbft": {
        const r = await fetch(check.url, { signal: AbortSignal.timeout(timeoutMs) });
        if (r.status !== 200) return false;
        const body = (await r.json()) as { result?: { sync_info?: { latest_block_height?: string } } };
        return body.result?.sync_info?.latest_block_height !== undefined;
      }
      case "ethereum": {
        const r = await fetch(check.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (r.status !== 200) return false;
        const body = (await r.json()) as { result?: unknown };
        return typeof body.result === "string";
      }
      case "listen":
        return await new Promise<boolean>((resolve) => {
          const socket =
            check.socket !== undefined ? connect({ path: check.socket }) : connect(check.port ?? 0, "127.0.0.1");
          const timer = setTimeout(() => {
            socket.destroy();
            resolve(false);
          }, timeoutMs);
          socket.once("connect", () => {
            clearTimeout(timer);
            socket.destroy();
            resolve(true);
          });
          socket.once("error", () => {
            clearTimeout(timer);
            resolve(false);
          });
        });
    }
  } catch {
    return false;
  }
}

/** The latest block height CometBFT reports at `rpcUrl` (http://host:port), or undefined. */
export async function cometHeight(rpcUrl: string): Promise<number | undefined> {
  try {
    const r = await fetch(`${rpcUrl}/status`, { signal: AbortSignal.timeout(2_000) });
    const body = (await r.json()) as { result?: { sync_info?: { latest_block_height?: string } } };
    const h = Number(body.result?.sync_info?.latest_block_height);
    return Number.isFinite(h) ? h : undefined;
  } catch {
    return undefined;
  }
}

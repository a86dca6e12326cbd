import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExplorerController } from "../../src/web/explorer-state.js";

/**
 * The controller against a real HTTP server that answers like the directory (presence, metric histories, the
 * explorer's settings and RPC proxy), with answers the test changes between refreshes.
 */
const key = (i: number) => i.toString(16).padStart(64, "0");
const sphinxKey = "09".repeat(32);

interface World {
  mixnodes: { key: string; layer: number }[];
  validators: string[];
  delayPresenceMs: number;
  rpcDown: boolean;
  historyRequests: string[];
}

function presence(node: object, now: number) {
  return { node, registeredAt: now - 60_000, lastSeen: now - 1000, expiresAt: now + 59_000 };
}

function handler(world: World) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const now = Date.now();
    const json = (body: unknown, status = 200) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const presenceOf = url.pathname.match(/^\/api\/v1\/presence\/([a-z-]+)$/)?.[1];
    if (presenceOf !== undefined) {
      const nodes =
        presenceOf === "mixnodes"
          ? world.mixnodes.map((m) =>
              presence({ identityKey: m.key, sphinxKey, host: "127.0.0.1:1789", layer: m.layer, version: "1" }, now),
            )
          : presenceOf === "validators"
            ? world.validators.map((v) => presence({ identityKey: v, rpcUrl: "http://127.0.0.1:1", version: "1" }, now))
            : [];
      setTimeout(() => json({ nodes }), world.delayPresenceMs).unref();
      return;
    }
    const history = url.pathname.match(/^\/api\/v1\/metrics\/mixnodes\/([0-9a-f]{64})$/)?.[1];
    if (history !== undefined) {
      world.historyRequests.push(history);
      return json({
        identityKey: history,
        reports: [{ timestamp: now, receivedAt: now, received: 10, sent: {}, dropped: 0, intervalMs: 1000 }],
      });
    }
    if (url.pathname === "/explorer/settings") return json({ chainRpcConfigured: false, rpcTimeoutMs: 3000 });
    const rpc = url.pathname.match(/^\/explorer\/rpc\/([0-9a-f]{64})\/(\w+)$/);
    if (rpc) {
      if (world.rpcDown) return json({ code: "DIRECTORY_ERROR_RPC_FAILED" }, 502);
      const time = new Date(now - 400).toISOString();
      if (rpc[2] === "status") {
        return json({
          jsonrpc: "2.0",
          result: {
            node_info: { id: "n", moniker: "v0", network: "nym-test", version: "0.38" },
            sync_info: { latest_block_height: "42", latest_block_time: time, catching_up: false },
          },
        });
      }
      if (rpc[2] === "blockchain") {
        return json({
          jsonrpc: "2.0",
          result: { last_height: "42", block_metas: [{ header: { height: "42", time }, num_txs: "0" }] },
        });
      }
      return json({ jsonrpc: "2.0", result: { txs: [], total_count: "0" } });
    }
    json({ code: "HTTP_ERROR_NOT_FOUND" }, 404);
  };
}

describe("ExplorerController against a directory-shaped HTTP server", () => {
  let server: Server;
  let world: World;
  let controller: ExplorerController;

  beforeEach(async () => {
    world = { mixnodes: [], validators: [], delayPresenceMs: 0, rpcDown: false, historyRequests: [] };
    server = createServer(handler(world));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    controller = new ExplorerController({
      apiBase: new URL("/api/v1/", base),
      explorerBase: new URL("/explorer/", base),
      refreshMs: 60_000,
      timeoutMs: 300,
    });
  });
  afterEach(async () => {
    controller.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("places mixnodes in their layers with rates, and keeps one that leaves the directory as down", async () => {
    world.mixnodes = [
      { key: key(1), layer: 1 },
      { key: key(2), layer: 2 },
      { key: key(3), layer: 3 },
    ];
    await controller.refreshDirectory();
    let snapshot = controller.snapshot();
    expect(snapshot.sources.directory.ok).toBe(true);
    expect(snapshot.layers.map((l) => l.map((n) => [n.identityKey, n.status]))).toEqual([
      [[key(1), "up"]],
      [[key(2), "up"]],
      [[key(3), "up"]],
    ]);
    expect(snapshot.layers[0][0]?.rates?.received).toBe(10);

    world.mixnodes = world.mixnodes.filter((m) => m.layer !== 2);
    await controller.refreshDirectory();
    snapshot = controller.snapshot();
    expect(snapshot.layers[1].map((n) => [n.identityKey, n.status])).toEqual([[key(2), "down"]]);
    expect(snapshot.layers[1][0]?.goneAt).toBeTypeOf("number");
  });

  it("keeps the last data, marked stale with the reason, while presence answers are slower than the timeout", async () => {
    world.mixnodes = [{ key: key(1), layer: 1 }];
    await controller.refreshDirectory();
    const updatedAt = controller.snapshot().sources.directory.updatedAt;
    world.delayPresenceMs = 800;
    await controller.refreshDirectory();
    const snapshot = controller.snapshot();
    expect(snapshot.sources.directory).toMatchObject({ ok: false, error: "no answer within 300 ms", updatedAt });
    expect(snapshot.layers[0].map((n) => n.status)).toEqual(["up"]);
    world.delayPresenceMs = 0;
    await controller.refreshDirectory();
    expect(controller.snapshot().sources.directory.ok).toBe(true);
  });

  it("reads each validator's height through the proxy, and shows it unreachable when the proxy answers 502", async () => {
    world.validators = [key(9)];
    await controller.refreshDirectory();
    await controller.refreshChain();
    let snapshot = controller.snapshot();
    expect(snapshot.sources.chain.ok).toBe(true);
    expect(snapshot.chain).toMatchObject({ height: 42, network: "nym-test" });
    expect(snapshot.validators.map((v) => [v.target, v.status, v.height])).toEqual([[key(9), "up", 42]]);
    expect(snapshot.activity?.totals).toEqual({ credential_request: 0, deposit_credential: 0, zeta_spent: 0 });

    world.rpcDown = true;
    await controller.refreshChain();
    snapshot = controller.snapshot();
    expect(snapshot.sources.chain).toMatchObject({ ok: false, error: "no validator's RPC answered" });
    expect(snapshot.validators.map((v) => [v.status, v.height, v.error])).toEqual([["unreachable", 42, "HTTP 502"]]);
  });

  it("reads the reports of a large network in turns, at most 48 nodes per refresh", async () => {
    world.mixnodes = Array.from({ length: 60 }, (_, i) => ({ key: key(i + 1), layer: (i % 3) + 1 }));
    await controller.refreshDirectory();
    expect(world.historyRequests).toHaveLength(48);
    await controller.refreshDirectory();
    expect(new Set(world.historyRequests).size).toBe(60);
  });
});

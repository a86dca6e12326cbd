import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateEd25519Identity } from "@nym-ts/directory-client";
import { generateX25519 } from "@nym-ts/mixnet";
import { initNodeKeys } from "@nym-ts/mixnet-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

const bin = fileURLToPath(new URL("../../src/bin.ts", import.meta.url));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/**
 * A directory as an older or hostile server could answer: it accepts every registration and serves a topology whose
 * layer 2 holds a node with an all-zero Sphinx key (the directory itself refuses such keys now, so a stub serves it).
 * The mixnode's own loops (lambdaM) would build packets through that node.
 */
describe("a mixnode whose topology holds a zero Sphinx key", () => {
  let dir: string;
  let server: Server;
  let url: string;
  let self: Record<string, unknown> | undefined;
  const children: ChildProcess[] = [];
  const node = (layer: number, sphinxKey: string, port: number) => ({
    identityKey: generateEd25519Identity().signer.publicKey,
    sphinxKey,
    host: `127.0.0.1:${port}`,
    layer,
    version: "stub",
  });
  const zeroKeyNode = node(2, "00".repeat(32), 9);
  const layer3 = node(3, hex(generateX25519().publicKey), 10);
  const gatewayKey = generateEd25519Identity().signer.publicKey;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mixnode-bad-topology-"));
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (d) => {
        body += d;
      });
      request.on("end", () => {
        const json = (status: number, value: unknown) => {
          response.writeHead(status, { "content-type": "application/json", etag: '"stub"' });
          response.end(JSON.stringify(value));
        };
        const path = request.url ?? "";
        if (request.method === "POST" && path === "/api/v1/presence/mixnodes") {
          const payload = (JSON.parse(body) as { payload: Record<string, unknown> }).payload;
          self = payload;
          json(200, {
            kind: "mixnode",
            identityKey: payload.identityKey,
            created: true,
            expiresAt: Date.now() + 60_000,
            ttlSeconds: 60,
          });
        } else if (request.method === "POST" && path === "/api/v1/metrics/mixnodes") {
          json(200, { nextReportInMs: 10_000 });
        } else if (request.method === "GET" && path === "/api/v1/topology") {
          json(200, {
            mixnodes: [
              { layer: 1, nodes: self ? [self] : [] },
              { layer: 2, nodes: [zeroKeyNode] },
              { layer: 3, nodes: [layer3] },
            ],
            gateways: [
              {
                identityKey: gatewayKey,
                sphinxKey: hex(generateX25519().publicKey),
                mixnetAddress: "127.0.0.1:11",
                clientAddress: "127.0.0.1:12",
                version: "stub",
              },
            ],
            validators: [],
            issuers: [],
            verifiers: [],
            serviceProviders: [],
          });
        } else {
          json(404, { code: "NOT_FOUND", message: "stub" });
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps running, skips the node and counts it (nym_mixnode_topology_nodes_skipped_total)", async () => {
    const dataDir = join(dir, "data");
    mkdirSync(dataDir, { mode: 0o700 });
    initNodeKeys(dataDir);
    const httpPort = await freePort();
    const config = join(dir, "mixnode.json");
    writeFileSync(
      config,
      JSON.stringify({
        mixnode: { layer: 1, port: 0 },
        directory: { url, topologyRefreshMs: 200, registerIntervalMs: 500, metricsIntervalMs: 500 },
        // 50 loops a second: each one would route through the zero-key node of layer 2.
        mixing: { loopRate: 50 },
        storage: { dataDir },
        http: { port: httpPort },
        log: { level: "warn" },
      }),
    );
    const child = spawn(
      process.execPath,
      ["--conditions=@nym-ts/source", "--import", "tsx", bin, "run", "--config", config],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    let exited: number | null | undefined;
    child.on("exit", (code) => {
      exited = code;
    });
    // Until the node counts the skipped node (its start through tsx alone can take seconds on a loaded machine), then
    // a second more of loop ticks through that layer: it must still be running.
    const skipped = /nym_mixnode_topology_nodes_skipped_total [1-9]/;
    const deadline = Date.now() + 30_000;
    let scrape = "";
    while (Date.now() < deadline && exited === undefined && !skipped.test(scrape)) {
      await new Promise((r) => setTimeout(r, 250));
      try {
        scrape = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      } catch {
        // not listening yet
      }
    }
    await new Promise((r) => setTimeout(r, 1_000));
    expect(exited, `the mixnode exited; stderr:\n${stderr}`).toBeUndefined();
    expect(scrape).toMatch(skipped);
    child.kill("SIGTERM");
    expect(await new Promise((r) => child.on("exit", r))).toBe(0);
  }, 60_000);
});

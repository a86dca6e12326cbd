import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { generateEd25519Identity } from "@nym-ts/directory-client";
import { afterEach, describe, expect, it } from "vitest";
import type { Directory, DirectoryConfigInput } from "../../src/index.js";
import { manualClock, sign, startDirectory, tempDir } from "../helpers/fixtures.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A directory of fake built assets: index.html and one hashed asset. */
function fakeAssets(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>explorer</title>");
  writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log(1)");
  return dir;
}

async function directoryWith(explorer: DirectoryConfigInput["explorer"]): Promise<Directory> {
  const clock = manualClock(Date.now());
  const { directory, stop } = await startDirectory({ explorer }, clock.now);
  cleanups.push(stop);
  return directory;
}

/** A real HTTP server on loopback standing in for a CometBFT RPC. */
async function fakeRpc(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string }> {
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const jsonRpc = (result: unknown) => JSON.stringify({ jsonrpc: "2.0", id: -1, result });

async function registerValidator(directory: Directory, rpcUrl: string): Promise<string> {
  const { signer } = generateEd25519Identity();
  const payload = { identityKey: signer.publicKey, rpcUrl, version: "0.1.0" };
  const response = await directory.app.inject({
    method: "POST",
    url: "/api/v1/presence/validators",
    payload: await sign("register:validator", payload, signer, Date.now()),
  });
  expect(response.statusCode).toBe(200);
  return signer.publicKey;
}

describe("explorer routes: the page's assets", () => {
  it("serves the built page under /explorer/, redirecting /explorer, with hashed assets cached for good", async () => {
    const directory = await directoryWith({ assetsDir: fakeAssets() });
    const bare = await directory.app.inject({ url: "/explorer" });
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe("explorer/");
    const withQuery = await directory.app.inject({ url: "/explorer?refresh=500" });
    expect(withQuery.headers.location).toBe("explorer/?refresh=500");
    const page = await directory.app.inject({ url: "/explorer/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).toContain("<title>explorer</title>");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    const asset = await directory.app.inject({ url: "/explorer/assets/index-abc123.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toContain("immutable");
  });

  it("answers the page's paths with a plain-text 503 when the assets are not built, and the API still works", async () => {
    const { dir } = tempDir();
    const directory = await directoryWith({ assetsDir: join(dir, "missing") });
    for (const url of ["/explorer", "/explorer/", "/explorer/assets/index-abc123.js"]) {
      const response = await directory.app.inject({ url });
      expect(response.statusCode, url).toBe(503);
      expect(response.headers["content-type"]).toMatch(/^text\/plain/);
      expect(response.body).toContain("not built");
      expect(response.body).toContain("pnpm build");
    }
    expect((await directory.app.inject({ url: "/api/v1/topology" })).statusCode).toBe(200);
    expect((await directory.app.inject({ url: "/health" })).statusCode).toBe(200);
  });

  it("keeps /explorer out of the OpenAPI document", async () => {
    const directory = await directoryWith({ assetsDir: fakeAssets() });
    const doc = (await directory.app.inject({ url: "/docs/json" })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/explorer"))).toEqual([]);
    expect(Object.keys(doc.paths)).toContain("/api/v1/topology");
  });

  it("serves nothing at /explorer when disabled", async () => {
    const directory = await directoryWith({ enabled: false, assetsDir: fakeAssets() });
    expect((await directory.app.inject({ url: "/explorer/" })).statusCode).toBe(404);
    expect((await directory.app.inject({ url: "/explorer/settings" })).statusCode).toBe(404);
  });
});

describe("explorer routes: the RPC proxy", () => {
  it("forwards status, blockchain and tx_search to a registered validator's RPC, with CometBFT's quoting", async () => {
    const seen: string[] = [];
    const rpc = await fakeRpc((req, res) => {
      seen.push(req.url ?? "");
      res.setHeader("content-type", "application/json");
      res.end(jsonRpc({ ok: true }));
    });
    const directory = await directoryWith({ assetsDir: fakeAssets() });
    const key = await registerValidator(directory, `${rpc.url}/`);
    const status = await directory.app.inject({ url: `/explorer/rpc/${key}/status` });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toEqual({ jsonrpc: "2.0", id: -1, result: { ok: true } });
    const query = "credential_request.request_id EXISTS AND tx.height > 4 AND tx.height <= 9";
    const search = await directory.app.inject({
      url: `/explorer/rpc/${key}/tx_search`,
      query: { query, page: "1", per_page: "100", order_by: "asc" },
    });
    expect(search.statusCode).toBe(200);
    const blocks = await directory.app.inject({
      url: `/explorer/rpc/${key}/blockchain`,
      query: { minHeight: "1", maxHeight: "20" },
    });
    expect(blocks.statusCode).toBe(200);
    expect(seen[0]).toBe("/status");
    const searched = new URL(seen[1] as string, "http://x");
    expect(searched.pathname).toBe("/tx_search");
    expect(searched.searchParams.get("query")).toBe(`"${query}"`);
    expect(searched.searchParams.get("order_by")).toBe('"asc"');
    expect(searched.searchParams.get("per_page")).toBe("100");
    expect(seen[2]).toBe("/blockchain?minHeight=1&maxHeight=20");
  });

  it("refuses unknown targets, methods, parameters and arbitrary tx queries", async () => {
    const rpc = await fakeRpc((_req, res) => res.end(jsonRpc({})));
    const directory = await directoryWith({ assetsDir: fakeAssets() });
    const key = await registerValidator(directory, rpc.url);
    const stranger = generateEd25519Identity().signer.publicKey;
    expect((await directory.app.inject({ url: `/explorer/rpc/${stranger}/status` })).statusCode).toBe(404);
    expect((await directory.app.inject({ url: "/explorer/rpc/configured/status" })).statusCode).toBe(404);
    expect((await directory.app.inject({ url: `/explorer/rpc/${key}/broadcast_tx_sync` })).statusCode).toBe(400);
    const wrongParam = await directory.app.inject({ url: `/explorer/rpc/${key}/status`, query: { minHeight: "1" } });
    expect(wrongParam.statusCode).toBe(400);
    expect(wrongParam.json().code).toBe("DIRECTORY_ERROR_BAD_RPC_CALL");
    const costly = await directory.app.inject({
      url: `/explorer/rpc/${key}/tx_search`,
      query: { query: "tx.height > 0" },
    });
    expect(costly.statusCode).toBe(400);
    expect((await directory.app.inject({ url: `/explorer/rpc/${key}/tx_search` })).statusCode).toBe(400);
  });

  it("answers 504 when the RPC is slower than the timeout, and 502 when it is down or not CometBFT", async () => {
    const slow = await fakeRpc((_req, res) => {
      setTimeout(() => res.end(jsonRpc({})), 2000).unref();
    });
    const html = await fakeRpc((_req, res) => res.end("<html>not an RPC</html>"));
    const directory = await directoryWith({ assetsDir: fakeAssets(), rpcTimeoutMs: 200 });
    const slowKey = await registerValidator(directory, slow.url);
    const htmlKey = await registerValidator(directory, html.url);
    const downKey = await registerValidator(directory, "http://127.0.0.1:1");
    const started = Date.now();
    const timedOut = await directory.app.inject({ url: `/explorer/rpc/${slowKey}/status` });
    expect(timedOut.statusCode).toBe(504);
    expect(timedOut.json().code).toBe("DIRECTORY_ERROR_RPC_TIMEOUT");
    expect(Date.now() - started).toBeLessThan(1500);
    const notRpc = await directory.app.inject({ url: `/explorer/rpc/${htmlKey}/status` });
    expect(notRpc.statusCode).toBe(502);
    expect(notRpc.json().code).toBe("DIRECTORY_ERROR_RPC_FAILED");
    expect((await directory.app.inject({ url: `/explorer/rpc/${downKey}/status` })).statusCode).toBe(502);
  });

  it("reads the configured RPC URL as target `configured`, and says so in /explorer/settings", async () => {
    const rpc = await fakeRpc((_req, res) => res.end(jsonRpc({ configured: true })));
    const directory = await directoryWith({ assetsDir: fakeAssets(), chainRpcUrl: rpc.url, rpcTimeoutMs: 1500 });
    const settings = await directory.app.inject({ url: "/explorer/settings" });
    expect(settings.json()).toEqual({ chainRpcConfigured: true, rpcTimeoutMs: 1500 });
    const status = await directory.app.inject({ url: "/explorer/rpc/configured/status" });
    expect(status.statusCode).toBe(200);
    expect(status.json().result).toEqual({ configured: true });
  });
});

import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { FetchFailure, fetchJson, mapLimited } from "../../src/web/fetching.js";

const Body = z.object({ nodes: z.array(z.string()) });

describe("fetchJson against a real HTTP server", () => {
  let server: Server;
  let base: string;
  const routes: Record<string, (res: ServerResponse) => void> = {
    "/ok": (res) => res.setHeader("content-type", "application/json").end(JSON.stringify({ nodes: ["a"] })),
    "/slow": (res) => {
      setTimeout(() => res.end(JSON.stringify({ nodes: [] })), 1500).unref();
    },
    "/error": (res) => {
      res.statusCode = 503;
      res.end("unavailable");
    },
    "/wrong": (res) => res.end(JSON.stringify({ nodes: [1] })),
    "/text": (res) => res.end("<html>"),
  };

  beforeAll(async () => {
    server = createServer((req, res) => (routes[req.url ?? ""] ?? ((r) => r.writeHead(404).end()))(res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const failure = async (path: string, timeoutMs = 1000): Promise<FetchFailure> => {
    try {
      await fetchJson(`${base}${path}`, Body, { timeoutMs });
    } catch (error) {
      if (error instanceof FetchFailure) return error;
      throw error;
    }
    throw new Error("no failure");
  };

  it("returns the parsed body and the server's Date", async () => {
    const answer = await fetchJson(`${base}/ok`, Body, { timeoutMs: 1000 });
    expect(answer.data).toEqual({ nodes: ["a"] });
    expect(Math.abs((answer.serverDate as number) - Date.now())).toBeLessThan(2000);
  });

  it("fails with `timeout` when the answer is slower than the timeout, without waiting for it", async () => {
    const started = Date.now();
    const error = await failure("/slow", 200);
    expect(error.reason).toBe("timeout");
    expect(error.message).toBe("no answer within 200 ms");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("fails with `http`, `invalid` or `network` for an error status, a wrong shape, not JSON, or nobody listening", async () => {
    expect((await failure("/error")).reason).toBe("http");
    expect((await failure("/error")).status).toBe(503);
    expect((await failure("/wrong")).reason).toBe("invalid");
    expect((await failure("/wrong")).message).toContain("nodes.0");
    expect((await failure("/text")).reason).toBe("invalid");
    const refused = await fetchJson("http://127.0.0.1:1/", Body, { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect((refused as FetchFailure).reason).toBe("network");
  });
});

describe("mapLimited", () => {
  it("runs at most `limit` tasks at once, keeps the input order and turns failures into undefined", async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimited([1, 2, 3, 4, 5, 6], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 10 * (7 - n)));
      running--;
      if (n === 4) throw new Error("four");
      return n * 10;
    });
    expect(out).toEqual([10, 20, 30, undefined, 50, 60]);
    expect(most).toBe(2);
  });
});

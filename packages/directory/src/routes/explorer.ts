import fastifyStatic from "@fastify/static";
import { HttpError } from "@nym-ts/common";
import { Ed25519PublicKey, type ValidatorRegistration } from "@nym-ts/directory-client";
import { EXPLORER_BUILD_HINT, explorerAssetsBuilt, explorerAssetsDir } from "@nym-ts/explorer";
import type { FastifyReply } from "fastify";
import { z } from "zod";
import type { DirectoryRoutes, RouteContext } from "./context.js";

type ExplorerErrorCode =
  | "DIRECTORY_ERROR_NOT_FOUND"
  | "DIRECTORY_ERROR_BAD_RPC_CALL"
  | "DIRECTORY_ERROR_RPC_TIMEOUT"
  | "DIRECTORY_ERROR_RPC_FAILED";

/** A refused or failed explorer request; the HTTP app answers with its status and code. */
class ExplorerError extends HttpError<ExplorerErrorCode> {}

/** The CometBFT RPC methods the page reads, with the query parameters each may carry. */
const RPC_METHODS = {
  status: [],
  blockchain: ["minHeight", "maxHeight"],
  tx_search: ["query", "page", "per_page", "order_by"],
} as const satisfies Record<string, readonly string[]>;
type RpcMethod = keyof typeof RPC_METHODS;

/** Largest RPC answer forwarded (a tx_search page of 100 credential txs is far below). */
const MAX_RPC_BYTES = 4 * 1024 * 1024;

const Height = z.string().regex(/^[1-9][0-9]{0,18}$/, "expected a positive integer");
/** Only searches for one event attribute's presence within a height range: nothing costlier reaches the node. */
const EVENT_QUERY = /^[a-z_]{1,64}\.[a-z_]{1,64} EXISTS( AND tx\.height (>|>=|<|<=|=) [0-9]{1,19}){0,2}$/;

const RpcParams = z.strictObject({
  target: z
    .union([Ed25519PublicKey, z.literal("configured")])
    .describe("A registered validator's identity key, or `configured` for explorer.chainRpcUrl"),
  method: z.enum(Object.keys(RPC_METHODS) as [RpcMethod, ...RpcMethod[]]).describe("The CometBFT RPC method"),
});
const RpcQuery = z.strictObject({
  minHeight: Height.optional().describe("blockchain: lowest height"),
  maxHeight: Height.optional().describe("blockchain: highest height"),
  query: z.string().max(300).regex(EVENT_QUERY, "only `<event>.<key> EXISTS` with height bounds").optional(),
  page: z
    .string()
    .regex(/^[1-9][0-9]{0,4}$/)
    .optional()
    .describe("tx_search: page from 1"),
  per_page: z
    .string()
    .regex(/^([1-9]|[1-9][0-9]|100)$/)
    .optional()
    .describe("tx_search: 1..100"),
  order_by: z.enum(["asc", "desc"]).optional().describe("tx_search: order by height"),
});

/** What the page reads once: whether a configured RPC exists besides the registered validators. */
const Settings = z.object({ chainRpcConfigured: z.boolean(), rpcTimeoutMs: z.int() });

/** A CometBFT JSON-RPC answer: anything else (a non-CometBFT service behind a registered URL) is not forwarded. */
const RpcEnvelope = z.looseObject({ jsonrpc: z.literal("2.0") });

/**
 * The explorer page under `/explorer` (hidden from the OpenAPI document): the built assets of @nym-ts/explorer as
 * static files, `GET /explorer/settings`, and `GET /explorer/rpc/{target}/{method}`, which forwards the three
 * read-only CometBFT calls the page makes (status, blockchain, tx_search for credential events) to a registered
 * validator's RPC URL or the configured one, with a timeout, so the browser never needs CORS on a validator. When
 * the assets are not built the page's paths answer 503 with a plain-text explanation; the directory runs as usual.
 */
export const explorerRoutes: DirectoryRoutes<RouteContext> = async (app, { config, book, clock, log, limits }) => {
  const settings = config.explorer;
  if (!settings.enabled) return;
  const hide = { hide: true } as const;

  app.get("/settings", { config: limits.read, schema: { ...hide, response: { 200: Settings } } }, async () => ({
    chainRpcConfigured: settings.chainRpcUrl !== undefined,
    rpcTimeoutMs: settings.rpcTimeoutMs,
  }));

  app.get(
    "/rpc/:target/:method",
    { config: limits.read, schema: { ...hide, params: RpcParams, querystring: RpcQuery } },
    async (request, reply) => {
      const { target, method } = request.params;
      let base: string;
      if (target === "configured") {
        if (settings.chainRpcUrl === undefined) {
          throw new ExplorerError(404, "DIRECTORY_ERROR_NOT_FOUND", "no chain RPC URL is configured");
        }
        base = settings.chainRpcUrl;
      } else {
        const validator = book.get("validator", target, clock());
        if (validator === undefined) {
          throw new ExplorerError(404, "DIRECTORY_ERROR_NOT_FOUND", "target: no live validator with this identityKey");
        }
        base = (validator.node as ValidatorRegistration).rpcUrl;
      }
      const allowed: readonly string[] = RPC_METHODS[method];
      const url = new URL(method, base.endsWith("/") ? base : `${base}/`);
      for (const [key, value] of Object.entries(request.query)) {
        if (value === undefined) continue;
        if (!allowed.includes(key)) {
          throw new ExplorerError(400, "DIRECTORY_ERROR_BAD_RPC_CALL", `${key}: not a parameter of ${method}`);
        }
        // CometBFT's URI interface takes strings JSON-quoted and numbers bare.
        url.searchParams.set(key, key === "query" || key === "order_by" ? `"${value}"` : value);
      }
      if (method === "tx_search" && request.query.query === undefined) {
        throw new ExplorerError(400, "DIRECTORY_ERROR_BAD_RPC_CALL", "query: required by tx_search");
      }
      const body = await forward(url, settings.rpcTimeoutMs);
      return reply.code(200).type("application/json; charset=utf-8").header("cache-control", "no-store").send(body);
    },
  );

  const root = settings.assetsDir ?? explorerAssetsDir();
  if (explorerAssetsBuilt(root)) {
    // `/explorer` to `/explorer/`, relative so that it holds behind a proxy that mounts the directory under a prefix.
    app.get("", { schema: hide }, (request, reply) => {
      const search = request.url.includes("?") ? request.url.slice(request.url.indexOf("?")) : "";
      return reply.redirect(`explorer/${search}`, 301);
    });
    await app.register(fastifyStatic, {
      root,
      prefix: "/",
      decorateReply: false,
      index: ["index.html"],
      schemaHide: true,
      setHeaders(res, path) {
        if (/[\\/]assets[\\/]/.test(path)) {
          // Vite names assets by content hash.
          res.header("cache-control", "public, max-age=31536000, immutable");
        } else {
          res.header("cache-control", "no-cache");
          res.header(
            "content-security-policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
              "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
          );
        }
      },
    });
  } else {
    log.warn({ assetsDir: root }, "explorer assets not built: /explorer answers 503");
    const notBuilt = async (_request: unknown, reply: FastifyReply) =>
      reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .header("cache-control", "no-store")
        .send(
          `The explorer page is not built: no index.html in ${root}.\n` +
            `Run ${EXPLORER_BUILD_HINT} and restart the directory. The directory's API is unaffected.\n`,
        );
    app.get("/", { schema: hide }, notBuilt);
    app.get("/*", { schema: hide }, notBuilt);
  }
};

/** GETs a CometBFT RPC URL within `timeoutMs`, and returns its JSON-RPC answer's bytes (at most MAX_RPC_BYTES). */
async function forward(url: URL, timeoutMs: number): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
      headers: { accept: "application/json" },
    });
  } catch (cause) {
    const name = (cause as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError") {
      throw new ExplorerError(
        504,
        "DIRECTORY_ERROR_RPC_TIMEOUT",
        `the validator's RPC did not answer in ${timeoutMs} ms`,
      );
    }
    throw new ExplorerError(502, "DIRECTORY_ERROR_RPC_FAILED", "the validator's RPC is unreachable");
  }
  try {
    if (response.status !== 200) {
      throw new ExplorerError(502, "DIRECTORY_ERROR_RPC_FAILED", `the validator's RPC answered ${response.status}`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > MAX_RPC_BYTES) {
        throw new ExplorerError(502, "DIRECTORY_ERROR_RPC_FAILED", "the validator's RPC answer is too large");
      }
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      parsed = undefined;
    }
    if (!RpcEnvelope.safeParse(parsed).success) {
      throw new ExplorerError(502, "DIRECTORY_ERROR_RPC_FAILED", "the validator's RPC answer is not CometBFT JSON-RPC");
    }
    return body;
  } catch (error) {
    if (error instanceof ExplorerError) {
      await response.body?.cancel().catch(() => {});
      throw error;
    }
    const name = (error as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError") {
      throw new ExplorerError(
        504,
        "DIRECTORY_ERROR_RPC_TIMEOUT",
        `the validator's RPC did not answer in ${timeoutMs} ms`,
      );
    }
    throw new ExplorerError(502, "DIRECTORY_ERROR_RPC_FAILED", "the validator's RPC answer broke off");
  }
}

import { HttpErrorBody } from "@nym-ts/common";
import { Topology, TopologyNotModified, TopologyRequestHeaders } from "@nym-ts/directory-client";
import type { FastifyReply } from "fastify";
import type { DirectoryRoutes, RouteContext } from "./context.js";

/**
 * GET `/topology` (under `/api/v1`): the live network as clients route over it, served from the presence book's
 * cached snapshot (plain or gzipped) with a strong ETag, and 304 for a current If-None-Match.
 */
export const topologyRoutes: DirectoryRoutes<RouteContext> = async (app, { book, clock, limits }) => {
  app.get(
    "/topology",
    {
      config: limits.read,
      schema: {
        operationId: "getTopology",
        tags: ["topology"],
        summary: "The live network as a client routes over it; send If-None-Match to get 304 when unchanged",
        headers: TopologyRequestHeaders,
        response: { 200: Topology, 304: TopologyNotModified, 400: HttpErrorBody, 429: HttpErrorBody },
      },
    },
    (request, typedReply): void => {
      // The typed reply only knows the schema's statuses and body type; this route also sends 304 and a
      // pre-serialized body.
      const reply = typedReply as unknown as FastifyReply;
      const snapshot = book.topology(clock());
      const gzip = acceptsGzip(request.headers["accept-encoding"]);
      const etag = gzip ? snapshot.gzipEtag : snapshot.etag;
      reply.header("etag", etag).header("cache-control", "no-cache").header("vary", "accept-encoding");
      const ifNoneMatch = request.headers["if-none-match"];
      if (matchesEtag(ifNoneMatch, snapshot.etag) || matchesEtag(ifNoneMatch, snapshot.gzipEtag)) {
        reply.code(304).send();
        return;
      }
      // The cached body is already the JSON of a schema-checked Topology, as bytes (and gzipped once): re-serializing
      // or re-encoding it per request would cost most of the route's time.
      reply.type("application/json; charset=utf-8");
      if (gzip) reply.header("content-encoding", "gzip");
      reply.send(gzip ? snapshot.gzipBody : snapshot.body);
    },
  );
};

/** Whether Accept-Encoding lists gzip without q=0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "x-gzip") return false;
    return !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

/** RFC 9110 If-None-Match: `*`, or a comma-separated list of (possibly weak) entity tags. */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

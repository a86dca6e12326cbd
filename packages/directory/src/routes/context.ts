import type { Server } from "node:http";
import type { Logger } from "@nym-ts/common";
import type { FastifyPluginAsync, FastifyPluginOptions } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Counter } from "prom-client";
import type { DirectoryConfig } from "../config.js";
import type { PayloadKeyCheck } from "../key-checks.js";
import type { PresenceBook } from "../presence-book.js";
import type { AuthenticateWrite } from "../signed-writes.js";
import type { DirectoryStore } from "../store.js";

/** A route plugin of the directory, registered on the app `createHttpApp` built (zod type provider, pino logger). */
export type DirectoryRoutes<Options extends FastifyPluginOptions> = FastifyPluginAsync<
  Options,
  Server,
  ZodTypeProvider,
  Logger
>;

/** @fastify/rate-limit's per-route settings, as a route's `config`. */
export interface RouteLimit {
  rateLimit?: { max: number; timeWindow: number };
}

/** What every resource's routes share: built once by the app builder, handed to each plugin as its options. */
export interface RouteContext {
  config: DirectoryConfig;
  log: Logger;
  /** Unix ms; the directory's clock (tests move it). */
  clock: () => number;
  book: PresenceBook;
  store: DirectoryStore;
  authenticate: AuthenticateWrite;
  /** The public keys inside a registration (Sphinx keys, a service provider's mixnet keys); 400 for a bad one. */
  checkKeys: PayloadKeyCheck;
  /** Signed writes accepted, by action (`register:mixnode`, ...). */
  accepted: Counter<"action">;
  /** Per-address limits of reads and of signed writes. */
  limits: { read: RouteLimit; write: RouteLimit };
}

/**
 * What a signed write says in the OpenAPI document. The credential is not an HTTP one (no header, no OpenAPI security
 * scheme can describe it): the body carries an Ed25519 signature by the node's identity key, so the operation
 * declares no security requirement and describes the signature instead.
 */
export function signedWriteDescription(purpose: string, signedPayload: string): string {
  return (
    `Signed write: \`signature\` is Ed25519 by the identity key over utf8("nym-directory/v1\\n${purpose}\\n" + ` +
    `decimal(timestamp) + "\\n" + canonicalJson(${signedPayload})) (RFC 8785 JSON, docs/directory.md, ` +
    "signingBytes in @nym-ts/directory-client). The timestamp must be within the directory's window and newer than " +
    "the last one accepted from the key. There is no HTTP credential."
  );
}

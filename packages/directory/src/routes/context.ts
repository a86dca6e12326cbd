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

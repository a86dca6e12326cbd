import type { Server } from "node:http";
import type { Logger } from "@nym-ts/common";
import type { FastifyPluginAsync, FastifyPluginOptions } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { IssuerIdentity } from "../follower.js";
import type { IssuerStore } from "../store.js";

/** A route plugin of the issuer, registered on the app `createHttpApp` built (zod type provider, pino logger). */
export type IssuerRoutes<Options extends FastifyPluginOptions> = FastifyPluginAsync<
  Options,
  Server,
  ZodTypeProvider,
  Logger
>;

/** What the issuer's routes share. */
export interface RouteContext {
  identity: IssuerIdentity;
  store: IssuerStore;
}

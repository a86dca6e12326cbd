import type { Server } from "node:http";
import type { Logger } from "@nym-ts/common";
import type { ServiceProviderInfo } from "@nym-ts/credentials";
import type { FastifyPluginAsync, FastifyPluginOptions } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { SpendMetrics } from "../metrics.js";
import type { SpendHandler } from "../spend-handler.js";

/** A route plugin of the SP, registered on the app `createHttpApp` built (zod type provider, pino logger). */
export type ServiceProviderRoutes<Options extends FastifyPluginOptions> = FastifyPluginAsync<
  Options,
  Server,
  ZodTypeProvider,
  Logger
>;

/** What the SP's routes share. */
export interface RouteContext {
  spends: Pick<SpendHandler, "handle">;
  metrics: SpendMetrics;
  info: () => ServiceProviderInfo;
}

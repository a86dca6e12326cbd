import { ServiceProviderInfo } from "@nym-ts/credentials";
import type { RouteContext, ServiceProviderRoutes } from "./context.js";

/** GET `/v1/info`: the SP's chain address (what proofs are bound to), its mixnet address when it has one, version. */
export const infoRoutes: ServiceProviderRoutes<RouteContext> = async (app, { info }) => {
  app.get(
    "/v1/info",
    {
      schema: {
        operationId: "getServiceProviderInfo",
        tags: ["spend"],
        summary: "Who this service provider is: the address spends must be bound to, and how to reach it",
        response: { 200: ServiceProviderInfo },
      },
    },
    async () => info(),
  );
};

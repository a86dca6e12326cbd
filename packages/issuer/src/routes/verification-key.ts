import { IssuerVerificationKey } from "@nym-ts/credentials";
import type { IssuerRoutes, RouteContext } from "./context.js";

/** GET `/v1/verification-key`: this issuer's index, chain account and verification key share (as in genesis). */
export const verificationKeyRoutes: IssuerRoutes<RouteContext> = async (app, { identity }) => {
  app.get(
    "/v1/verification-key",
    {
      schema: {
        operationId: "getVerificationKey",
        tags: ["credentials"],
        summary: "This issuer's share index, chain account and Coconut verification key share",
        response: { 200: IssuerVerificationKey },
      },
    },
    async () => ({
      index: identity.index,
      address: identity.address as IssuerVerificationKey["address"],
      verificationKey: identity.verificationKey,
    }),
  );
};

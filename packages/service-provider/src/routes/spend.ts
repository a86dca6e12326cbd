import { HttpError, HttpErrorBody } from "@nym-ts/common";
import { SpendAnswer, SpendRequest } from "@nym-ts/credentials";
import type { RouteContext, ServiceProviderRoutes } from "./context.js";

/**
 * POST `/v1/spend`: a credential spend (Θ bound to this SP, and its value). Answers once the chain decided (or the
 * SP gave up waiting): 200 with a `SpendAnswer` (accepted only when spent); 400 for a body that is not a spend or a
 * proof that does not decode; 503 while the SP cannot reach the chain (nothing recorded, the spend may be retried).
 */
export const spendRoutes: ServiceProviderRoutes<RouteContext> = async (app, { spends, metrics }) => {
  app.post(
    "/v1/spend",
    {
      attachValidation: true,
      schema: {
        operationId: "spendCredential",
        tags: ["spend"],
        summary: "Spend a credential: verified here, deposited on chain, answered once the verifiers decide",
        body: SpendRequest,
        response: { 200: SpendAnswer, 400: HttpErrorBody, 413: HttpErrorBody, 503: HttpErrorBody },
      },
    },
    async (request) => {
      if (request.validationError) {
        // Counted like a malformed mixnet message; the error handler answers the usual HTTP_ERROR_VALIDATION 400.
        metrics.spends.inc({ outcome: "malformed", transport: "http" });
        throw request.validationError;
      }
      const result = await spends.handle(request.body, "http");
      if (result.kind === "malformed") throw new HttpError(400, result.code, result.message);
      if (result.kind === "unavailable") throw new HttpError(503, result.code, result.message);
      return result.answer;
    },
  );
};

import { HttpError, HttpErrorBody } from "@nym-ts/common";
import { IssuerRejection, PartialCredential, RequestId } from "@nym-ts/credentials";
import { z } from "zod";
import type { IssuerRoutes, RouteContext } from "./context.js";

const Params = z.strictObject({ requestId: RequestId });

/**
 * GET `/v1/partial-credentials/{requestId}`: this issuer's blinded signature on a credential request (anyone may
 * fetch it; only the requester can unblind it). 404 while the issuer has not decided the request (not committed
 * yet, not seen yet, or no credential request at all: poll again), 422 with the reason once it refused it for good.
 */
export const partialCredentialRoutes: IssuerRoutes<RouteContext> = async (app, { identity, store }) => {
  app.get(
    "/v1/partial-credentials/:requestId",
    {
      schema: {
        operationId: "getPartialCredential",
        tags: ["credentials"],
        summary: "This issuer's partial (blinded) credential for a credential request",
        description:
          "The request id is the hash of the credential_request tx (64 upper-case hex digits). 404 while the " +
          "issuer has not decided the request; 422 when it refused to sign it, with the reason.",
        params: Params,
        response: { 200: PartialCredential, 400: HttpErrorBody, 404: HttpErrorBody, 422: IssuerRejection },
      },
    },
    async (request, reply) => {
      const { requestId } = request.params;
      const stored = store.get(requestId);
      if (!stored) {
        reply.header("cache-control", "no-store");
        throw new HttpError(
          404,
          "ISSUER_ERROR_UNKNOWN_REQUEST",
          "no partial credential for this request yet: not committed, not seen yet, or not a credential request",
        );
      }
      if (stored.status === "rejected") {
        return reply.code(422).send({
          statusCode: 422,
          error: "Unprocessable Entity",
          code: "ISSUER_ERROR_REQUEST_REJECTED",
          message: `the issuer refused this credential request (${stored.reason}): ${stored.detail}`,
          requestId: request.id,
          reason: stored.reason,
        });
      }
      // A decided partial never changes.
      reply.header("cache-control", "public, max-age=31536000, immutable");
      return reply.code(200).send({
        requestId,
        index: identity.index,
        blindedSignature: stored.blindedSignature,
        height: stored.height,
      });
    },
  );
};

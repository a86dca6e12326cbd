import type { Server } from "node:http";
import { HttpError, HttpErrorBody, type Logger } from "@nym-ts/common";
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { type DepositVote, VotesAnswer, ZetaParams } from "../api.js";
import type { DepositRecord, VerifierStore } from "../store.js";

export interface VotesRouteContext {
  store: VerifierStore;
  address: string;
}

/** GET /v1/votes/{zeta}: what this verifier voted on each deposit of a zeta (404 when it has seen none). */
export const votesRoutes: FastifyPluginAsync<VotesRouteContext, Server, ZodTypeProvider, Logger> = async (
  app,
  { store, address },
) => {
  app.get(
    "/v1/votes/:zeta",
    {
      schema: {
        operationId: "getVotes",
        tags: ["votes"],
        summary: "What this verifier voted on the deposits of a zeta",
        params: ZetaParams,
        response: { 200: VotesAnswer, 400: HttpErrorBody, 404: HttpErrorBody },
      },
    },
    async (request) => {
      const zeta = request.params.zeta.toLowerCase();
      const deposits = store.byZeta(zeta);
      if (deposits.length === 0) {
        throw new HttpError(404, "VERIFIER_ERROR_NOT_FOUND", "this verifier has seen no deposit of this zeta");
      }
      return { zeta, verifier: address, deposits: deposits.map(toVote) };
    },
  );
};

function toVote(d: DepositRecord): DepositVote {
  return {
    depositTx: d.depositTx,
    height: d.height,
    sp: d.sp,
    value: d.value,
    status: d.status,
    ...(d.valid !== undefined ? { valid: d.valid } : {}),
    ...(d.reason !== undefined ? { reason: d.reason } : {}),
    ...(d.voteTx !== undefined ? { voteTx: d.voteTx } : {}),
    ...(d.votedAt !== undefined ? { votedAt: d.votedAt } : {}),
    ...(d.skipReason !== undefined ? { skipReason: d.skipReason } : {}),
  };
}

import { HttpErrorBody } from "@nym-ts/common";
import {
  DeregistrationBody,
  DeregistrationResult,
  IdentityKeyParams,
  NODE_KINDS,
  type NodeKind,
  presence,
  presenceList,
  RegistrationResult,
  signed,
} from "@nym-ts/directory-client";
import { DirectoryError } from "../errors.js";
import { type DirectoryRoutes, type RouteContext, signedWriteDescription } from "./context.js";

export interface PresenceRoutesOptions extends RouteContext {
  kind: NodeKind;
}

/** What every signed write may answer besides success: bad input, a bad signature, too large, wrong type, too often. */
const writeErrors = {
  400: HttpErrorBody,
  401: HttpErrorBody,
  413: HttpErrorBody,
  415: HttpErrorBody,
  429: HttpErrorBody,
};

/**
 * The presence of one kind of node, registered under `/api/v1/presence/{path}` (`mixnodes`, `gateways`, ...):
 * signed register-or-renew and deregister, and the live registrations, all or one.
 */
export const presenceRoutes: DirectoryRoutes<PresenceRoutesOptions> = async (app, options) => {
  const { kind, book, clock, authenticate, checkKeys, accepted, log, limits } = options;
  const { schema, title } = NODE_KINDS[kind];
  const ttlSeconds = options.config.presence.ttlSeconds;
  const ttlMs = ttlSeconds * 1000;
  const tags = ["presence"];

  app.post(
    "",
    {
      config: limits.write,
      schema: {
        operationId: `register${title}`,
        tags,
        summary: `Register or renew a ${kind} (signed by its identity key)`,
        description: signedWriteDescription(`register:${kind}`, "payload"),
        body: signed(schema),
        response: { 200: RegistrationResult, ...writeErrors },
      },
    },
    async (request) => {
      const { payload, timestamp, signature } = request.body;
      checkKeys(kind, payload);
      await authenticate(request, payload.identityKey, `register:${kind}`, timestamp, payload, signature);
      const { created, expiresAt } = book.upsert(kind, payload, clock(), ttlMs);
      accepted.inc({ action: `register:${kind}` });
      if (created) log.info({ kind, identityKey: payload.identityKey }, "node registered");
      return { kind, identityKey: payload.identityKey, created, expiresAt, ttlSeconds };
    },
  );

  app.delete(
    "/:identityKey",
    {
      config: limits.write,
      schema: {
        operationId: `deregister${title}`,
        tags,
        summary: `Remove a ${kind} before its registration expires (signed by its identity key)`,
        description: signedWriteDescription(`deregister:${kind}`, "{ identityKey }"),
        params: IdentityKeyParams,
        body: DeregistrationBody,
        response: { 200: DeregistrationResult, 404: HttpErrorBody, ...writeErrors },
      },
    },
    async (request) => {
      const { identityKey } = request.params;
      const { timestamp, signature } = request.body;
      await authenticate(request, identityKey, `deregister:${kind}`, timestamp, { identityKey }, signature);
      if (!book.remove(kind, identityKey, clock())) {
        throw new DirectoryError(404, "DIRECTORY_ERROR_NOT_FOUND", `no live ${kind} with this identityKey`);
      }
      accepted.inc({ action: `deregister:${kind}` });
      log.info({ kind, identityKey }, "node deregistered");
      return { kind, identityKey, removed: true as const };
    },
  );

  app.get(
    "",
    {
      config: limits.read,
      schema: {
        operationId: `list${title}s`,
        tags,
        summary: `Live ${kind} registrations with their times`,
        response: { 200: presenceList(schema), 429: HttpErrorBody },
      },
    },
    async () => ({
      nodes: book.list(kind, clock()).map(({ node, registeredAt, lastSeen, expiresAt }) => ({
        node,
        registeredAt,
        lastSeen,
        expiresAt,
      })),
    }),
  );

  app.get(
    "/:identityKey",
    {
      config: limits.read,
      schema: {
        operationId: `get${title}`,
        tags,
        summary: `One live ${kind} registration`,
        params: IdentityKeyParams,
        response: { 200: presence(schema), 400: HttpErrorBody, 404: HttpErrorBody, 429: HttpErrorBody },
      },
    },
    async (request) => {
      const entry = book.get(kind, request.params.identityKey, clock());
      if (entry === undefined) {
        throw new DirectoryError(404, "DIRECTORY_ERROR_NOT_FOUND", `no live ${kind} with this identityKey`);
      }
      const { node, registeredAt, lastSeen, expiresAt } = entry;
      return { node, registeredAt, lastSeen, expiresAt };
    },
  );
};

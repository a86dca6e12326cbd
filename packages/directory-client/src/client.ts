import { NymError } from "@nym-ts/common";
import { z } from "zod";
import {
  DeregistrationResult,
  MetricsAccepted,
  MetricsTotals,
  MixnodeMetricsOverview,
  type MixnodeMetricsReport,
  NODE_KINDS,
  type NodeKind,
  NodeMetricsHistory,
  type Presence,
  presence,
  presenceList,
  type RegistrationByKind,
  RegistrationResult,
  Topology,
} from "./schemas.js";
import { type Ed25519Signer, signingBytes, signPayload } from "./signing.js";

export type DirectoryClientErrorCode =
  | "DIRECTORY_CLIENT_ERROR_HTTP"
  | "DIRECTORY_CLIENT_ERROR_NETWORK"
  | "DIRECTORY_CLIENT_ERROR_RESPONSE";

/** A failed directory call: `details.status` and `details.code` carry the server's answer when there was one. */
export class DirectoryClientError extends NymError<
  DirectoryClientErrorCode,
  { status?: number; code?: string; requestId?: string }
> {}

export interface DirectoryClientOptions {
  /** E.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: typeof globalThis.fetch;
  /** Injected for tests; Date.now otherwise. */
  now?: () => number;
}

export type TopologyResult = { modified: true; topology: Topology; etag: string } | { modified: false; etag: string };

export interface DirectoryClient {
  /** Registers or renews `payload` (signed by `signer`, whose public key must be `payload.identityKey`). */
  register<K extends NodeKind>(
    kind: K,
    payload: RegistrationByKind[K],
    signer: Ed25519Signer,
  ): Promise<RegistrationResult>;
  deregister(kind: NodeKind, signer: Ed25519Signer): Promise<DeregistrationResult>;
  /** Pass the last ETag to poll cheaply: the answer is `{ modified: false }` when nothing changed. */
  getTopology(etag?: string): Promise<TopologyResult>;
  listPresence<K extends NodeKind>(kind: K): Promise<Presence<RegistrationByKind[K]>[]>;
  /** Undefined when the node is not registered (or has expired). */
  getPresence<K extends NodeKind>(kind: K, identityKey: string): Promise<Presence<RegistrationByKind[K]> | undefined>;
  reportMixnodeMetrics(report: MixnodeMetricsReport, signer: Ed25519Signer): Promise<MetricsAccepted>;
  getMixnodeMetrics(): Promise<MixnodeMetricsOverview>;
  getNodeMetrics(identityKey: string): Promise<NodeMetricsHistory>;
  getMetricsTotals(): Promise<MetricsTotals>;
  health(): Promise<{ status: string }>;
}

/**
 * Last timestamp signed per key, shared by every client in the process: the server refuses a timestamp not newer than
 * the last it accepted from a key, and a node may well hold two clients (one renewing, one reporting metrics).
 */
const lastTimestamp = new Map<string, number>();

const PresenceList = presenceList(z.unknown());

/**
 * The typed client of the directory, on the same zod schemas the server validates with. Every response is parsed,
 * so a caller never sees a shape the schema does not promise. Timestamps it signs are strictly increasing per key
 * (the server rejects a timestamp not newer than the last one it accepted from that key).
 */
export function createDirectoryClient(options: DirectoryClientOptions): DirectoryClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const nextTimestamp = (key: string): number => {
    const t = Math.max(now(), (lastTimestamp.get(key) ?? 0) + 1);
    lastTimestamp.set(key, t);
    return t;
  };

  async function call<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    init: { body?: unknown; headers?: Record<string, string>; okStatuses?: number[] } = {},
  ): Promise<{ status: number; value: T | undefined; headers: Headers }> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          accept: "application/json",
          ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
          ...init.headers,
        },
        body: init.body !== undefined ? JSON.stringify(init.body) : null,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new DirectoryClientError("DIRECTORY_CLIENT_ERROR_NETWORK", `${method} ${path} failed`, {}, { cause });
    }
    const ok = init.okStatuses ?? [200, 201];
    if (response.status === 304) return { status: 304, value: undefined, headers: response.headers };
    const text = await response.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch (cause) {
      throw new DirectoryClientError(
        "DIRECTORY_CLIENT_ERROR_RESPONSE",
        `${method} ${path}: response is not JSON (status ${response.status})`,
        { status: response.status },
        { cause },
      );
    }
    if (!ok.includes(response.status)) {
      const body = (json ?? {}) as { code?: unknown; message?: unknown; requestId?: unknown };
      throw new DirectoryClientError(
        "DIRECTORY_CLIENT_ERROR_HTTP",
        `${method} ${path}: ${response.status} ${typeof body.message === "string" ? body.message : ""}`.trim(),
        {
          status: response.status,
          ...(typeof body.code === "string" ? { code: body.code } : {}),
          ...(typeof body.requestId === "string" ? { requestId: body.requestId } : {}),
        },
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new DirectoryClientError(
        "DIRECTORY_CLIENT_ERROR_RESPONSE",
        `${method} ${path}: response does not match its schema: ${parsed.error.issues[0]?.message ?? ""}`,
        { status: response.status },
        { cause: parsed.error },
      );
    }
    return { status: response.status, value: parsed.data, headers: response.headers };
  }

  const value = <T>(result: { value: T | undefined }): T => result.value as T;

  return {
    async register(kind, payload, signer) {
      if (payload.identityKey !== signer.publicKey) {
        throw new TypeError("payload.identityKey: must be the signer's public key");
      }
      const body = await signPayload(`register:${kind}`, payload, signer, nextTimestamp(signer.publicKey));
      return value(await call("POST", `/api/v1/presence/${NODE_KINDS[kind].path}`, RegistrationResult, { body }));
    },

    async deregister(kind, signer) {
      const identityKey = signer.publicKey;
      const timestamp = nextTimestamp(identityKey);
      const signature = await signer.sign(signingBytes(`deregister:${kind}`, timestamp, { identityKey }));
      const body = { timestamp, signature: Buffer.from(signature).toString("hex") };
      return value(
        await call("DELETE", `/api/v1/presence/${NODE_KINDS[kind].path}/${identityKey}`, DeregistrationResult, {
          body,
        }),
      );
    },

    async getTopology(etag) {
      const result = await call("GET", "/api/v1/topology", Topology, {
        ...(etag !== undefined ? { headers: { "if-none-match": etag } } : {}),
        okStatuses: [200],
      });
      const served = result.headers.get("etag") ?? "";
      if (result.status === 304) return { modified: false, etag: served || (etag ?? "") };
      return { modified: true, topology: value(result), etag: served };
    },

    async listPresence(kind) {
      const result = value(await call("GET", `/api/v1/presence/${NODE_KINDS[kind].path}`, PresenceList));
      const schema = presence(NODE_KINDS[kind].schema);
      // biome-ignore lint/suspicious/noExplicitAny: the kind's schema is picked at run time; its parse is the check
      return result.nodes.map((entry) => schema.parse(entry) as any);
    },

    async getPresence(kind, identityKey) {
      const schema = presence(NODE_KINDS[kind].schema);
      try {
        const result = await call("GET", `/api/v1/presence/${NODE_KINDS[kind].path}/${identityKey}`, schema);
        // biome-ignore lint/suspicious/noExplicitAny: as above
        return result.value as any;
      } catch (error) {
        if (error instanceof DirectoryClientError && error.details?.status === 404) return undefined;
        throw error;
      }
    },

    async reportMixnodeMetrics(report, signer) {
      if (report.identityKey !== signer.publicKey) {
        throw new TypeError("report.identityKey: must be the signer's public key");
      }
      const body = await signPayload("metrics:mixnode", report, signer, nextTimestamp(signer.publicKey));
      return value(await call("POST", "/api/v1/metrics/mixnodes", MetricsAccepted, { body }));
    },

    async getMixnodeMetrics() {
      return value(await call("GET", "/api/v1/metrics/mixnodes", MixnodeMetricsOverview));
    },

    async getNodeMetrics(identityKey) {
      return value(await call("GET", `/api/v1/metrics/mixnodes/${identityKey}`, NodeMetricsHistory));
    },

    async getMetricsTotals() {
      return value(await call("GET", "/api/v1/metrics/totals", MetricsTotals));
    },

    async health() {
      return value(await call("GET", "/health", z.object({ status: z.string() }).loose(), { okStatuses: [200, 503] }));
    },
  };
}

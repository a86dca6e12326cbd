import type { z } from "zod";
import {
  IssuerVerificationKey,
  PartialCredential,
  ServiceProviderInfo,
  SpendAnswer,
  type SpendRequest,
} from "./api.js";
import { CredentialError } from "./errors.js";

export interface HttpOptions {
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

async function call<S extends z.ZodType>(
  url: string,
  schema: S,
  init: RequestInit & { timeoutMs?: number },
): Promise<z.output<S> | undefined> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
  } catch (error) {
    throw new CredentialError("CREDENTIAL_ERROR_HTTP", `${url}: ${(error as Error).message}`, { cause: error });
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (error) {
    throw new CredentialError("CREDENTIAL_ERROR_HTTP", `${url}: HTTP ${res.status}, not JSON`, { cause: error });
  }
  if (!res.ok) {
    const { message, code, reason } = (body ?? {}) as { message?: unknown; code?: unknown; reason?: unknown };
    throw new CredentialError("CREDENTIAL_ERROR_HTTP", `${url}: HTTP ${res.status}: ${String(message ?? "")}`, {
      // code and reason name a typed refusal, e.g. an issuer's 422 ISSUER_ERROR_REQUEST_REJECTED with its reason.
      details: {
        status: res.status,
        ...(typeof code === "string" ? { code } : {}),
        ...(typeof reason === "string" ? { reason } : {}),
      },
    });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new CredentialError("CREDENTIAL_ERROR_HTTP", `${url}: answer does not match the API schema`);
  }
  return parsed.data;
}

/** A typed client of one issuer's HTTP API. */
export class IssuerClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number | undefined;

  constructor(baseUrl: string, options: HttpOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
    this.#timeoutMs = options.timeoutMs;
  }

  async verificationKey(): Promise<IssuerVerificationKey> {
    const vk = await call(`${this.baseUrl}/v1/verification-key`, IssuerVerificationKey, {
      timeoutMs: this.#timeoutMs,
    });
    if (!vk) throw new CredentialError("CREDENTIAL_ERROR_NOT_FOUND", `${this.baseUrl} has no verification key`);
    return vk;
  }

  /** The issuer's partial credential for a request, or undefined while it has not signed it (404). */
  partialCredential(requestId: string): Promise<PartialCredential | undefined> {
    return call(`${this.baseUrl}/v1/partial-credentials/${encodeURIComponent(requestId)}`, PartialCredential, {
      timeoutMs: this.#timeoutMs,
    });
  }
}

/** A typed client of a service provider's HTTP API. */
export class ServiceProviderClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number | undefined;

  constructor(baseUrl: string, options: HttpOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
    this.#timeoutMs = options.timeoutMs;
  }

  async info(): Promise<ServiceProviderInfo> {
    const info = await call(`${this.baseUrl}/v1/info`, ServiceProviderInfo, { timeoutMs: this.#timeoutMs });
    if (!info) throw new CredentialError("CREDENTIAL_ERROR_NOT_FOUND", `${this.baseUrl} has no /v1/info`);
    return info;
  }

  /** Spends a credential; resolves with the SP's answer once the chain has decided (or the SP gave up waiting). */
  async spend(request: SpendRequest): Promise<SpendAnswer> {
    const answer = await call(`${this.baseUrl}/v1/spend`, SpendAnswer, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
      timeoutMs: this.#timeoutMs ?? 120_000,
    });
    if (!answer) throw new CredentialError("CREDENTIAL_ERROR_NOT_FOUND", `${this.baseUrl} has no /v1/spend`);
    return answer;
  }
}

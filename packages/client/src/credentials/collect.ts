import { bytesToHex } from "@nym-ts/chain-client";
import { encodeSignature, type IndexedSignature } from "@nym-ts/coconut";
import { isNymError } from "@nym-ts/common";
import { aggregateCredential, decodeRequest, IssuerClient, unblindPartial } from "@nym-ts/credentials";
import { createDirectoryClient } from "@nym-ts/directory-client";
import type { CredentialContext, Report } from "./context.js";
import { ClientCredentialError } from "./errors.js";
import type { StoredCredential } from "./store.js";

/** An issuer to ask: its API URL, and what the directory says of it (absent for URLs from the config). */
export interface IssuerEndpoint {
  url: string;
  index?: number;
  address?: string;
}

/** Where one issuer stands in a collection. */
export type IssuerStatus = "pending" | "ok" | "down" | "refused" | "bad-partial";

/** An issuer in one of these is not asked again. */
const FINAL: ReadonlySet<IssuerStatus | undefined> = new Set(["ok", "refused", "bad-partial"]);

export interface CollectResult {
  id: string;
  value: bigint;
  /** The share indices whose partials were aggregated. */
  issuers: number[];
  /**
   * Issuers skipped: down, refusing the request (422 with a reason), or serving a partial that does not verify under
   * their genesis key share.
   */
  skipped: { url: string; index?: number; status: IssuerStatus; reason: string }[];
}

/** The issuers from the config's URLs, else those registered in the directory. */
export async function issuerEndpoints(ctx: CredentialContext): Promise<IssuerEndpoint[]> {
  const urls = ctx.config.credentials.issuers;
  if (urls.length > 0) return urls.map((url) => ({ url }));
  const directoryUrl = ctx.config.directoryUrl;
  if (directoryUrl === undefined) {
    throw new ClientCredentialError(
      "CLIENT_ERROR_CONFIG",
      "no issuers: set credentials.issuers or directoryUrl (nymclient credential init --issuers/--directory)",
      {},
    );
  }
  const nodes = await createDirectoryClient({ baseUrl: directoryUrl, timeoutMs: ctx.config.credentials.httpTimeoutMs })
    .listPresence("issuer")
    .catch((cause: unknown) => {
      throw new ClientCredentialError(
        "CLIENT_ERROR_COLLECT",
        `cannot list the issuers at ${directoryUrl}`,
        {},
        { cause },
      );
    });
  return nodes.map((p) => ({ url: p.node.apiUrl, index: p.node.issuerIndex, address: p.node.ethereumAddress }));
}

/** A requested credential to collect: the named one, else the oldest; a pending one is checked on chain first. */
async function pickRequested(ctx: CredentialContext, id: string | undefined): Promise<StoredCredential> {
  const candidates = id !== undefined ? [ctx.store.get(id)] : ctx.store.list().filter((c) => c.status !== "failed");
  for (const c of candidates) {
    if (!c) continue;
    if (c.status === "pending") {
      // Broadcast, then the process died or the answer was lost: the chain knows whether it landed.
      const onChain = await (await ctx.chain()).credentialRequest(c.id);
      if (onChain) ctx.store.transition(c.id, "pending", "requested", { height: onChain.height });
      else if (id !== undefined) {
        throw new ClientCredentialError("CLIENT_ERROR_NO_CREDENTIAL", `request ${c.id} is not on chain`, { id });
      } else continue;
      return ctx.store.get(c.id) as StoredCredential;
    }
    if (c.status === "requested") return c;
    if (id !== undefined) {
      throw new ClientCredentialError("CLIENT_ERROR_NO_CREDENTIAL", `credential ${c.id} is ${c.status}`, {
        id,
        status: c.status,
      });
    }
  }
  throw new ClientCredentialError(
    "CLIENT_ERROR_NO_CREDENTIAL",
    id !== undefined ? `no credential ${id}` : "no requested credential to collect: run nymclient credential request",
    {},
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `nymclient credential collect`: asks every issuer for its partial credential on the request until t of them
 * verify under their share of the genesis verification key (`unblindPartial`), then aggregates and checks the
 * credential and stores it. An issuer that is down is retried until the deadline; one serving a partial that does
 * not verify is skipped for good; both are named in the progress and in the result.
 */
export async function collectCredential(
  ctx: CredentialContext,
  options: { id?: string; issuers?: IssuerEndpoint[] } = {},
  report: Report = () => {},
): Promise<CollectResult> {
  const credential = await pickRequested(ctx, options.id);
  const [params, appState, keys, vk] = await Promise.all([
    ctx.params(),
    ctx.appState(),
    ctx.issuerKeys(),
    ctx.verificationKey(),
  ]);
  const byIndex = new Map(keys.map((k) => [k.index, k]));
  const threshold = appState.issuers.threshold;
  const endpoints = options.issuers ?? (await issuerEndpoints(ctx));
  const settings = ctx.config.credentials;
  const prepared = {
    request: decodeRequest(params, credential.blindSignRequest),
    openings: credential.openings,
    tx: {
      value: credential.value,
      blindSignRequest: credential.blindSignRequest,
      publicAttributes: credential.publicAttributes,
    },
  };
  const states = endpoints.map((endpoint) => ({
    endpoint,
    client: new IssuerClient(endpoint.url, { timeoutMs: settings.httpTimeoutMs }),
    status: undefined as IssuerStatus | undefined,
    reason: "",
    index: endpoint.index,
  }));
  const collected = new Map<number, IndexedSignature>();
  const set = (s: (typeof states)[number], status: IssuerStatus, reason: string) => {
    const changed = s.status !== status;
    s.status = status;
    s.reason = reason;
    if (changed) {
      report({ type: "issuer", url: s.endpoint.url, index: s.index ?? null, status, reason, id: credential.id });
    }
  };
  report({ type: "collect", stage: "start", id: credential.id, issuers: endpoints.length, threshold });

  async function ask(s: (typeof states)[number]): Promise<void> {
    let partial: Awaited<ReturnType<IssuerClient["partialCredential"]>>;
    try {
      partial = await s.client.partialCredential(credential.id);
    } catch (error) {
      const details = (error as { details?: { status?: number; reason?: string } }).details;
      if (details?.status === 422) set(s, "refused", `refused: ${details.reason ?? "no reason"}`);
      else set(s, "down", error instanceof Error ? error.message : String(error));
      return;
    }
    if (!partial) {
      set(s, "pending", "not signed yet");
      return;
    }
    s.index = partial.index;
    const key = byIndex.get(partial.index);
    if (partial.requestId !== credential.id) return set(s, "bad-partial", "the partial is for another request");
    if (!key) return set(s, "bad-partial", `index ${partial.index} is not an issuer in the chain's genesis`);
    if (s.endpoint.index !== undefined && s.endpoint.index !== partial.index) {
      return set(s, "bad-partial", `registered as index ${s.endpoint.index}, signed as ${partial.index}`);
    }
    if (collected.has(partial.index)) return set(s, "bad-partial", `index ${partial.index} already collected`);
    try {
      const signature = unblindPartial(params, prepared, partial.blindedSignature, key.verificationKey);
      collected.set(partial.index, { index: partial.index, signature });
      set(s, "ok", "verified");
    } catch (error) {
      if (!isNymError(error, "CREDENTIAL_ERROR_BAD_PARTIAL")) throw error;
      set(s, "bad-partial", `${error.message} (share ${partial.index})`);
    }
  }

  const deadline = Date.now() + settings.collectTimeoutMs;
  for (;;) {
    const open = states.filter((s) => !FINAL.has(s.status));
    await Promise.all(open.map(ask));
    if (collected.size >= threshold) break;
    const usable = states.filter((s) => s.status !== "bad-partial" && s.status !== "refused").length;
    if (usable < threshold || Date.now() > deadline) {
      const detail = states.map((s) => `${s.endpoint.url}: ${s.status ?? "not asked"} (${s.reason})`).join("; ");
      throw new ClientCredentialError(
        "CLIENT_ERROR_COLLECT",
        `${collected.size} of the ${threshold} partial credentials needed: ${detail}`,
        { id: credential.id, collected: collected.size, threshold },
      );
    }
    await sleep(settings.pollIntervalMs);
  }

  const partials = [...collected.values()].sort((a, b) => a.index - b.index);
  const signature = aggregateCredential(
    params,
    partials,
    vk,
    { serial: credential.serial, binding: credential.binding },
    credential.value,
  );
  const issuers = partials.map((p) => p.index);
  ctx.store.transition(credential.id, "requested", "issued", {
    signature: `0x${bytesToHex(encodeSignature(params, signature))}`,
    issuers,
  });
  const skipped = states
    .filter((s) => s.status === "down" || s.status === "refused" || s.status === "bad-partial")
    .map((s) => ({
      url: s.endpoint.url,
      ...(s.index !== undefined ? { index: s.index } : {}),
      status: s.status as IssuerStatus,
      reason: s.reason,
    }));
  return { id: credential.id, value: credential.value, issuers, skipped };
}

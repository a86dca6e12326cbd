import { randomBytes } from "node:crypto";
import { hexToBytes } from "@nym-ts/chain-client";
import { decodeSignature } from "@nym-ts/coconut";
import {
  MixnetSpendAnswer,
  type MixnetSpendMessage,
  proveSpend,
  ServiceProviderClient,
  type ServiceProviderInfo,
  type SpendAnswer,
  type SpendRequest,
} from "@nym-ts/credentials";
import { createDirectoryClient } from "@nym-ts/directory-client";
import { MixClient } from "@nym-ts/mixnet-node";
import { readClientKeys } from "../keys.js";
import type { CredentialContext, Report } from "./context.js";
import { ClientCredentialError } from "./errors.js";
import type { StoredCredential } from "./store.js";

export interface SpendOptions {
  /** The SP: its chain address (looked up in the directory) or its API URL. */
  provider: string;
  /** The credential to spend (a request id); default: the oldest issued one (of `value`, when given). */
  id?: string;
  value?: bigint;
  /** Send the proof over the mixnet to the SP's mixnet address, with SURBs for the answer, instead of HTTP. */
  viaMixnet?: boolean;
}

export interface SpendResult {
  id: string;
  value: bigint;
  sp: string;
  url: string;
  zeta: string;
  via: "http" | "mixnet";
  answer: SpendAnswer;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** An SP's API URL and, when named by address, the address its /v1/info must show. */
export async function resolveProvider(
  ctx: CredentialContext,
  provider: string,
): Promise<{ url: string; address?: string }> {
  if (ADDRESS.test(provider)) {
    const address = provider.toLowerCase();
    const directoryUrl = ctx.config.directoryUrl;
    if (directoryUrl === undefined) {
      throw new ClientCredentialError("CLIENT_ERROR_CONFIG", "an SP named by address needs directoryUrl", {});
    }
    const nodes = await createDirectoryClient({
      baseUrl: directoryUrl,
      timeoutMs: ctx.config.credentials.httpTimeoutMs,
    })
      .listPresence("service-provider")
      .catch((cause: unknown) => {
        throw new ClientCredentialError(
          "CLIENT_ERROR_PROVIDER",
          `cannot list the SPs at ${directoryUrl}`,
          {},
          { cause },
        );
      });
    const found = nodes.find((p) => p.node.ethereumAddress.toLowerCase() === address);
    if (!found) {
      throw new ClientCredentialError("CLIENT_ERROR_PROVIDER", `no SP with address ${address} in the directory`, {
        address,
      });
    }
    return { url: found.node.apiUrl, address };
  }
  let url: URL;
  try {
    url = new URL(provider);
  } catch {
    throw new ClientCredentialError("CLIENT_ERROR_USAGE", "--provider is an SP's chain address or API URL", {});
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ClientCredentialError("CLIENT_ERROR_USAGE", "--provider URL must be http(s)", {});
  }
  return { url: provider };
}

function pickIssued(ctx: CredentialContext, options: SpendOptions): StoredCredential {
  if (options.id !== undefined) {
    const c = ctx.store.get(options.id);
    if (!c) throw new ClientCredentialError("CLIENT_ERROR_NO_CREDENTIAL", `no credential ${options.id}`, {});
    if (c.status !== "issued") {
      throw new ClientCredentialError("CLIENT_ERROR_NO_CREDENTIAL", `credential ${c.id} is ${c.status}, not issued`, {
        id: c.id,
        status: c.status,
      });
    }
    return c;
  }
  const c = ctx.store.oldestIssued(options.value);
  if (!c) {
    throw new ClientCredentialError(
      "CLIENT_ERROR_NO_CREDENTIAL",
      "no issued credential to spend: run nymclient credential request and collect",
      {},
    );
  }
  return c;
}

/**
 * `nymclient credential spend`: reads the SP's address from its /v1/info, proves the credential bound to that
 * address, takes the credential out of the spendable set (atomically: a credential is handed out once, ever), sends
 * the proof over HTTP or the mixnet, and records the SP's answer. An SP that answers `timeout` (the chain has not
 * decided yet) or no answer at all leaves the credential `spending`; `credential list` settles it from the chain.
 */
export async function spendCredential(
  ctx: CredentialContext,
  options: SpendOptions,
  report: Report = () => {},
): Promise<SpendResult> {
  const settings = ctx.config.credentials;
  const target = await resolveProvider(ctx, options.provider);
  const sp = new ServiceProviderClient(target.url, { timeoutMs: settings.spendTimeoutMs });
  let info: ServiceProviderInfo;
  try {
    info = await new ServiceProviderClient(target.url, { timeoutMs: settings.httpTimeoutMs }).info();
  } catch (cause) {
    throw new ClientCredentialError(
      "CLIENT_ERROR_PROVIDER",
      `cannot read ${target.url}/v1/info: ${(cause as Error).message}`,
      {},
      { cause },
    );
  }
  if (target.address !== undefined && info.address !== target.address) {
    throw new ClientCredentialError(
      "CLIENT_ERROR_PROVIDER",
      `${target.url} says it is ${info.address}, not ${target.address}`,
      { url: target.url },
    );
  }
  const credential = pickIssued(ctx, options);
  if (credential.signature === undefined) {
    throw new ClientCredentialError("CLIENT_ERROR_STORE", `credential ${credential.id} has no signature`, {});
  }
  const [params, vk] = await Promise.all([ctx.params(), ctx.verificationKey()]);
  const signature = decodeSignature(params, hexToBytes(credential.signature, "signature"));
  const proof = proveSpend(
    params,
    vk,
    signature,
    { serial: credential.serial, binding: credential.binding },
    credential.value,
    info.address,
  );
  if (!ctx.store.reserveForSpend(credential.id, info.address, proof.zeta)) {
    throw new ClientCredentialError(
      "CLIENT_ERROR_NO_CREDENTIAL",
      `credential ${credential.id} was taken by another spend meanwhile`,
      { id: credential.id },
    );
  }
  const via = options.viaMixnet ? "mixnet" : "http";
  report({ type: "spend", stage: "sending", id: credential.id, sp: info.address, url: target.url, via });
  const request: SpendRequest = { theta: proof.theta, value: proof.value };
  let answer: SpendAnswer;
  try {
    answer = options.viaMixnet ? await spendOverMixnet(ctx, info, request) : await sp.spend(request);
  } catch (cause) {
    const status = (cause as { details?: { status?: unknown } }).details?.status;
    if (status === 503) {
      // The SP could not take spends now and recorded nothing (no key loaded yet, the chain refused its deposit):
      // the credential goes back to the spendable set.
      ctx.store.transition(credential.id, "spending", "issued", {
        reason: `the SP was unavailable: ${(cause as Error).message}`.slice(0, 500),
      });
    } else {
      // The SP may have the proof and deposit it: the credential stays `spending` until the chain says otherwise.
      ctx.store.transition(credential.id, "spending", "spending", {
        reason: `no answer: ${(cause as Error).message}`.slice(0, 500),
      });
    }
    throw new ClientCredentialError(
      (cause as { code?: string }).code === "CLIENT_ERROR_TIMEOUT" ? "CLIENT_ERROR_TIMEOUT" : "CLIENT_ERROR_PROVIDER",
      `no answer from the SP (${via}): ${(cause as Error).message}`,
      { id: credential.id, zeta: proof.zeta },
      { cause },
    );
  }
  recordAnswer(ctx, credential.id, answer);
  return {
    id: credential.id,
    value: credential.value,
    sp: info.address,
    url: target.url,
    zeta: proof.zeta,
    via,
    answer,
  };
}

function recordAnswer(ctx: CredentialContext, id: string, answer: SpendAnswer): void {
  const fields = {
    outcome: answer.outcome,
    reason: answer.reason,
    ...(answer.depositTx !== undefined ? { depositTx: answer.depositTx } : {}),
  };
  if (answer.accepted) ctx.store.transition(id, "spending", "spent", fields);
  else if (answer.outcome === "timeout") ctx.store.transition(id, "spending", "spending", fields);
  else ctx.store.transition(id, "spending", "rejected", fields);
}

/**
 * This directory's mixnet client (its keys, gateway and directory; push mode) for a step that goes over the mixnet;
 * `what` names that step in the error when the directory has no mixnet client.
 */
export function openMixClient(ctx: CredentialContext, what: string): MixClient {
  const { gateway, directoryUrl } = ctx.config;
  if (gateway === undefined || directoryUrl === undefined) {
    throw new ClientCredentialError(
      "CLIENT_ERROR_CONFIG",
      `${what} needs a mixnet client in this directory (nymclient init)`,
      {},
    );
  }
  return new MixClient(
    { ...readClientKeys(ctx.dir), gateway, directoryUrl, traffic: ctx.config.traffic, mailboxMode: "push" },
    { log: ctx.log },
  );
}

/** What `answer` resolves to, or a CLIENT_ERROR_TIMEOUT naming `what` once `timeoutMs` passes (the timer cleared). */
export async function answerWithin<T>(answer: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      answer,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ClientCredentialError("CLIENT_ERROR_TIMEOUT", `no ${what} in ${timeoutMs} ms`, {})),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** SURBs sent with a mixnet spend: the answer is one packet; one more in case the SP's reason is long. */
const REPLY_SURBS = 2;

async function spendOverMixnet(
  ctx: CredentialContext,
  info: ServiceProviderInfo,
  spend: SpendRequest,
): Promise<SpendAnswer> {
  if (info.mixnetAddress === undefined) {
    throw new ClientCredentialError("CLIENT_ERROR_PROVIDER", "the SP has no mixnet address", {});
  }
  const client = openMixClient(ctx, "--via-mixnet");
  const id = randomBytes(16).toString("hex");
  const message: MixnetSpendMessage = { type: "spend", id, spend };
  let messageId: string | undefined;
  let resolveAnswer: (answer: SpendAnswer) => void = () => {};
  const answered = new Promise<SpendAnswer>((resolve) => {
    resolveAnswer = resolve;
  });
  client.onReply((reply) => {
    if (messageId === undefined || reply.inReplyTo !== messageId) return;
    let parsed: ReturnType<typeof MixnetSpendAnswer.safeParse>;
    try {
      parsed = MixnetSpendAnswer.safeParse(JSON.parse(Buffer.from(reply.data).toString("utf8")));
    } catch {
      ctx.log.warn({ messageId }, "SP reply is not JSON");
      return;
    }
    if (parsed.success && parsed.data.id === id) resolveAnswer(parsed.data.answer);
    else ctx.log.warn({ messageId }, "SP reply is not a spend answer to this spend");
  });
  await client.start();
  try {
    await client.send(
      info.mixnetAddress,
      new TextEncoder().encode(JSON.stringify(message)),
      { replySurbs: REPLY_SURBS },
      (mid) => {
        messageId = mid;
      },
    );
    return await answerWithin(answered, ctx.config.credentials.spendTimeoutMs, "mixnet answer");
  } finally {
    await client.drain(2_000);
    await client.stop();
  }
}

/**
 * Settles `spending` credentials from the chain: spent there -> `spent`, released -> `rejected`; anything else stays.
 * Returns how many changed.
 */
export async function reconcileSpending(ctx: CredentialContext): Promise<number> {
  const spending = ctx.store.list().filter((c) => c.status === "spending" && c.zeta !== undefined);
  if (spending.length === 0) return 0;
  const chain = await ctx.chain();
  let changed = 0;
  for (const c of spending) {
    const view = await chain.zeta(c.zeta as string);
    if (view.status === "spent") {
      changed += Number(
        ctx.store.transition(c.id, "spending", "spent", {
          outcome: "spent",
          reason: "the chain marked it spent",
          ...(view.depositTx !== undefined ? { depositTx: view.depositTx } : {}),
        }),
      );
    } else if (view.status === "released") {
      changed += Number(
        ctx.store.transition(c.id, "spending", "rejected", {
          outcome: "released",
          reason: "the verifiers found the proof invalid",
        }),
      );
    }
  }
  return changed;
}

import { formatNym } from "@nym-ts/contracts";
import { createDirectoryClient } from "@nym-ts/directory-client";
import { collectCredential } from "./collect.js";
import type { CredentialContext, Report } from "./context.js";
import { ClientCredentialError } from "./errors.js";
import { messageRoundTrip } from "./message.js";
import { pay } from "./pay.js";
import { requestCredential } from "./request.js";
import { spendCredential } from "./spend.js";

/** The demo's steps in order; `message` runs with `viaMixnet` only (it needs the client's mixnet identity). */
export const DEMO_STEPS = ["pay", "credit", "request", "collect", "spend", "message"] as const;
export type DemoStep = (typeof DEMO_STEPS)[number];

export interface DemoOptions {
  /** NYM base units paid in; at least `value`. */
  amount: bigint;
  /** The credential's value, base units. */
  value: bigint;
  /** The SP (address or API URL); default: the first SP registered in the directory. */
  provider?: string;
  /** Spend over the mixnet, then send a message with a reply through it (the `message` step). */
  viaMixnet?: boolean;
}

export interface DemoResult {
  ok: boolean;
  /** Each step that ran, with its wall time; the failed one last when ok is false. */
  steps: { step: DemoStep; ms: number; ok: boolean; error?: string }[];
  failedStep?: DemoStep;
  totalMs: number;
}

async function firstProvider(ctx: CredentialContext): Promise<string> {
  const nodes = await createDirectoryClient({ baseUrl: ctx.config.directoryUrl as string }).listPresence(
    "service-provider",
  );
  const first = nodes[0];
  if (!first) throw new ClientCredentialError("CLIENT_ERROR_PROVIDER", "the directory lists no service provider", {});
  return first.node.apiUrl;
}

/**
 * `nymclient demo`: the whole flow in one go: pay NYM into the pipe account, wait for the watchers' credit, request
 * a credential, collect it from the issuers, spend it at an SP; over the mixnet, the spend goes there and a message
 * with a reply SURB goes round it (to this client's own address, answered through the SURB). Reports one `step`
 * line per step with its time; stops at the first failure and names the step.
 */
export async function runDemo(
  ctx: CredentialContext,
  options: DemoOptions,
  report: Report = () => {},
): Promise<DemoResult> {
  const steps: DemoResult["steps"] = [];
  const started = performance.now();
  let current: DemoStep = "pay";
  let stepStart = started;
  const done = (step: DemoStep, detail: Record<string, unknown>) => {
    const now = performance.now();
    const ms = Math.round(now - stepStart);
    steps.push({ step, ms, ok: true });
    report({ type: "step", step, ok: true, ms, ...detail });
    stepStart = now;
  };
  try {
    if (options.amount < options.value) {
      throw new ClientCredentialError("CLIENT_ERROR_USAGE", "--amount must be at least --value", {});
    }
    if (options.provider === undefined && ctx.config.directoryUrl === undefined) {
      throw new ClientCredentialError("CLIENT_ERROR_USAGE", "--provider is needed when no directory is configured", {});
    }
    const payment = await pay(ctx, options.amount, (event) => {
      if (event.stage === "included") {
        done("pay", { ethTxHash: event.txHash, block: event.blockNumber, nym: formatNym(options.amount) });
        current = "credit";
      }
    });
    done("credit", { balance: payment.balanceAfter.toString(), nym: formatNym(payment.balanceAfter) });
    current = "request";
    const request = await requestCredential(ctx, options.value);
    done("request", { id: request.id, height: request.height, value: request.value.toString() });
    current = "collect";
    const collected = await collectCredential(ctx, { id: request.id });
    done("collect", {
      issuers: collected.issuers,
      skipped: collected.skipped.map((s) => `${s.url} (${s.status}: ${s.reason})`),
    });
    current = "spend";
    const provider = options.provider ?? (await firstProvider(ctx));
    const spent = await spendCredential(ctx, {
      provider,
      id: request.id,
      ...(options.viaMixnet !== undefined ? { viaMixnet: options.viaMixnet } : {}),
    });
    if (!spent.answer.accepted) {
      throw new ClientCredentialError(
        "CLIENT_ERROR_PROVIDER",
        `the SP refused the credential (${spent.answer.outcome}): ${spent.answer.reason}`,
        { outcome: spent.answer.outcome },
      );
    }
    done("spend", { sp: spent.sp, via: spent.via, outcome: spent.answer.outcome, zeta: spent.zeta });
    if (options.viaMixnet) {
      current = "message";
      const trip = await messageRoundTrip(ctx);
      done("message", {
        via: "mixnet",
        to: "self",
        bytes: trip.bytes,
        deliveredMs: trip.deliveredMs,
        replyMs: trip.replyMs,
        reply: trip.reply,
      });
    }
  } catch (error) {
    const ms = Math.round(performance.now() - stepStart);
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    steps.push({ step: current, ms, ok: false, error: message });
    report({
      type: "step",
      step: current,
      ok: false,
      ms,
      error: message,
      ...(typeof code === "string" ? { code } : {}),
    });
    const totalMs = Math.round(performance.now() - started);
    report({ type: "demo", ok: false, failedStep: current, totalMs });
    return { ok: false, steps, failedStep: current, totalMs };
  }
  const totalMs = Math.round(performance.now() - started);
  report({ type: "demo", ok: true, totalMs });
  return { ok: true, steps, totalMs };
}

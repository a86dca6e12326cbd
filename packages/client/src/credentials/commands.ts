import { mkdirSync } from "node:fs";
import { type CommandSpec, type FlagSpec, type ParsedCommandLine, UsageError } from "@nym-ts/common";
import { formatNym, parseNym } from "@nym-ts/contracts";
import { collectCredential } from "./collect.js";
import { initCredentialClient } from "./config.js";
import { CredentialContext, type Report } from "./context.js";
import { runDemo } from "./demo.js";
import { ClientCredentialError } from "./errors.js";
import { balance, pay } from "./pay.js";
import { requestCredential } from "./request.js";
import { reconcileSpending, spendCredential } from "./spend.js";

/** Where the commands print: one JSON object per line (stdout by default; tests pass their own). */
export type Output = (line: { type: string } & Record<string, unknown>) => void;

const stdoutLines: Output = (line) => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const DIR: FlagSpec = { type: "string", value: "DIR", required: true, describe: "the client's directory" };

function nym(flags: Record<string, string>, name: string, fallback?: string): bigint {
  const text = flags[name] ?? fallback;
  if (text === undefined || text === "true") throw new UsageError(`missing --${name}`);
  let units: bigint;
  try {
    units = parseNym(text);
  } catch {
    throw new UsageError(`--${name}: not a NYM amount (decimal, at most 6 decimals): ${text}`);
  }
  if (units <= 0n) throw new UsageError(`--${name} must be positive`);
  return units;
}

function need(flags: Record<string, string>, name: string): string {
  const value = flags[name];
  if (value === undefined || value === "true") throw new UsageError(`missing --${name}`);
  return value;
}

async function withContext<T>(line: ParsedCommandLine, body: (ctx: CredentialContext) => Promise<T>): Promise<T> {
  const ctx = CredentialContext.open(need(line.flags, "dir"), { flags: line.configFlags ?? line.flags });
  try {
    return await body(ctx);
  } finally {
    await ctx.close();
  }
}

async function ethereumChainId(rpcUrl: string): Promise<number> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    signal: AbortSignal.timeout(10_000),
  }).catch((cause: unknown) => {
    throw new ClientCredentialError(
      "CLIENT_ERROR_CONFIG",
      `cannot reach ${rpcUrl}; pass --ethereum-chain-id`,
      {},
      { cause },
    );
  });
  const body = (await response.json()) as { result?: string };
  if (typeof body.result !== "string") {
    throw new ClientCredentialError("CLIENT_ERROR_CONFIG", `${rpcUrl} did not answer eth_chainId`, {});
  }
  return Number(BigInt(body.result));
}

/** Amounts in a line: base units as a decimal string and NYM for people. */
const amount = (units: bigint) => ({ amount: units.toString(), nym: formatNym(units) });

/**
 * nymclient's credential commands as command-table entries (`credential init|request|collect|spend|list`, `pay`,
 * `balance`, `demo`). Each prints JSON lines through `output` and resolves with the exit status.
 */
export function credentialCommands(output: Output = stdoutLines): Record<string, CommandSpec<number>> {
  const report: Report = (event) => output(event);
  return {
    "credential init": {
      describe:
        "set up DIR for credentials: an account key (new, or --key-file) and the chain/ethereum/credentials config; prints the address to fund",
      flags: {
        dir: DIR,
        chain: { type: "string", value: "URL", required: true, describe: "CometBFT RPC of a Nym validator" },
        ethereum: { type: "string", value: "URL", describe: "Ethereum JSON-RPC endpoint (for nymclient pay)" },
        token: { type: "string", value: "ADDRESS", describe: "the NYM ERC20 contract (with --ethereum)" },
        "ethereum-chain-id": {
          type: "string",
          value: "N",
          describe: "Ethereum chain id (default: asked of --ethereum)",
        },
        confirmations: { type: "string", value: "N", describe: "the watchers' confirmations (progress only)" },
        directory: { type: "string", value: "URL", describe: "directory listing the issuers and SPs" },
        issuers: { type: "string", value: "URL,...", describe: "issuer API URLs (instead of the directory's)" },
        "key-file": { type: "string", value: "FILE", describe: "import this 0600 hex secp256k1 key as the account" },
      },
      async run({ flags }) {
        const dir = need(flags, "dir");
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        let ethereum: Parameters<typeof initCredentialClient>[1]["ethereum"];
        if (flags.ethereum !== undefined) {
          const rpcUrl = need(flags, "ethereum");
          ethereum = {
            rpcUrl,
            tokenAddress: need(flags, "token"),
            chainId:
              flags["ethereum-chain-id"] !== undefined
                ? Number(flags["ethereum-chain-id"])
                : await ethereumChainId(rpcUrl),
            ...(flags.confirmations !== undefined ? { confirmations: Number(flags.confirmations) } : {}),
          };
        }
        const { address } = initCredentialClient(dir, {
          chainRpcUrl: need(flags, "chain"),
          ...(ethereum ? { ethereum } : {}),
          ...(flags.directory !== undefined ? { directoryUrl: flags.directory } : {}),
          ...(flags.issuers !== undefined ? { issuers: flags.issuers.split(",").filter(Boolean) } : {}),
          ...(flags["key-file"] !== undefined ? { importKeyFile: flags["key-file"] } : {}),
        });
        output({ type: "init", address });
        return 0;
      },
    },
    pay: {
      describe: "pay --amount NYM from the account's Ethereum address into Nym; waits for the watchers' credit",
      flags: { dir: DIR, amount: { type: "string", value: "NYM", required: true, describe: "NYM to pay in (1.5)" } },
      run: (line) =>
        withContext(line, async (ctx) => {
          const result = await pay(ctx, nym(line.flags, "amount"), report);
          output({
            type: "paid",
            account: result.account,
            ...amount(result.amount),
            ethTxHash: result.ethTxHash,
            logIndex: result.logIndex,
            balance: result.balanceAfter.toString(),
            ms: Math.round(result.creditedMs),
          });
          return 0;
        }),
    },
    balance: {
      describe: "the account's balance on the Nym chain (and its NYM on Ethereum when configured)",
      flags: { dir: DIR },
      run: (line) =>
        withContext(line, async (ctx) => {
          const b = await balance(ctx);
          output({
            type: "balance",
            address: b.address,
            balance: b.balance.toString(),
            nym: formatNym(b.balance),
            nonce: b.nonce,
            ...(b.ethereumBalance !== undefined
              ? { ethereum: { balance: b.ethereumBalance.toString(), nym: formatNym(b.ethereumBalance) } }
              : {}),
          });
          return 0;
        }),
    },
    "credential request": {
      describe: "request a credential of --value NYM (debited from the account); stores its secrets",
      flags: {
        dir: DIR,
        value: { type: "string", value: "NYM", required: true, describe: "the credential's value in NYM" },
      },
      run: (line) =>
        withContext(line, async (ctx) => {
          const r = await requestCredential(ctx, nym(line.flags, "value"), report);
          output({
            type: "requested",
            id: r.id,
            ...amount(r.value),
            height: r.height,
            balance: r.balanceAfter.toString(),
          });
          return 0;
        }),
    },
    "credential collect": {
      describe: "collect the partial credentials of a request (--id, default the oldest) from t issuers and aggregate",
      flags: { dir: DIR, id: { type: "string", value: "ID", describe: "the request id" } },
      run: (line) =>
        withContext(line, async (ctx) => {
          const r = await collectCredential(ctx, line.flags.id !== undefined ? { id: line.flags.id } : {}, report);
          output({ type: "collected", id: r.id, ...amount(r.value), issuers: r.issuers, skipped: r.skipped });
          return 0;
        }),
    },
    "credential spend": {
      describe: "spend a credential (--id, default the oldest) at --provider; prints the SP's answer",
      flags: {
        dir: DIR,
        provider: { type: "string", value: "ID", required: true, describe: "the SP's chain address or API URL" },
        id: { type: "string", value: "ID", describe: "the credential (request id)" },
        value: { type: "string", value: "NYM", describe: "spend a credential of this value" },
        "via-mixnet": { type: "boolean", describe: "send the proof over the mixnet (SURB answer) instead of HTTP" },
      },
      run: (line) =>
        withContext(line, async (ctx) => {
          const r = await spendCredential(
            ctx,
            {
              provider: need(line.flags, "provider"),
              ...(line.flags.id !== undefined ? { id: line.flags.id } : {}),
              ...(line.flags.value !== undefined ? { value: nym(line.flags, "value") } : {}),
              viaMixnet: line.flags["via-mixnet"] === "true",
            },
            report,
          );
          output({ type: "answer", id: r.id, sp: r.sp, via: r.via, zeta: r.zeta, ...r.answer });
          return r.answer.accepted ? 0 : 1;
        }),
    },
    "credential list": {
      describe: "list the stored credentials and their status (spends in flight are settled from the chain first)",
      flags: { dir: DIR },
      run: (line) =>
        withContext(line, async (ctx) => {
          await reconcileSpending(ctx).catch((error: unknown) => {
            ctx.log.warn({ err: error }, "cannot settle spends in flight from the chain");
          });
          for (const c of ctx.store.list()) {
            output({
              type: "credential",
              id: c.id,
              ...amount(c.value),
              status: c.status,
              ...(c.issuers.length > 0 ? { issuers: c.issuers } : {}),
              ...(c.sp !== undefined ? { sp: c.sp } : {}),
              ...(c.outcome !== undefined ? { outcome: c.outcome } : {}),
              ...(c.reason !== undefined ? { reason: c.reason } : {}),
              createdAt: new Date(c.createdAt).toISOString(),
            });
          }
          return 0;
        }),
    },
    demo: {
      describe:
        "the whole flow: pay, credit, request, collect, spend (and, with --via-mixnet, a message with a reply through the mixnet); a line per step with its time",
      flags: {
        dir: DIR,
        value: { type: "string", value: "NYM", describe: "the credential's value (default 1)" },
        amount: { type: "string", value: "NYM", describe: "NYM to pay in (default: the value)" },
        provider: { type: "string", value: "ID", describe: "the SP (default: the directory's first)" },
        "via-mixnet": {
          type: "boolean",
          describe:
            "spend over the mixnet, then send a message to this client's own address with a reply SURB through it",
        },
      },
      run: (line) =>
        withContext(line, async (ctx) => {
          const value = nym(line.flags, "value", "1");
          const result = await runDemo(
            ctx,
            {
              value,
              amount: line.flags.amount !== undefined ? nym(line.flags, "amount") : value,
              ...(line.flags.provider !== undefined ? { provider: line.flags.provider } : {}),
              viaMixnet: line.flags["via-mixnet"] === "true",
            },
            report,
          );
          return result.ok ? 0 : 1;
        }),
    },
  };
}

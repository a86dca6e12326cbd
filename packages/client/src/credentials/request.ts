import { buildCredentialRequest, TX_CODES, txErrorName, txHash } from "@nym-ts/chain-client";
import { formatNym } from "@nym-ts/contracts";
import { prepareCredentialRequest } from "@nym-ts/credentials";
import type { CredentialContext, Report } from "./context.js";
import { ClientCredentialError } from "./errors.js";

export interface RequestResult {
  /** The request id: the credential_request tx's hash, what issuers serve partials under. */
  id: string;
  value: bigint;
  height: number;
  balanceAfter: bigint;
}

/**
 * `nymclient credential request`: picks fresh secrets, stores them (before anything leaves the machine), signs a
 * `credential_request` tx with the account key and waits for its commit, which debits `value` from the account.
 */
export async function requestCredential(
  ctx: CredentialContext,
  value: bigint,
  report: Report = () => {},
): Promise<RequestResult> {
  if (value <= 0n) throw new ClientCredentialError("CLIENT_ERROR_USAGE", "--value must be positive", {});
  const chain = await ctx.chain();
  const params = await ctx.params();
  const [chainId, account] = await Promise.all([chain.chainId(), chain.account(ctx.address)]);
  if (account.balance < value) {
    throw new ClientCredentialError(
      "CLIENT_ERROR_INSUFFICIENT_BALANCE",
      `the account holds ${formatNym(account.balance)} NYM, less than the credential's ${formatNym(value)}`,
      { balance: account.balance.toString(), value: value.toString() },
    );
  }
  const prepared = prepareCredentialRequest(params, value);
  const tx = buildCredentialRequest(ctx.secretKey, { chainId, nonce: account.nonce }, prepared.tx);
  const id = txHash(tx);
  ctx.store.insertPending({
    id,
    account: ctx.address,
    value,
    serial: prepared.secrets.serial,
    binding: prepared.secrets.binding,
    openings: prepared.openings,
    blindSignRequest: prepared.tx.blindSignRequest,
    publicAttributes: prepared.tx.publicAttributes,
  });
  report({ type: "request", stage: "broadcast", id, value: value.toString(), nym: formatNym(value) });
  const result = await chain.broadcastTxCommit(tx);
  if (result.code !== 0) {
    const name = txErrorName(result.code) ?? `code ${result.code}`;
    ctx.store.transition(id, "pending", "failed", { reason: `${name}: ${result.log}`.slice(0, 500) });
    throw new ClientCredentialError(
      result.code === TX_CODES.CHAIN_ERROR_INSUFFICIENT_FUNDS
        ? "CLIENT_ERROR_INSUFFICIENT_BALANCE"
        : "CLIENT_ERROR_REQUEST_REJECTED",
      `the chain refused the credential request (${name}): ${result.log}`,
      { id, code: result.code, phase: result.phase },
    );
  }
  ctx.store.transition(id, "pending", "requested", { height: result.height });
  const balanceAfter = (await chain.account(ctx.address)).balance;
  report({ type: "request", stage: "committed", id, height: result.height, balance: balanceAfter.toString() });
  return { id, value, height: result.height, balanceAfter };
}

/**
 * nymclient's credential commands as a library: `pay` NYM in and wait for the credit, `requestCredential`,
 * `collectCredential` from t issuers, `spendCredential` at an SP over HTTP or the mixnet, `runDemo` for all of it,
 * on a `CredentialContext` opened from the client's directory (client.json's chain/ethereum/credentials sections,
 * the 0600 `account.key`, the 0600 `credentials.sqlite` store). `credentialCommands()` is their CLI table.
 *
 * @example
 * initCredentialClient(dir, { chainRpcUrl, ethereum: { rpcUrl, chainId, tokenAddress }, directoryUrl });
 * const ctx = CredentialContext.open(dir);
 * await pay(ctx, 10_000_000n);
 * const { id } = await requestCredential(ctx, 5_000_000n);
 * await collectCredential(ctx, { id });
 * const { answer } = await spendCredential(ctx, { provider: "http://127.0.0.1:8090", id });
 * await ctx.close();
 */

export {
  type CollectResult,
  collectCredential,
  type IssuerEndpoint,
  type IssuerStatus,
  issuerEndpoints,
} from "./collect.js";
export { credentialCommands, type Output } from "./commands.js";
export {
  ACCOUNT_KEY_FILE,
  CredentialClientConfig,
  type CredentialInitOptions,
  initCredentialClient,
  loadCredentialConfig,
  readAccountKey,
} from "./config.js";
export { CREDENTIALS_FILE, CredentialContext, type Report } from "./context.js";
export { DEMO_STEPS, type DemoOptions, type DemoResult, type DemoStep, runDemo } from "./demo.js";
export { ClientCredentialError, type ClientCredentialErrorCode } from "./errors.js";
export { type BalanceResult, balance, type PayResult, pay } from "./pay.js";
export { type RequestResult, requestCredential } from "./request.js";
export { ChainSection, CredentialsSection, EthereumSection } from "./sections.js";
export {
  reconcileSpending,
  resolveProvider,
  type SpendOptions,
  type SpendResult,
  spendCredential,
} from "./spend.js";
export {
  CREDENTIAL_STATUSES,
  type CredentialStatus,
  CredentialStore,
  type StoredCredential,
} from "./store.js";

/**
 * @nym-ts/service-provider: `nym-service-provider`, the demo service provider (SP) of the credential flow. A client
 * proves a credential bound to the SP's chain address and sends the spend (`SpendRequest`) over HTTP
 * (`POST /v1/spend`) or as a Sphinx message through the mixnet (answered by SURB). The SP checks the proof locally
 * (`checkSpend`, aggregated key from the chain's genesis), refuses a zeta it already holds (SQLite + an in-process
 * lock), deposits it (`deposit_credential`) with its account, waits for the verifiers' decision (`zeta_spent` /
 * `zeta_released`, bounded) and answers `accepted: true` only when the chain credited it.
 *
 * Design, config keys, commands and metrics: docs/service-provider.md.
 *
 * @example
 * initServiceProviderKeys(dataDir); // prints nothing; returns { address, identityKey }
 * const sp = createServiceProvider(ServiceProviderConfigSchema.parse({ dataDir, chain: { rpcUrl } }), { log });
 * await sp.start();
 * await new ServiceProviderClient(sp.url()).spend({ theta, value: "10" }); // { accepted: true, outcome: "spent", ... }
 */

export { Depositor, type DepositResult, type SpendChain } from "./chain.js";
export {
  ChainSection,
  DirectorySection,
  HttpSection,
  MixnetSection,
  type ServiceProviderConfig,
  type ServiceProviderConfigInput,
  ServiceProviderConfigSchema,
  SpendSection,
} from "./config.js";
export { type Decision, DecisionWatcher, type DecisionWatcherOptions } from "./decisions.js";
export { ServiceProviderError, type ServiceProviderErrorCode } from "./errors.js";
export {
  ACCOUNT_KEY_FILE,
  ENCRYPTION_KEY_FILE,
  IDENTITY_KEY_FILE,
  initKeysCommand,
  initServiceProviderKeys,
  readServiceProviderKeys,
  type ServiceProviderKeys,
  type ServiceProviderPublicKeys,
} from "./keys.js";
export { createSpendMetrics, METRIC_OUTCOMES, type MetricOutcome, type SpendMetrics } from "./metrics.js";
export {
  MAX_MIXNET_MESSAGE_BYTES,
  type MixnetClientLike,
  MixnetEndpoint,
  type MixnetEndpointOptions,
} from "./mixnet-endpoint.js";
export { DirectoryRegistration, type RegistrationOptions } from "./registration.js";
export {
  createServiceProvider,
  MAX_BODY_BYTES,
  SERVICE_PROVIDER_VERSION,
  type ServiceProvider,
  type ServiceProviderModules,
} from "./service-provider.js";
export {
  SpendHandler,
  type SpendHandlerOptions,
  type SpendKeys,
  type SpendResult,
  type SpendTransport,
} from "./spend-handler.js";
export { SpendStore, type ZetaRecord, type ZetaRecordStatus } from "./store.js";

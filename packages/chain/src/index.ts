/**
 * @nym-ts/chain: the Nym ledger as an ABCI 2.0 application driven by real CometBFT (v0.38) and the `nym-validator`
 * daemon. Everything a chain *client* needs (tx codecs, signing, ChainClient) is in @nym-ts/chain-client; only the
 * validator and the tools that launch it import this package. See docs/validator.md.
 *
 * @example
 * const validator = createValidator({ config, log });
 * await validator.start(); // CometBFT dials the ABCI socket (`proxy_app`)
 */

export { createLedgerHandler, type LedgerStats } from "./abci-app.js";
export {
  AbciFrameError,
  type AbciHandler,
  type AbciServer,
  type CheckTxAnswer,
  type CheckTxHandler,
  createAbciServer,
  decodeCheckTxRequest,
  encodeCheckTxResponse,
  encodeFrame,
  FrameReader,
  MAX_FRAME_BYTES,
} from "./abci-server.js";
export { type AbciAppSpec, VALIDATOR_NODE_FLAGS, validatorCommand } from "./command.js";
export {
  addonSelfTest,
  availableSignatureBackends,
  KECCAK_BACKEND,
  KECCAK_BACKENDS,
  keccak256,
  keccak256Backends,
  SIGNATURE_BACKEND,
  SIGNATURE_BACKENDS,
  SignatureVerifier,
} from "./keys.js";
export {
  type AccountState,
  Ledger,
  type LedgerEvent,
  nextAppHash,
  type QueryResult,
  type TxResult,
} from "./ledger.js";
export { type CommitMeta, type CommittedStore, MemoryStore, Overlay, SqliteStore } from "./store.js";
export { VerifiedTxCache } from "./tx-cache.js";
export {
  createValidator,
  type Validator,
  type ValidatorConfig,
  type ValidatorOptions,
  validatorConfigSchema,
} from "./validator.js";

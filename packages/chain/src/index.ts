/**
 * @nym-ts/chain: the Nym ledger as an ABCI 2.0 application driven by real CometBFT (v0.38), its tx codecs, the
 * chain client every other component uses, the `nym-validator` daemon and a launcher for N-validator loopback
 * networks. See ARCHITECTURE.md §4-5 and docs/validator.md.
 *
 * @example
 * const chain = await connectChain({ rpcUrl: "http://127.0.0.1:26657" });
 * const chainId = await chain.chainId();
 * const { nonce } = await chain.account(addressFromSecretKey(watcherKey));
 * const tx = buildTransferNotification(watcherKey, { chainId, nonce }, { ethTxHash, logIndex, address, amount: 10n });
 * const result = await chain.broadcastTxCommit(tx); // result.code === 0
 * const unsubscribe = await chain.subscribe("credential_request", (event) => console.log(event.attributes.request_id));
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
export {
  type AccountView,
  type BroadcastResult,
  ChainClient,
  type ChainClientOptions,
  type ChainEvent,
  type ChainEventType,
  type CommitResult,
  type CredentialRequestView,
  connectChain,
  EVENT_KEYS,
  type SubscribeOptions,
  type TransferView,
  type ZetaView,
} from "./client.js";
export {
  ChainError,
  type ChainErrorCode,
  CODESPACE,
  TX_CODES,
  type TxErrorCode,
  TxRejected,
  txErrorName,
} from "./errors.js";
export { type AppState, type AppStateInput, appStateSchema, issuerSchema } from "./genesis.js";
export {
  type Address,
  addressFromPublicKey,
  addressFromSecretKey,
  bytesToHex,
  hexToBytes,
  publicKeyFromSecretKey,
  randomSecretKey,
  SIGNATURE_BACKEND,
  SignatureVerifier,
} from "./keys.js";
export {
  type AccountState,
  Ledger,
  type LedgerEvent,
  nextAppHash,
  QUERY_CODES,
  type QueryResult,
  type TxResult,
  type ZetaStatus,
} from "./ledger.js";
export { type CommitMeta, type CommittedStore, MemoryStore, Overlay, SqliteStore } from "./store.js";
export {
  type AppSpec,
  editToml,
  rpcHeight,
  startTestnet,
  type Testnet,
  type TestnetNode,
  type TestnetOptions,
  VALIDATOR_NODE_FLAGS,
  validatorCommand,
} from "./testnet.js";
export {
  addressSchema,
  amountSchema,
  buildCredentialRequest,
  buildDepositCredential,
  buildTransferNotification,
  buildVerificationNotification,
  type CredentialRequest,
  credentialRequestSchema,
  type DepositCredential,
  decodeTx,
  depositCredentialSchema,
  ethTxHashSchema,
  MAX_TX_BYTES,
  signTx,
  type TransferNotification,
  type TxBody,
  type TxContext,
  type TxType,
  transferNotificationSchema,
  txBodySchema,
  txHash,
  type VerificationNotification,
  type VerifiedTx,
  verificationNotificationSchema,
  ZETA_BYTES,
  zetaSchema,
} from "./tx.js";
export { VerifiedTxCache } from "./tx-cache.js";
export {
  createValidator,
  type Validator,
  type ValidatorConfig,
  type ValidatorOptions,
  validatorConfigSchema,
} from "./validator.js";

/**
 * @nym-ts/chain-client: what every component but the validator needs of the Nym chain: tx bodies (zod schemas, the
 * one source of their wire form), tx builders and signing with secp256k1 account keys in the Ethereum format, the
 * genesis schema, coded errors, and `ChainClient` (queries, broadcast, event subscriptions over CometBFT RPC).
 * It loads no ABCI server, ledger or native addon. See docs/validator.md for the tx set and queries.
 *
 * @example
 * const chain = await connectChain({ rpcUrl: "http://127.0.0.1:26657" });
 * const chainId = await chain.chainId();
 * const { nonce } = await chain.account(addressFromSecretKey(watcherKey));
 * const tx = buildTransferNotification(watcherKey, { chainId, nonce }, { ethTxHash, logIndex, address, amount: 10n });
 * const result = await chain.broadcastTxCommit(tx); // result.code === 0
 * const unsubscribe = await chain.subscribe("credential_request", (event) => console.log(event.attributes.request_id));
 */

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
  QUERY_CODES,
  type SubscribeOptions,
  type TransferView,
  type ZetaStatus,
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
  keccak256,
  publicKeyFromSecretKey,
  randomSecretKey,
  signMessage,
  type TxSignatureVerifier,
} from "./keys.js";
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
  duplicateJsonKey,
  ethTxHashSchema,
  MAX_BLIND_SIGN_REQUEST_BYTES,
  MAX_PROOF_BYTES,
  MAX_TX_BYTES,
  positiveAmountSchema,
  proofZeta,
  SIGN_DOMAIN,
  signBytes,
  signTx,
  THETA_TYPE_TAG,
  THETA_VERSION,
  THETA_ZETA_OFFSET,
  type TransferNotification,
  TX_VERSION,
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

/**
 * @nym-ts/verifier: nym-verifier, one of the chain's credential verifiers. It follows `deposit_credential` events
 * from a checkpoint in its SQLite file, reads each deposit's proof with the `/zeta` query, and checks it against the
 * issuers' aggregated verification key with the depositing SP's address as the binding and the deposited value as
 * the public attribute (pending deposits are verified as one batch, one by one only when the batch fails). It posts a
 * signed `verification_notification` per deposit, several in flight, exactly once per deposit across restarts; at
 * the genesis threshold of valid votes the chain marks the zeta spent and credits the SP, at the threshold of
 * invalid ones it releases it. HTTP: GET /v1/votes/{zeta}, /health, /metrics, Swagger at /docs.
 *
 * Design and operation: docs/verifier.md; who checks what in a deposit: docs/validator.md.
 *
 * @example
 * const verifier = createVerifier(
 *   { dataDir: "/var/lib/nym-verifier", http: { port: 8020 } },
 *   { log, chain: await connectChain({ rpcUrl }), secretKey },
 * );
 * await verifier.start();
 */

export { DepositVote, VotesAnswer, ZetaParams } from "./api.js";
export {
  type CheckOptions,
  type CheckReport,
  checkDeposits,
  type DepositProof,
  INVALID_REASONS,
  type InvalidReason,
  type Verdict,
} from "./check.js";
export {
  ChainSection,
  DirectorySection,
  HttpSection,
  KeysSection,
  VerifierConfig,
  type VerifierConfigInput,
  VerifySection,
} from "./config.js";
export { createVerifierDaemon, ENV_PREFIX, initCommand } from "./daemon.js";
export { VerifierError, type VerifierErrorCode } from "./errors.js";
export {
  CHAIN_KEY_FILE,
  IDENTITY_KEY_FILE,
  initVerifierKeys,
  keyPaths,
  readChainKey,
  readIdentitySeed,
  type VerifierKeyPaths,
} from "./keys.js";
export { type DirectoryRegistration, startDirectoryRegistration } from "./registration.js";
export {
  type DepositEvent,
  type DepositRecord,
  type DepositStatus,
  type SkipReason,
  VerifierStore,
} from "./store.js";
export {
  createVerifier,
  type Verifier,
  type VerifierModules,
  type VerifierOptions,
  VerifierOptionsSchema,
} from "./verifier.js";
export {
  ChainVoter,
  type ChainVoterOptions,
  isAddressIn,
  type VerifierChain,
  type Vote,
  type VoteOutcome,
} from "./voter.js";

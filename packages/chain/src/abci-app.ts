import { ChainError, txErrorName } from "@nym-ts/chain-client";
import { daemonVersion, type Logger, packageVersion } from "@nym-ts/common";
import {
  CheckTxType,
  type Request,
  Response,
  ResponseApplySnapshotChunk_Result,
  ResponseOfferSnapshot_Result,
  ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
} from "cosmjs-types/tendermint/abci/types";
import {
  type AbciHandler,
  CHECK_TX_GAS_WANTED,
  type CheckTxHandler,
  EncodedResponse,
  encodeFinalizeBlockResponse,
} from "./abci-server.js";
import type { Ledger, TxResult } from "./ledger.js";

export const APP_VERSION = 1n;
/** The ledger's software version (ABCI Info `version`, nym-validator's logs): package.json + NYM_BUILD_COMMIT. */
export const LEDGER_VERSION = daemonVersion(packageVersion(import.meta.url));

export interface LedgerStats {
  checkTxAccepted: number;
  checkTxRejected: number;
  /** CheckTx requests of type RECHECK (CometBFT re-runs every tx left in the mempool after each block). */
  checkTxRechecks: number;
  deliverAccepted: number;
  deliverRejected: number;
  /** Rejections (CheckTx and FinalizeBlock) by error code. */
  rejectedByCode: Record<string, number>;
  height: number;
}

export interface LedgerHandlerOptions {
  /** Runs before the ledger's InitChain; throwing refuses it (the validator compares it with the home's genesis). */
  beforeInitChain?: (request: { chainId: string; appStateBytes: Uint8Array; initialHeight: number }) => void;
  /** Appended to a genesis the ledger refuses (CHAIN_ERROR_GENESIS): what to do once the file is corrected. */
  genesisAdvice?: string;
}

/**
 * Maps ABCI requests onto the ledger: the glue between the socket server and the state machine. `checkTx` is the
 * same CheckTx as the one inside `handler`, for the server's fast path (no generic protobuf objects).
 */
export function createLedgerHandler(
  ledger: Ledger,
  log: Logger,
  options: LedgerHandlerOptions = {},
): { handler: AbciHandler; checkTx: CheckTxHandler; stats: LedgerStats } {
  const stats: LedgerStats = {
    checkTxAccepted: 0,
    checkTxRejected: 0,
    checkTxRechecks: 0,
    deliverAccepted: 0,
    deliverRejected: 0,
    rejectedByCode: {},
    height: ledger.info().height,
  };
  const countRejection = (result: TxResult) => {
    const name = txErrorName(result.code) ?? `code_${result.code}`;
    stats.rejectedByCode[name] = (stats.rejectedByCode[name] ?? 0) + 1;
  };

  const checkTx: CheckTxHandler = (tx, type) => {
    if (type === CheckTxType.RECHECK) stats.checkTxRechecks++;
    const result = ledger.checkTx(tx);
    if (result.code === 0) stats.checkTxAccepted++;
    else {
      stats.checkTxRejected++;
      countRejection(result);
      log.debug({ tx: result.hash, code: result.code, reason: result.log }, "checktx rejected");
    }
    return result;
  };

  const handler: AbciHandler = (request: Request): Response | EncodedResponse => {
    if (request.echo) return Response.fromPartial({ echo: { message: request.echo.message } });
    if (request.flush) return Response.fromPartial({ flush: {} });
    if (request.info) {
      const info = ledger.info();
      log.info({ height: info.height, cometVersion: request.info.version }, "abci info");
      return Response.fromPartial({
        info: {
          data: "nym-ts ledger",
          version: LEDGER_VERSION,
          appVersion: APP_VERSION,
          lastBlockHeight: BigInt(info.height),
          lastBlockAppHash: info.height === 0 ? new Uint8Array() : info.appHash,
        },
      });
    }
    if (request.initChain) {
      const { chainId, appStateBytes, initialHeight } = request.initChain;
      options.beforeInitChain?.({ chainId, appStateBytes, initialHeight: Number(initialHeight) });
      let appHash: Uint8Array;
      try {
        appHash = ledger.initChain(chainId, appStateBytes, Number(initialHeight));
      } catch (error) {
        if (options.genesisAdvice && error instanceof ChainError && error.code === "CHAIN_ERROR_GENESIS") {
          throw new ChainError(error.code, `${error.message}. ${options.genesisAdvice}`, error.details, {
            cause: error,
          });
        }
        throw error;
      }
      log.info(
        { chainId: request.initChain.chainId, appHash: Buffer.from(appHash).toString("hex") },
        "chain initialised",
      );
      return Response.fromPartial({ initChain: { appHash } });
    }
    if (request.query) {
      const result = ledger.query(request.query.path);
      return Response.fromPartial({
        query: {
          code: result.code,
          log: result.log,
          value: result.value,
          height: BigInt(result.height),
          codespace: "nym",
        },
      });
    }
    if (request.checkTx) {
      const result = checkTx(request.checkTx.tx, request.checkTx.type);
      return Response.fromPartial({
        checkTx: {
          code: result.code,
          log: result.log,
          codespace: result.codespace,
          gasWanted: BigInt(CHECK_TX_GAS_WANTED),
        },
      });
    }
    if (request.prepareProposal) {
      const max = Number(request.prepareProposal.maxTxBytes);
      const txs: Uint8Array[] = [];
      let total = 0;
      for (const tx of request.prepareProposal.txs) {
        // CometBFT counts the proto overhead of each tx too; a few bytes of slack per tx keeps us under its limit.
        const size = tx.length + 8;
        if (max >= 0 && total + size > max) break;
        total += size;
        txs.push(tx);
      }
      log.debug({ height: Number(request.prepareProposal.height), txs: txs.length }, "proposal prepared");
      return Response.fromPartial({ prepareProposal: { txs } });
    }
    if (request.processProposal) {
      // Invalid txs in a block are harmless (they fail with a code in FinalizeBlock), so every proposal is accepted.
      log.debug(
        { height: Number(request.processProposal.height), txs: request.processProposal.txs.length },
        "proposal processed",
      );
      return Response.fromPartial({
        processProposal: { status: ResponseProcessProposal_ProposalStatus.ACCEPT },
      });
    }
    if (request.finalizeBlock) {
      const height = Number(request.finalizeBlock.height);
      const { txResults, appHash } = ledger.finalizeBlock(height, request.finalizeBlock.txs);
      for (const result of txResults) {
        if (result.code === 0) stats.deliverAccepted++;
        else {
          stats.deliverRejected++;
          countRejection(result);
          log.info(
            { height, tx: result.hash, code: result.code, type: result.type, reason: result.log },
            "tx rejected",
          );
        }
      }
      log.debug({ height, txs: txResults.length }, "block finalized");
      // Encoded by hand: the same bytes as Response.encode (tested), without a writer fork per event and attribute.
      return new EncodedResponse(encodeFinalizeBlockResponse(txResults, appHash));
    }
    if (request.commit) {
      const { height, appHash } = ledger.commit();
      stats.height = height;
      log.debug({ height, appHash: Buffer.from(appHash).toString("hex") }, "block committed");
      return Response.fromPartial({ commit: { retainHeight: 0n } });
    }
    if (request.listSnapshots) return Response.fromPartial({ listSnapshots: { snapshots: [] } });
    if (request.offerSnapshot) {
      return Response.fromPartial({ offerSnapshot: { result: ResponseOfferSnapshot_Result.REJECT } });
    }
    if (request.loadSnapshotChunk) return Response.fromPartial({ loadSnapshotChunk: { chunk: new Uint8Array() } });
    if (request.applySnapshotChunk) {
      return Response.fromPartial({ applySnapshotChunk: { result: ResponseApplySnapshotChunk_Result.ABORT } });
    }
    if (request.extendVote) return Response.fromPartial({ extendVote: { voteExtension: new Uint8Array() } });
    if (request.verifyVoteExtension) {
      return Response.fromPartial({
        verifyVoteExtension: { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT },
      });
    }
    throw new Error("unsupported abci request");
  };
  return { handler, checkTx, stats };
}

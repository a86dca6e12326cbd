import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { type AppState, appStateSchema, ChainError } from "@nym-ts/chain-client";
import { parse as parseToml } from "smol-toml";

/**
 * What the ledger depends on in a CometBFT genesis (chain id, initial height, app_state) as the node's home holds
 * it, with where CometBFT keeps its state: the validator compares its ledger, and CometBFT's InitChain, with it.
 *
 * Why: CometBFT v0.38 stores the genesis in its state database at its first start and from then on ignores
 * genesis.json, so a corrected genesis silently changes nothing (the node keeps running the old chain) until the
 * operator runs `cometbft unsafe-reset-all`; and a ledger from another chain makes the node diverge or halt with a
 * message that does not say why.
 */
export interface HomeGenesis {
  home: string;
  /** The genesis file CometBFT reads (`genesis_file` of config.toml, default config/genesis.json). */
  genesisFile: string;
  /** CometBFT's databases (`db_dir` of config.toml, default data). */
  dbDir: string;
  chainId: string;
  initialHeight: number;
  /** The genesis app_state as the ledger would store it (after its schema), or why the schema refuses it. */
  appState: { ok: true; json: string } | { ok: false; reason: string };
}

/** Where a ledger lives: for the reset command in error messages. */
export interface LedgerPaths {
  dataDir: string;
  ledgerFile: string;
}

const GENESIS_MISMATCH = "CHAIN_ERROR_GENESIS_MISMATCH";

/** Reads `<home>/config/config.toml` (for genesis_file and db_dir) and the genesis file it names. */
export function readHomeGenesis(home: string): HomeGenesis {
  const configFile = join(home, "config", "config.toml");
  let genesisFile = join(home, "config", "genesis.json");
  let dbDir = join(home, "data");
  if (existsSync(configFile)) {
    let config: Record<string, unknown>;
    try {
      config = parseToml(readFileSync(configFile, "utf8")) as Record<string, unknown>;
    } catch (cause) {
      throw new ChainError("CHAIN_ERROR_GENESIS", `${configFile} is not TOML`, { home }, { cause });
    }
    const under = (p: unknown, fallback: string) =>
      typeof p === "string" && p !== "" ? (isAbsolute(p) ? p : join(home, p)) : fallback;
    genesisFile = under(config.genesis_file, genesisFile);
    dbDir = under(config.db_dir, dbDir);
  }
  let text: string;
  try {
    text = readFileSync(genesisFile, "utf8");
  } catch (cause) {
    throw new ChainError(
      "CHAIN_ERROR_GENESIS",
      `cannot read the genesis ${genesisFile} of the CometBFT home ${home} (cometbft.home): make the home with \`cometbft init --home ${home}\` (docs/validator.md)`,
      { home, genesisFile },
      { cause },
    );
  }
  let doc: { chain_id?: unknown; initial_height?: unknown; app_state?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (cause) {
    throw new ChainError("CHAIN_ERROR_GENESIS", `${genesisFile} is not JSON`, { genesisFile }, { cause });
  }
  if (typeof doc.chain_id !== "string" || doc.chain_id === "") {
    throw new ChainError("CHAIN_ERROR_GENESIS", `${genesisFile} has no chain_id`, { genesisFile });
  }
  // CometBFT writes initial_height as a decimal string; 0 and absent mean 1.
  const initialHeight = Math.max(1, Number(doc.initial_height ?? 1) || 1);
  return {
    home,
    genesisFile,
    dbDir,
    chainId: doc.chain_id,
    initialHeight,
    appState: normaliseAppState(doc.app_state ?? {}),
  };
}

/** The app_state as the ledger stores it: the schema's output, serialised. */
function normaliseAppState(raw: unknown): HomeGenesis["appState"] {
  const parsed = appStateSchema.safeParse(raw);
  if (parsed.success) return { ok: true, json: JSON.stringify(parsed.data) };
  return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
}

/** The commands that start the node over from the genesis file: CometBFT's state and the ledger both go. */
function resetAdvice(genesis: HomeGenesis, ledger: LedgerPaths, withCometbft: boolean): string {
  const rm = `rm -f ${ledger.ledgerFile} ${ledger.ledgerFile}-wal ${ledger.ledgerFile}-shm`;
  const steps = withCometbft ? `\`cometbft unsafe-reset-all --home ${genesis.home}\` and \`${rm}\`` : `\`${rm}\``;
  return `To start the chain of ${genesis.genesisFile} from its first block, stop CometBFT and run ${steps}, then start both again (docs/validator.md, "A wrong genesis"). To keep the old chain, put its genesis back instead.`;
}

/**
 * At start, before CometBFT connects: refuses a ledger made from another genesis than the home's file (another
 * chain id, or another app_state), and a ledger with blocks whose CometBFT has no block store at all (CometBFT was
 * reset, the ledger was not). A ledger without state passes (InitChain will be checked).
 */
export function checkLedgerAgainstHome(
  genesis: HomeGenesis,
  ledger: { height: number; chainId: string | undefined; params: AppState | undefined },
  paths: LedgerPaths,
): void {
  const cometHasState = existsSync(join(genesis.dbDir, "state.db"));
  const differences: string[] = [];
  if (ledger.chainId !== undefined && ledger.chainId !== genesis.chainId) {
    differences.push(`chain id ${JSON.stringify(ledger.chainId)}, the file ${JSON.stringify(genesis.chainId)}`);
  }
  if (ledger.params !== undefined) {
    if (!genesis.appState.ok) differences.push(`the file's app_state is refused (${genesis.appState.reason})`);
    else if (genesis.appState.json !== JSON.stringify(ledger.params)) differences.push("another app_state");
  }
  if (differences.length > 0) {
    throw new ChainError(
      GENESIS_MISMATCH,
      `the ledger ${paths.ledgerFile} (height ${ledger.height}) was made from another genesis than ${genesis.genesisFile}: ${differences.join("; ")}. CometBFT keeps the genesis it stored at its first start and ignores a changed file, so the node would go on running the old chain. ${resetAdvice(genesis, paths, cometHasState)}`,
      {
        ledgerFile: paths.ledgerFile,
        genesisFile: genesis.genesisFile,
        ledgerChainId: ledger.chainId,
        genesisChainId: genesis.chainId,
      },
    );
  }
  if (ledger.height > 0 && !existsSync(join(genesis.dbDir, "blockstore.db"))) {
    throw new ChainError(
      GENESIS_MISMATCH,
      `the ledger ${paths.ledgerFile} has ${ledger.height} blocks but CometBFT's home ${genesis.home} has no block store (${join(genesis.dbDir, "blockstore.db")}): CometBFT was reset and the ledger was not. ${resetAdvice(genesis, paths, false)}`,
      { ledgerFile: paths.ledgerFile, dbDir: genesis.dbDir, height: ledger.height },
    );
  }
}

/**
 * At InitChain: CometBFT sends the genesis it stored at its first start, which is not the file's when the file was
 * changed since; then the chain about to start is not the one the operator wrote, and InitChain is refused.
 */
export function checkInitChainAgainstHome(
  genesis: HomeGenesis,
  request: { chainId: string; appStateBytes: Uint8Array; initialHeight: number },
  paths: LedgerPaths,
): void {
  const differences: string[] = [];
  if (request.chainId !== genesis.chainId) {
    differences.push(`chain id ${JSON.stringify(request.chainId)}, the file ${JSON.stringify(genesis.chainId)}`);
  }
  if (Math.max(1, request.initialHeight) !== genesis.initialHeight) {
    differences.push(`initial height ${request.initialHeight}, the file ${genesis.initialHeight}`);
  }
  let sent: HomeGenesis["appState"];
  try {
    const text = new TextDecoder().decode(request.appStateBytes);
    sent = normaliseAppState(text === "" ? {} : JSON.parse(text));
  } catch {
    sent = { ok: false, reason: "not JSON" };
  }
  const same = sent.ok && genesis.appState.ok ? sent.json === genesis.appState.json : false;
  if (!same && (sent.ok || genesis.appState.ok)) differences.push("another app_state");
  if (differences.length > 0) {
    throw new ChainError(
      GENESIS_MISMATCH,
      `CometBFT started the chain from another genesis than ${genesis.genesisFile}: ${differences.join("; ")}. CometBFT keeps the genesis it stored at its first start in ${genesis.dbDir} and ignores a changed file. ${resetAdvice(genesis, paths, true)}`,
      { genesisFile: genesis.genesisFile, requestChainId: request.chainId, genesisChainId: genesis.chainId },
    );
  }
}

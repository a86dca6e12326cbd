import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppStateInput, appStateSchema, ChainError } from "@nym-ts/chain-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkInitChainAgainstHome, checkLedgerAgainstHome, readHomeGenesis } from "../../src/genesis-check.js";
import { actor, appState } from "../fixtures.js";

const rich = actor("genesis-check-rich");

/** A CometBFT home as `cometbft init` lays it out, with `chainId` and `state` in its genesis. */
function writeHome(home: string, chainId: string, state: AppStateInput | unknown, config = ""): void {
  mkdirSync(join(home, "config"), { recursive: true });
  mkdirSync(join(home, "data"), { recursive: true });
  writeFileSync(
    join(home, "config", "genesis.json"),
    JSON.stringify({
      genesis_time: "2026-12-04T17:38:01.890259755Z",
      chain_id: chainId,
      initial_height: "0",
      app_state: state,
    }),
  );
  writeFileSync(join(home, "config", "config.toml"), config);
}

function codeOf(run: () => void): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ChainError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return undefined;
}

describe("the ledger checked against its CometBFT home's genesis", () => {
  let home: string;
  const paths = { dataDir: "/srv/app", ledgerFile: "/srv/app/ledger.sqlite" };
  const params = appStateSchema.parse(appState());
  const ledgerOf = (chainId: string, height = 5) => ({ height, chainId, params });

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "nym-genesis-check-"));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it("accepts a ledger made from the file's genesis, and a ledger without state", () => {
    writeHome(home, "nym-a", appState());
    mkdirSync(join(home, "data", "blockstore.db"));
    const genesis = readHomeGenesis(home);
    expect(codeOf(() => checkLedgerAgainstHome(genesis, ledgerOf("nym-a"), paths))).toBeUndefined();
    const empty = { height: 0, chainId: undefined, params: undefined };
    expect(codeOf(() => checkLedgerAgainstHome(genesis, empty, paths))).toBeUndefined();
  });

  it("refuses a ledger of another chain id with both reset commands when CometBFT has state", () => {
    writeHome(home, "nym-b", appState());
    mkdirSync(join(home, "data", "blockstore.db"));
    mkdirSync(join(home, "data", "state.db"));
    const message = codeOf(() => checkLedgerAgainstHome(readHomeGenesis(home), ledgerOf("nym-a"), paths));
    expect(message).toMatch(/^CHAIN_ERROR_GENESIS_MISMATCH: /);
    expect(message).toContain('chain id "nym-a", the file "nym-b"');
    expect(message).toContain(`\`cometbft unsafe-reset-all --home ${home}\``);
    expect(message).toContain("rm -f /srv/app/ledger.sqlite /srv/app/ledger.sqlite-wal /srv/app/ledger.sqlite-shm");
  });

  it("refuses a ledger whose app_state differs, and only names the ledger's deletion when CometBFT has no state", () => {
    writeHome(home, "nym-a", appState({ accounts: [{ address: rich.address, balance: "1" }] }));
    mkdirSync(join(home, "data", "blockstore.db"));
    const message = codeOf(() => checkLedgerAgainstHome(readHomeGenesis(home), ledgerOf("nym-a"), paths));
    expect(message).toMatch(/^CHAIN_ERROR_GENESIS_MISMATCH: .*another app_state/);
    expect(message).not.toContain("unsafe-reset-all");
    expect(message).toContain("rm -f /srv/app/ledger.sqlite");
  });

  it("refuses a ledger with blocks when CometBFT's block store is gone (CometBFT reset, the ledger not)", () => {
    writeHome(home, "nym-a", appState());
    const message = codeOf(() => checkLedgerAgainstHome(readHomeGenesis(home), ledgerOf("nym-a", 12), paths));
    expect(message).toMatch(/^CHAIN_ERROR_GENESIS_MISMATCH: .*has 12 blocks but .* has no block store/);
  });

  it("follows genesis_file and db_dir of config.toml", () => {
    writeHome(home, "ignored", appState(), 'genesis_file = "elsewhere/g.json"\ndb_dir = "db"\n');
    mkdirSync(join(home, "elsewhere"));
    writeFileSync(join(home, "elsewhere", "g.json"), JSON.stringify({ chain_id: "nym-c", app_state: appState() }));
    const genesis = readHomeGenesis(home);
    expect(genesis).toMatchObject({ chainId: "nym-c", genesisFile: join(home, "elsewhere", "g.json") });
    expect(genesis.dbDir).toBe(join(home, "db"));
  });

  it("says how to make the home when it has no genesis", () => {
    expect(codeOf(() => readHomeGenesis(join(home, "missing")))).toMatch(
      /^CHAIN_ERROR_GENESIS: cannot read the genesis .* `cometbft init --home /,
    );
  });

  it("refuses an InitChain from another genesis than the file (CometBFT's stored one) and accepts the file's", () => {
    writeHome(home, "nym-a", appState());
    const genesis = readHomeGenesis(home);
    const bytes = (s: unknown) => new TextEncoder().encode(JSON.stringify(s));
    // Whitespace and key order do not matter: the ledger compares what its schema makes of the app_state.
    const same = { chainId: "nym-a", appStateBytes: bytes(appState()), initialHeight: 1 };
    expect(codeOf(() => checkInitChainAgainstHome(genesis, same, paths))).toBeUndefined();
    const old = { ...same, appStateBytes: bytes(appState({ accounts: [{ address: rich.address, balance: "1" }] })) };
    const message = codeOf(() => checkInitChainAgainstHome(genesis, old, paths));
    expect(message).toMatch(/^CHAIN_ERROR_GENESIS_MISMATCH: CometBFT started the chain from another genesis/);
    expect(message).toContain(`\`cometbft unsafe-reset-all --home ${home}\``);
    expect(codeOf(() => checkInitChainAgainstHome(genesis, { ...same, chainId: "nym-z" }, paths))).toContain(
      'chain id "nym-z", the file "nym-a"',
    );
    expect(codeOf(() => checkInitChainAgainstHome(genesis, { ...same, initialHeight: 7 }, paths))).toContain(
      "initial height 7, the file 1",
    );
  });
});

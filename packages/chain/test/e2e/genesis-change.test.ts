import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { connectChain } from "@nym-ts/chain-client";
import { startTestnet, type Testnet } from "@nym-ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actor, appState } from "../fixtures.js";

const execFileAsync = promisify(execFile);

/** The node's genesis.json with `account` given `balance` in its app_state: a corrected genesis. */
function withAccount(home: string, account: string, balance: string): void {
  const path = join(home, "config", "genesis.json");
  const genesis = JSON.parse(readFileSync(path, "utf8")) as { app_state: { accounts: unknown[] } };
  genesis.app_state.accounts = [{ address: account, balance }];
  writeFileSync(path, `${JSON.stringify(genesis, null, 2)}\n`);
}

/**
 * CometBFT v0.38 stores the genesis in its state at the first start and from then on ignores genesis.json: a
 * corrected genesis silently changes nothing. nym-validator (given the node's CometBFT home, as startTestnet and the
 * localnet do) refuses to start on a ledger made from another genesis, and refuses CometBFT's InitChain when it comes
 * from another genesis than the file, naming the command that starts over. One real validator, in sequence.
 */
describe("a corrected genesis on a node that already ran (real CometBFT)", () => {
  let net: Testnet;
  let dir: string;
  const funded = actor("genesis-change-funded");

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "nym-chain-genesis-"));
    net = await startTestnet({ validators: 1, dir, appState: appState(), chainId: "nym-genesis-e2e" });
    await net.waitForHeight(2);
    await net.stop();
  });

  afterAll(async () => {
    await net?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("is refused at start, with the reset commands, and the documented reset then runs the corrected chain", async () => {
    const node = net.nodes[0];
    if (!node) throw new Error("no node");
    withAccount(node.home, funded.address, "777");

    // The ledger still holds the old chain: the app refuses to start and says how to start over.
    const refused = await node.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    await node.stop();
    expect(refused).toBeInstanceOf(Error);
    const appLog = readFileSync(join(node.home, "app.log"), "utf8");
    expect(appLog).toContain("CHAIN_ERROR_GENESIS_MISMATCH");
    expect(appLog).toContain(`cometbft unsafe-reset-all --home ${node.home}`);
    expect(appLog).toContain(join(node.home, "app", "ledger.sqlite"));

    // Only the ledger deleted: CometBFT replays the genesis it stored, which the app refuses at InitChain.
    rmSync(join(node.home, "app"), { recursive: true, force: true });
    const replayed = await node.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    await node.stop();
    expect(replayed).toBeInstanceOf(Error);
    const appLog2 = readFileSync(join(node.home, "app.log"), "utf8");
    expect(appLog2.slice(appLog.length)).toContain("CHAIN_ERROR_GENESIS_MISMATCH");
    expect(appLog2.slice(appLog.length)).toContain(`cometbft unsafe-reset-all --home ${node.home}`);

    // The documented fix: reset CometBFT and the ledger, start again; the chain now runs the corrected genesis.
    await execFileAsync("cometbft", ["unsafe-reset-all", "--home", node.home]);
    rmSync(join(node.home, "app"), { recursive: true, force: true });
    await node.start();
    await net.waitForHeight(1);
    const chain = await connectChain({ rpcUrl: node.rpcUrl });
    try {
      expect((await chain.account(funded.address)).balance).toBe(777n);
    } finally {
      chain.close();
    }
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildCredentialRequest,
  buildDepositCredential,
  buildTransferNotification,
  buildVerificationNotification,
  type ChainClient,
  type ChainEvent,
  connectChain,
  TX_CODES,
} from "@nym-ts/chain-client";
import { startTestnet, type Testnet } from "@nym-ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, actor, appState, ethTxHashOf, proofOf, verifiers, watchers, zetaOf } from "../fixtures.js";

/**
 * A node's block height moves when CometBFT stores a block, a moment before the app has committed it, so what another
 * node reports after `waitForHeight` is read until it settles rather than once.
 */
const SETTLE = { timeout: 15_000, interval: 100 };

/**
 * Four real CometBFT v0.38 validators on loopback, each driving its own nym-validator process over the ABCI socket.
 * The tests share the network but nothing else: each has its own accounts, zetas and Ethereum tx hashes, funds what
 * it spends itself, and checks changes rather than absolute balances, so each passes alone and in any order.
 */
describe("4-validator network (real CometBFT, real app processes)", () => {
  let net: Testnet;
  let dir: string;
  const clients: ChainClient[] = [];
  let chainId: string;
  const stranger = actor("e2e-stranger");

  const client = (i: number) => clients[i] as ChainClient;
  async function nonceOf(a: Actor): Promise<number> {
    return (await client(0).account(a.address)).nonce;
  }
  async function balanceOf(a: Actor, i = 0): Promise<bigint> {
    return (await client(i).account(a.address)).balance;
  }
  /** Credits `amount` to `to` with two watcher votes (the threshold) on an Ethereum tx hash of its own. */
  async function fund(to: Actor, amount: bigint, label: string): Promise<void> {
    for (const w of watchers.slice(0, 2)) {
      const tx = buildTransferNotification(
        w.key,
        { chainId, nonce: await nonceOf(w) },
        { ethTxHash: ethTxHashOf(`fund-${label}`), logIndex: 0, address: to.address, amount },
      );
      const result = await client(0).broadcastTxCommit(tx);
      expect(result.code).toBe(0);
      await net.waitForHeight(result.height);
    }
    await expect.poll(() => balanceOf(to), SETTLE).toBeGreaterThanOrEqual(amount);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "nym-chain-e2e-"));
    net = await startTestnet({ validators: 4, dir, appState: appState(), chainId: "nym-e2e" });
    for (const url of net.rpcUrls) clients.push(await connectChain({ rpcUrl: url }));
    await net.waitForHeight(2);
    chainId = await client(0).chainId();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await net?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("credits a deposit exactly once at the watcher threshold, despite a duplicate vote and an unknown key", async () => {
    const user = actor("e2e-credited-user");
    const before = await balanceOf(user);
    const credited: ChainEvent[] = [];
    const unsubscribe = await client(1).subscribe("transfer_credited", (e) => credited.push(e));
    const ethTxHash = ethTxHashOf("e2e-1");
    const vote = (w: Actor, nonce: number) =>
      buildTransferNotification(
        w.key,
        { chainId, nonce },
        { ethTxHash, logIndex: 3, address: user.address, amount: 1000n },
      );

    const first = await client(0).broadcastTxCommit(vote(watchers[0]!, await nonceOf(watchers[0]!)));
    expect(first.code).toBe(0);
    // The same watcher again (a fresh nonce, so it reaches the state machine): refused as a duplicate.
    const dup = await client(1).broadcastTxCommit(vote(watchers[0]!, await nonceOf(watchers[0]!)));
    expect(dup.code).toBe(TX_CODES.CHAIN_ERROR_DUPLICATE_VOTE);
    const unknown = await client(2).broadcastTxCommit(vote(stranger, await nonceOf(stranger)));
    expect(unknown.code).toBe(TX_CODES.CHAIN_ERROR_UNAUTHORIZED);
    expect(await balanceOf(user)).toBe(before);

    const second = await client(3).broadcastTxCommit(vote(watchers[1]!, await nonceOf(watchers[1]!)));
    expect(second.code).toBe(0);
    expect(second.events.map((e) => e.type)).toContain("transfer_credited");
    const third = await client(2).broadcastTxCommit(vote(watchers[2]!, await nonceOf(watchers[2]!)));
    expect(third.code).toBe(0);
    expect(third.events.map((e) => e.type)).not.toContain("transfer_credited");

    await net.waitForHeight(third.height); // every node has the block before each is asked
    for (const c of clients)
      await expect.poll(async () => (await c.account(user.address)).balance, SETTLE).toBe(before + 1000n);
    const mine = () => credited.filter((e) => e.attributes.eth_tx_hash === ethTxHash);
    await waitUntil(() => mine().length >= 1);
    await sleep(300);
    expect(mine()).toHaveLength(1);
    expect(mine()[0]?.attributes).toMatchObject({ address: user.address, amount: "1000", log_index: "3" });
    unsubscribe();
  });

  it("rejects a replayed nonce", async () => {
    const user = actor("e2e-replay-user");
    await fund(user, 100n, "replay-user");
    const before = await balanceOf(user);
    const nonce = await nonceOf(user);
    const request = (value: bigint) =>
      buildCredentialRequest(
        user.key,
        { chainId, nonce },
        { value, blindSignRequest: "0x0102", publicAttributes: ["0x05"] },
      );
    const first = await client(0).broadcastTxCommit(request(10n));
    expect(first.code).toBe(0);
    await net.waitForHeight(first.height);
    const replay = await client(1).broadcastTxSync(request(11n));
    expect(replay.code).toBe(TX_CODES.CHAIN_ERROR_NONCE);
    await expect
      .poll(() => client(2).credentialRequest(first.hash), SETTLE)
      .toMatchObject({ requester: user.address, value: "10", blindSignRequest: "0x0102" });
    await expect.poll(() => balanceOf(user, 3), SETTLE).toBe(before - 10n);
  });

  it("delivers a sender's consecutive nonces in order through broadcastTxsAsync batches", async () => {
    const user = actor("e2e-batch-user");
    await fund(user, 100n, "batch-user");
    const first = await nonceOf(user);
    const before = (await client(0).account(user.address)).balance;
    const txs = Array.from({ length: 12 }, (_, i) =>
      buildCredentialRequest(
        user.key,
        { chainId, nonce: first + i },
        { value: 1n, blindSignRequest: `0x${(i + 1).toString(16).padStart(2, "0")}` },
      ),
    );
    const results = await client(2).broadcastTxsAsync(txs);
    expect(results.every((r) => r.error === undefined)).toBe(true);
    const deadline = Date.now() + 20_000;
    while ((await nonceOf(user)) < first + 12 && Date.now() < deadline) await sleep(100);
    expect(await nonceOf(user)).toBe(first + 12);
    await net.waitForHeight((await client(0).status()).height);
    await expect.poll(() => balanceOf(user, 1), SETTLE).toBe(before - 12n);
    for (const r of results)
      await expect.poll(() => client(3).credentialRequest(r.hash), SETTLE).toMatchObject({ value: "1" });
  });

  it("rejects a second deposit of one zeta; the verifier threshold marks it spent and credits the SP", async () => {
    const sp = actor("e2e-deposit-sp");
    const spBefore = await balanceOf(sp);
    const zeta = zetaOf("e2e-zeta");
    const deposits: ChainEvent[] = [];
    const unsubscribe = await client(0).subscribe("deposit_credential", (e) => deposits.push(e));
    const deposit = async (who: Actor) =>
      buildDepositCredential(
        who.key,
        { chainId, nonce: await nonceOf(who) },
        { zeta, value: 25n, proof: proofOf(zeta) },
      );
    const first = await client(0).broadcastTxCommit(await deposit(sp));
    expect(first.code).toBe(0);
    await net.waitForHeight(first.height);
    const again = await client(1).broadcastTxCommit(await deposit(stranger));
    expect(again.code).toBe(TX_CODES.CHAIN_ERROR_ZETA_IN_USE);
    await expect.poll(async () => (await client(2).zeta(zeta)).status, SETTLE).toBe("being_verified");
    const mine = () => deposits.filter((e) => e.attributes.zeta === zeta);
    await waitUntil(() => mine().length >= 1);
    expect(mine()[0]?.attributes).toMatchObject({ zeta, sp: sp.address, value: "25" });
    // The event names the zeta; a verifier reacting to it reads the proof with the zeta query.
    expect(mine()[0]?.attributes.proof).toBeUndefined();
    await expect
      .poll(async () => (await client(3).zeta(mine()[0]?.attributes.zeta as string)).proof, SETTLE)
      .toBe(proofOf(zeta));

    const vote = async (v: Actor) =>
      buildVerificationNotification(v.key, { chainId, nonce: await nonceOf(v) }, { zeta, valid: true });
    expect((await client(1).broadcastTxCommit(await vote(verifiers[0]!))).code).toBe(0);
    expect((await client(0).zeta(zeta)).status).toBe("being_verified");
    const decisive = await client(2).broadcastTxCommit(await vote(verifiers[1]!));
    expect(decisive.code).toBe(0);
    expect(decisive.events.map((e) => e.type)).toContain("zeta_spent");
    // A commit answer means the node it went to has the block; the others may be a moment behind.
    await net.waitForHeight(decisive.height);
    for (const c of clients) {
      await expect.poll(async () => (await c.zeta(zeta)).status, SETTLE).toBe("spent");
      await expect.poll(async () => (await c.account(sp.address)).balance, SETTLE).toBe(spBefore + 25n);
    }
    unsubscribe();
  });

  it("keeps producing blocks with one validator killed; the restarted one catches up with an equal app hash", async () => {
    const sp = actor("e2e-restart-target");
    const before = await balanceOf(sp);
    const victim = net.nodes[3]!;
    const events: ChainEvent[] = [];
    // Subscribed through the victim: the client must reconnect and replay what it missed while the node was down.
    const unsubscribe = await client(3).subscribe("transfer_credited", (e) => events.push(e));
    await victim.stop({ kill: true });
    const alive = net.nodes.slice(0, 3);
    const h0 = (await client(0).status()).height;
    await net.waitForHeight(h0 + 3, { nodes: alive, timeoutMs: 30_000 });

    // State changes while the victim is down, so catching up means replaying real txs.
    const ethTxHash = ethTxHashOf("e2e-while-down");
    for (const w of watchers.slice(0, 2)) {
      const tx = buildTransferNotification(
        w.key,
        { chainId, nonce: await nonceOf(w) },
        { ethTxHash, logIndex: 0, address: sp.address, amount: 5n },
      );
      expect((await client(0).broadcastTxCommit(tx)).code).toBe(0);
    }
    const target = (await client(0).status()).height;

    await victim.start();
    await net.waitForHeight(target + 2, { nodes: [victim], timeoutMs: 60_000 });
    await expect.poll(() => balanceOf(sp, 3), SETTLE).toBe(before + 5n);

    // The victim's own app, asked over ABCI Info, must hold the hash the others agreed on in the next header.
    const info = await client(3).appInfo();
    await net.waitForHeight(info.height + 1, { nodes: alive });
    expect(info.appHash).toBe(await client(0).appHashAfter(info.height));
    expect(info.appHash).toBe(await client(1).appHashAfter(info.height));

    // Only this test's credits: other tests (before this one, in any order) credit other hashes.
    const later = ethTxHashOf("e2e-after-restart");
    const mine = (list: ChainEvent[]) =>
      list.filter((e) => e.attributes.eth_tx_hash === ethTxHash || e.attributes.eth_tx_hash === later);
    await waitUntil(() => mine(events).length >= 1, 20_000);
    expect(mine(events)[0]?.attributes).toMatchObject({ address: sp.address, amount: "5", eth_tx_hash: ethTxHash });

    // And live events flow again through the restarted node's websocket.
    for (const w of watchers.slice(1, 3)) {
      const tx = buildTransferNotification(
        w.key,
        { chainId, nonce: await nonceOf(w) },
        { ethTxHash: later, logIndex: 1, address: sp.address, amount: 6n },
      );
      expect((await client(3).broadcastTxCommit(tx)).code).toBe(0);
    }
    await waitUntil(() => mine(events).length >= 2, 20_000);
    expect(mine(events)[1]?.attributes).toMatchObject({ amount: "6", eth_tx_hash: later });
    await sleep(300);
    expect(mine(events)).toHaveLength(2);
    unsubscribe();

    // A late subscriber asking for history gets every credit since genesis, once each, in block order.
    const history: ChainEvent[] = [];
    const stopHistory = await client(1).subscribe("transfer_credited", (e) => history.push(e), { fromHeight: 1 });
    await waitUntil(() => mine(history).length >= 2);
    await sleep(300);
    expect(mine(history).map((e) => e.attributes.amount)).toEqual(["5", "6"]);
    expect(history.map((e) => e.height)).toEqual([...history.map((e) => e.height)].sort((a, b) => a - b));
    stopHistory();
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

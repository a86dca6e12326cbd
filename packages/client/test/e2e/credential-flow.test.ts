import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hexToBytes } from "@nym-ts/chain-client";
import { decodeSignature } from "@nym-ts/coconut";
import { proveSpend, ServiceProviderClient, type SpendAnswer } from "@nym-ts/credentials";
import { type CredentialNetwork, startCredentialNetwork } from "@nym-ts/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli.js";
import {
  balance,
  collectCredential,
  pay,
  requestCredential,
  runDemo,
  spendCredential,
} from "../../src/credentials/index.js";
import { accountKeyFile, newCredentialClient, type TestClient } from "../helpers/credential-client.js";

const NYM = 1_000_000n;
const BIN = fileURLToPath(new URL("../../src/bin.ts", import.meta.url));

/** Runs nymclient from source in a child process; resolves with its exit code and stdout's JSON lines. */
function nymclient(args: string[]): Promise<{ code: number; lines: Record<string, unknown>[] }> {
  const child = spawn(process.execPath, ["--conditions=@nym-ts/source", "--import", "tsx", BIN, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve) => {
    child.on("exit", (code) =>
      resolve({
        code: code ?? -1,
        lines: out
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    );
  });
}

/**
 * The credential flow with nymclient's commands in this process, against the whole network on loopback: anvil with
 * the NYM token, a 4-validator chain, 3 watchers (threshold 2), 3 issuers (t = 2), 3 verifiers (threshold 2), two
 * SPs (HTTP and mixnet endpoints) and a loopback mixnet. Alice's account starts with a genesis balance, so every test
 * but the payment one can run alone.
 */
describe("nymclient credentials against a real network", () => {
  let net: CredentialNetwork;
  let alice: TestClient;
  const aliceKey = accountKeyFile();
  const spBalance = async (i: number) => (await net.chain.account(net.serviceProviders[i]?.address as string)).balance;
  /**
   * What `read` gives once it equals `expected`, or its last value after 10 s: the SPs follow other validators than
   * the test's, which may commit the same block a little later.
   */
  async function settled<T>(read: () => Promise<T>, expected: T): Promise<T> {
    const deadline = Date.now() + 10_000;
    let value = await read();
    while (value !== expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      value = await read();
    }
    return value;
  }

  /** A credential of `value` requested and collected: its id. */
  async function issued(value: bigint): Promise<string> {
    const { id } = await requestCredential(alice.ctx, value);
    await collectCredential(alice.ctx, { id });
    return id;
  }

  /** A proof of the stored credential `id` bound to SP `i`, made outside the client's store (as a cheat would). */
  async function proofFor(id: string, i: number): Promise<{ theta: string; value: string }> {
    const c = alice.ctx.store.get(id);
    if (!c?.signature) throw new Error("not issued");
    const params = await alice.ctx.params();
    const spend = proveSpend(
      params,
      await alice.ctx.verificationKey(),
      decodeSignature(params, hexToBytes(c.signature)),
      { serial: c.serial, binding: c.binding },
      c.value,
      net.serviceProviders[i]?.address as string,
    );
    return { theta: spend.theta, value: spend.value };
  }

  beforeAll(async () => {
    net = await startCredentialNetwork({
      serviceProviders: 2,
      mixnet: true,
      accounts: [{ address: aliceKey.address, balance: (100n * NYM).toString() }],
    });
    alice = await newCredentialClient(net, "alice", 20n * NYM, { keyFile: aliceKey.keyFile });
  }, 180_000);

  afterAll(async () => {
    await alice?.ctx.close();
    await net?.stop();
  }, 60_000);

  it("pays in: the transfer is confirmed, the watchers notify, the chain credits the account once", async () => {
    const before = await balance(alice.ctx);
    const stages: string[] = [];
    const result = await pay(alice.ctx, 10n * NYM, (event) => stages.push(String(event.stage)));
    expect(result.balanceAfter - result.balanceBefore).toBe(10n * NYM);
    expect(stages.slice(0, 3)).toEqual(["sending", "sent", "included"]);
    expect(stages).toContain("confirming");
    expect(stages).toContain("notified");
    expect(stages.at(-1)).toBe("credited");
    const after = await balance(alice.ctx);
    expect(after.ethereumBalance).toBe((before.ethereumBalance ?? 0n) - 10n * NYM);
    // All three watchers vote in the end; the late vote credits nothing more.
    const deadline = Date.now() + 20_000;
    while ((await net.chain.transfer(result.ethTxHash, result.logIndex))?.voters.length !== 3) {
      if (Date.now() > deadline) throw new Error("the third watcher never voted");
      await new Promise((r) => setTimeout(r, 100));
    }
    const view = await net.chain.transfer(result.ethTxHash, result.logIndex);
    expect(view?.credited).toEqual({ address: alice.address, amount: (10n * NYM).toString() });
    expect((await balance(alice.ctx)).balance).toBe(result.balanceBefore + 10n * NYM);
  }, 60_000);

  it("requests a credential: the value is debited and the request is on chain under its id", async () => {
    const before = (await balance(alice.ctx)).balance;
    const r = await requestCredential(alice.ctx, 2n * NYM);
    expect(r.balanceAfter).toBe(before - 2n * NYM);
    const onChain = await net.chain.credentialRequest(r.id);
    expect(onChain?.requester).toBe(alice.address);
    expect(onChain?.value).toBe((2n * NYM).toString());
    expect(alice.ctx.store.get(r.id)?.status).toBe("requested");
  }, 30_000);

  it("collects t partials from the directory's issuers, verifies and aggregates them", async () => {
    const { id } = await requestCredential(alice.ctx, NYM);
    const statuses: string[] = [];
    const r = await collectCredential(alice.ctx, { id }, (e) => {
      if (e.type === "issuer") statuses.push(String(e.status));
    });
    expect(r.issuers.length).toBeGreaterThanOrEqual(2);
    expect(r.skipped).toEqual([]);
    expect(statuses).not.toContain("bad-partial");
    const stored = alice.ctx.store.get(id);
    expect(stored?.status).toBe("issued");
    expect(stored?.signature).toMatch(/^0x[0-9a-f]+$/);
  }, 60_000);

  it("spends over HTTP at an SP named by address: true, the zeta is spent, the SP credited exactly once", async () => {
    const id = await issued(3n * NYM);
    const before = await spBalance(0);
    const sp = net.serviceProviders[0]?.address as string;
    const r = await spendCredential(alice.ctx, { provider: sp, id });
    expect(r.answer).toMatchObject({ accepted: true, outcome: "spent" });
    expect(r.sp).toBe(sp);
    expect(await settled(async () => (await net.chain.zeta(r.zeta)).status, "spent")).toBe("spent");
    expect(await settled(() => spBalance(0), before + 3n * NYM)).toBe(before + 3n * NYM);
    expect(alice.ctx.store.get(id)?.status).toBe("spent");
    // Every verifier votes in the end; the votes after the threshold credit nothing more.
    expect(await settled(async () => (await net.chain.zeta(r.zeta)).valid?.length, 3)).toBe(3);
    expect(await spBalance(0)).toBe(before + 3n * NYM);
    // The client never hands it out again.
    await expect(spendCredential(alice.ctx, { provider: sp, id })).rejects.toMatchObject({
      code: "CLIENT_ERROR_NO_CREDENTIAL",
    });
    expect(await spBalance(0)).toBe(before + 3n * NYM);
  }, 90_000);

  it("double spend at one SP: two concurrent spends of one credential give exactly one true", async () => {
    const id = await issued(NYM);
    const before = await spBalance(0);
    const client = new ServiceProviderClient(net.serviceProviders[0]?.url as string);
    const answers: SpendAnswer[] = await Promise.all([
      client.spend(await proofFor(id, 0)),
      client.spend(await proofFor(id, 0)),
    ]);
    expect(answers.filter((a) => a.accepted)).toHaveLength(1);
    expect(answers.find((a) => !a.accepted)?.outcome).toBe("double_spend");
    expect(await settled(() => spBalance(0), before + NYM)).toBe(before + NYM);
  }, 90_000);

  it("double spend at two SPs: concurrent spends of one credential give exactly one true", async () => {
    const id = await issued(NYM);
    const before = (await spBalance(0)) + (await spBalance(1));
    const [a, b] = [0, 1].map((i) => new ServiceProviderClient(net.serviceProviders[i]?.url as string));
    const answers = await Promise.all([a?.spend(await proofFor(id, 0)), b?.spend(await proofFor(id, 1))]);
    expect(answers.filter((x) => x?.accepted)).toHaveLength(1);
    expect(answers.find((x) => !x?.accepted)?.outcome).toBe("double_spend");
    const total = async () => (await spBalance(0)) + (await spBalance(1));
    expect(await settled(total, before + NYM)).toBe(before + NYM);
  }, 90_000);

  it("spends over the mixnet to the SP's mixnet address, the answer coming back through a SURB", async () => {
    const id = await issued(NYM);
    const before = await spBalance(1);
    expect(net.serviceProviders[1]?.mixnetAddress).toMatch(/@/);
    const r = await spendCredential(alice.ctx, {
      provider: net.serviceProviders[1]?.url as string,
      id,
      viaMixnet: true,
    });
    expect(r.via).toBe("mixnet");
    expect(r.answer).toMatchObject({ accepted: true, outcome: "spent" });
    expect(await settled(() => spBalance(1), before + NYM)).toBe(before + NYM);
    expect(alice.ctx.store.get(id)?.status).toBe("spent");
  }, 90_000);

  it("demo over the mixnet: the spend goes there, then a message with a reply SURB goes round it and the reply comes back", async () => {
    const before = await spBalance(1);
    const lines: Record<string, unknown>[] = [];
    const result = await runDemo(
      alice.ctx,
      { amount: NYM, value: NYM, provider: net.serviceProviders[1]?.url as string, viaMixnet: true },
      (line) => lines.push(line),
    );
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.step)).toEqual(["pay", "credit", "request", "collect", "spend", "message"]);
    const spend = lines.find((l) => l.step === "spend");
    expect(spend).toMatchObject({ ok: true, via: "mixnet", outcome: "spent" });
    const message = lines.find((l) => l.step === "message");
    expect(message).toMatchObject({ ok: true, via: "mixnet", to: "self", reply: "reply: hello through the mixnet" });
    expect(message?.replyMs).toBeGreaterThan(0);
    expect(await settled(() => spBalance(1), before + NYM)).toBe(before + NYM);
  }, 120_000);

  it("demo names the failing step and stops there (an SP that is not listening)", async () => {
    const lines: Record<string, unknown>[] = [];
    const result = await runDemo(alice.ctx, { amount: NYM, value: NYM, provider: "http://127.0.0.1:9" }, (e) =>
      lines.push(e),
    );
    expect(result.ok).toBe(false);
    expect(result.failedStep).toBe("spend");
    expect(result.steps.map((s) => `${s.step}:${s.ok}`)).toEqual([
      "pay:true",
      "credit:true",
      "request:true",
      "collect:true",
      "spend:false",
    ]);
    expect(lines.at(-1)).toMatchObject({ type: "demo", ok: false, failedStep: "spend" });
  }, 90_000);

  it("runs through runCli: balance and credential list print JSON lines without secrets", async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      expect(await runCli(["balance", "--dir", alice.dir])).toBe(0);
      expect(await runCli(["credential", "list", "--dir", alice.dir])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const lines = printed
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: "balance", address: alice.address });
    const listed = lines.filter((l) => l.type === "credential");
    expect(listed.length).toBe(alice.ctx.store.list().length);
    const text = printed.join("");
    for (const c of alice.ctx.store.list()) {
      expect(text).not.toContain(c.serial.toString(16));
      if (c.signature) expect(text).not.toContain(c.signature.slice(2));
    }
  }, 30_000);

  it("the nymclient binary: credential init, then demo runs every step and exits 0", async () => {
    const dir = join(net.dir, "clients", "dave");
    mkdirSync(dir, { recursive: true });
    const init = await nymclient([
      "credential",
      "init",
      "--dir",
      dir,
      "--chain",
      net.chainRpcUrl,
      "--ethereum",
      net.ethereum.rpcUrl,
      "--token",
      net.ethereum.tokenAddress,
      "--confirmations",
      String(net.ethereum.confirmations),
      "--directory",
      net.directoryUrl,
    ]);
    expect(init.code).toBe(0);
    const address = init.lines[0]?.address as string;
    expect(address).toMatch(/^0x[0-9a-f]{40}$/);
    await net.fund(address, { nym: 5n * NYM, eth: 10n ** 18n });
    const before = await spBalance(0);
    const demo = await nymclient([
      "demo",
      "--dir",
      dir,
      "--value",
      "2",
      "--amount",
      "3",
      "--provider",
      net.serviceProviders[0]?.url as string,
      "--ethereum.pollIntervalMs",
      "100",
      "--credentials.pollIntervalMs",
      "50",
    ]);
    expect(demo.code).toBe(0);
    const steps = demo.lines.filter((l) => l.type === "step");
    expect(steps.map((l) => l.step)).toEqual(["pay", "credit", "request", "collect", "spend"]);
    for (const step of steps) {
      expect(step.ok).toBe(true);
      expect(step.ms).toEqual(expect.any(Number));
    }
    expect(demo.lines.at(-1)).toMatchObject({ type: "demo", ok: true });
    expect(await settled(() => spBalance(0), before + 2n * NYM)).toBe(before + 2n * NYM);
  }, 120_000);
});

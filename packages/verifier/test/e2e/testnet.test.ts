import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  addressFromSecretKey,
  buildDepositCredential,
  bytesToHex,
  type ChainClient,
  connectChain,
  randomSecretKey,
} from "@nym-ts/chain-client";
import { createLogger, writeKeyFile } from "@nym-ts/common";
import type { Spend } from "@nym-ts/credentials";
import { startTestnet, type Testnet } from "@nym-ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type Verifier, type VotesAnswer } from "../../src/index.js";
import { type CredentialKit, credentialKit, issueSpend } from "../helpers/credentials.js";

const BIN = resolve(fileURLToPath(import.meta.url), "../../../src/bin.ts");
const log = createLogger({ name: "e2e", level: "warn" });

interface Account {
  key: Uint8Array;
  address: string;
}
const account = (): Account => {
  const key = randomSecretKey();
  return { key, address: addressFromSecretKey(key) };
};

const verifierAccounts = [account(), account(), account()];
const spA = account();
const spB = account();

let dir: string;
let kit: CredentialKit;
let testnet: Testnet;
let chain: ChainClient;
const clients: ChainClient[] = [];
/** Verifiers 0 and 1 run in this process; verifier 2 is the nym-verifier binary in a child process. */
const inProcess: Verifier[] = [];
let child: { process: ChildProcess; url: string; exited: Promise<void> } | undefined;

async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A port nothing listens on now (the OS's pick), for the child process to bind. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  return typeof address === "object" && address ? address.port : 0;
}

/** Starts verifier 2 as the `nym-verifier` binary (its data directory kept across restarts); resolves when healthy. */
async function spawnVerifier2(): Promise<void> {
  const dataDir = join(dir, "verifier2");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeKeyFile(join(dataDir, "chain.key"), bytesToHex(verifierAccounts[2]?.key as Uint8Array));
  } catch {
    // written by the first start
  }
  const port = await freePort();
  const configFile = join(dir, "verifier2.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir,
      chain: { rpcUrl: testnet.rpcUrls[2], pollIntervalMs: 50, stallMs: 1_500 },
      verify: { retryInitialMs: 100, retryMaxMs: 1_000 },
      http: { host: "127.0.0.1", port },
      log: { level: "warn" },
    }),
  );
  const proc = spawn(
    process.execPath,
    ["--conditions=@nym-ts/source", "--import", "tsx", BIN, "--config", configFile],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const exited = new Promise<void>((done) => proc.once("exit", () => done()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => {
    if (proc.exitCode !== null) throw new Error(`nym-verifier exited with ${proc.exitCode}`);
    try {
      return (await fetch(`${url}/health`)).status === 200;
    } catch {
      return false;
    }
  }, "nym-verifier to be healthy");
  child = { process: proc, url, exited };
}

async function startInProcess(i: number): Promise<Verifier> {
  const client = await connectChain({ rpcUrl: testnet.rpcUrls[i] as string });
  clients.push(client);
  const verifier = createVerifier(
    {
      dataDir: join(dir, `verifier${i}`),
      chain: { pollIntervalMs: 50, stallMs: 1_500 },
      verify: { retryInitialMs: 100, retryMaxMs: 1_000 },
      http: { port: 0 },
    },
    { log: log.child({ verifier: i }), chain: client, secretKey: verifierAccounts[i]?.key as Uint8Array },
  );
  await verifier.start();
  inProcess[i] = verifier;
  return verifier;
}

async function deposit(sp: Account, spends: readonly Spend[]): Promise<void> {
  const chainId = await chain.chainId();
  let { nonce } = await chain.account(sp.address);
  for (const s of spends) {
    const tx = buildDepositCredential(
      sp.key,
      { chainId, nonce: nonce++ },
      { zeta: s.zeta, value: s.value, proof: s.theta },
    );
    const r = await chain.broadcastTxSync(tx);
    expect(r.code).toBe(0);
  }
  const target = nonce;
  await waitUntil(async () => (await chain.account(sp.address)).nonce >= target, "deposits committed");
}

async function votesAt(url: string, zeta: string): Promise<VotesAnswer> {
  const response = await fetch(`${url}/v1/votes/${zeta}`);
  expect(response.status).toBe(200);
  return (await response.json()) as VotesAnswer;
}

/** The verifier's record of `zeta`'s deposit once it is no longer pending; undefined before (or 404: not seen yet). */
async function settledAt(url: string, zeta: string): Promise<VotesAnswer["deposits"][number] | undefined> {
  const response = await fetch(`${url}/v1/votes/${zeta}`);
  if (response.status === 404) return undefined;
  const record = ((await response.json()) as VotesAnswer).deposits[0];
  return record?.status === "pending" ? undefined : record;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "verifier-e2e-"));
  kit = await credentialKit(2, 3);
  const other = account().address as `0x${string}`;
  testnet = await startTestnet({
    validators: 4,
    dir: join(dir, "testnet"),
    appLogLevel: "warn",
    appState: {
      pipeAccount: other,
      watchers: { threshold: 1, members: [other] },
      verifiers: { threshold: 2, members: verifierAccounts.map((a) => a.address as `0x${string}`) },
      issuers: kit.issuers,
      accounts: [],
    },
  });
  await testnet.waitForHeight(2);
  chain = await connectChain({ rpcUrl: testnet.rpcUrls[3] as string });
  clients.push(chain);
  await startInProcess(0);
  await startInProcess(1);
  await spawnVerifier2();
}, 120_000);

afterAll(async () => {
  for (const v of inProcess) await v?.stop();
  if (child && child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill("SIGTERM");
    await child.exited;
  }
  for (const c of clients) c.close();
  await testnet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("3 verifiers (threshold 2) on a 4-validator testnet with real credentials", () => {
  it("a valid proof deposited by its SP becomes spent, the SP is credited exactly once, and each verifier votes once", async () => {
    const spend = issueSpend(kit, 30n, spA.address);
    const balanceBefore = (await chain.account(spA.address)).balance;
    await deposit(spA, [spend]);
    await waitUntil(async () => (await chain.zeta(spend.zeta)).status === "spent", "spent");
    await waitUntil(async () => (await chain.zeta(spend.zeta)).valid?.length === 3, "all three votes");
    const view = await chain.zeta(spend.zeta);
    expect(new Set(view.valid)).toEqual(new Set(verifierAccounts.map((a) => a.address)));
    expect((await chain.account(spA.address)).balance - balanceBefore).toBe(30n);
    for (const url of [inProcess[0]?.httpUrl, inProcess[1]?.httpUrl, child?.url] as string[]) {
      await waitUntil(async () => (await settledAt(url, spend.zeta)) !== undefined, "recorded");
      const answer = await votesAt(url, spend.zeta);
      expect(answer.deposits).toMatchObject([{ sp: spA.address, value: "30", status: "voted", valid: true }]);
    }
  });

  it("a proof bound to another SP is voted invalid and released; the depositor is never credited", async () => {
    const spend = issueSpend(kit, 50n, spA.address);
    await deposit(spB, [spend]);
    await waitUntil(async () => (await chain.zeta(spend.zeta)).status === "released", "released");
    const view = await chain.zeta(spend.zeta);
    expect(view.sp).toBe(spB.address);
    expect(view.invalid?.length).toBeGreaterThanOrEqual(2);
    expect(view.valid).toEqual([]);
    expect((await chain.account(spB.address)).balance).toBe(0n);
    // A vote arriving after the release is refused (CHAIN_ERROR_ZETA_NOT_PENDING): that verifier records the deposit
    // as decided without it. Either way every verifier judged the proof invalid for this SP.
    for (const url of [inProcess[0]?.httpUrl, inProcess[1]?.httpUrl, child?.url] as string[]) {
      await waitUntil(async () => (await settledAt(url, spend.zeta)) !== undefined, "judged");
      const record = await settledAt(url, spend.zeta);
      expect(record).toMatchObject({ sp: spB.address, valid: false, reason: "does_not_verify" });
      expect(["voted", "skipped"]).toContain(record?.status);
    }
  });

  it("a verifier killed and restarted mid-stream decides each zeta once: no vote lost or doubled", async () => {
    // With verifier 1 stopped, every decision needs verifiers 0 and 2: the killed one must vote on each zeta.
    // Verifier 1 is started again at the end, so the other tests find all three running whatever the order.
    await inProcess[1]?.stop();
    try {
      const v2 = verifierAccounts[2]?.address as string;
      const nonceBefore = (await chain.account(v2)).nonce;
      const balanceBefore = (await chain.account(spA.address)).balance;
      const rounds = [0, 1, 2].map((r) =>
        Array.from({ length: 4 }, (_, i) => issueSpend(kit, BigInt(r * 4 + i + 1), spA.address)),
      );
      const all = rounds.flat();

      await deposit(spA, rounds[0] as Spend[]);
      await waitUntil(async () => {
        for (const s of rounds[0] as Spend[])
          if ((await chain.zeta(s.zeta)).valid?.includes(v2 as `0x${string}`)) return true;
        return false;
      }, "a first vote of verifier 2");
      child?.process.kill("SIGKILL");
      await child?.exited;
      await deposit(spA, rounds[1] as Spend[]);
      for (const s of rounds[1] as Spend[]) expect((await chain.zeta(s.zeta)).status).toBe("being_verified");
      await spawnVerifier2();
      await deposit(spA, rounds[2] as Spend[]);

      for (const s of all) await waitUntil(async () => (await chain.zeta(s.zeta)).status === "spent", "spent");
      for (const s of all) {
        const view = await chain.zeta(s.zeta);
        expect(view.valid?.filter((a) => a === v2)).toHaveLength(1);
        await waitUntil(async () => (await settledAt(child?.url as string, s.zeta)) !== undefined, "recorded");
        const answer = await votesAt(child?.url as string, s.zeta);
        expect(answer.deposits).toMatchObject([{ status: "voted", valid: true }]);
      }
      // One committed vote tx per zeta: none lost (all spent with its vote), none doubled (no extra tx in a block).
      expect((await chain.account(v2)).nonce - nonceBefore).toBe(all.length);
      const credited = all.reduce((sum, s) => sum + BigInt(s.value), 0n);
      expect((await chain.account(spA.address)).balance - balanceBefore).toBe(credited);
    } finally {
      await startInProcess(1);
    }
  });
});

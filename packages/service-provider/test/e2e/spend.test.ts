import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChainClient, connectChain } from "@nym-ts/chain-client";
import { createLogger, type Service } from "@nym-ts/common";
import {
  MixnetSpendAnswer,
  type MixnetSpendMessage,
  ServiceProviderClient,
  type SpendAnswer,
} from "@nym-ts/credentials";
import { createDirectoryClient } from "@nym-ts/directory-client";
import { MixClient } from "@nym-ts/mixnet-node";
import { type LoopbackMixnet, startLoopbackMixnet, startTestnet, type Testnet } from "@nym-ts/testkit";
import { createVerifierDaemon, initVerifierKeys, keyPaths, VerifierConfig } from "@nym-ts/verifier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createServiceProvider,
  initServiceProviderKeys,
  type ServiceProvider,
  ServiceProviderConfigSchema,
} from "../../src/index.js";
import { type CredentialWorld, credentialWorld } from "../helpers/credentials.js";

const log = createLogger({ name: "sp-e2e", level: "silent" });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  return typeof address === "object" && address ? address.port : 0;
}

/** The request fields of a client's `Spend` (its zeta stays with the client). */
const request = (s: { theta: string; value: string }) => ({ theta: s.theta, value: s.value });

describe("the SP on a real 4-validator testnet with 3 verifier daemons (threshold 2) and a loopback mixnet", () => {
  let dir: string;
  let world: CredentialWorld;
  let testnet: Testnet;
  let chain: ChainClient;
  let mixnet: LoopbackMixnet;
  const verifiers: Service[] = [];
  let sp: ServiceProvider;
  let http: ServiceProviderClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sp-e2e-"));
    // Three verifiers' keys first: their addresses go into the genesis, with the dealt issuers' keys.
    const verifierDirs = [0, 1, 2].map((i) => join(dir, `verifier${i}`));
    const verifierAddresses = verifierDirs.map((d) => {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      return initVerifierKeys(keyPaths(d)).address;
    });
    world = await credentialWorld(verifierAddresses, 2);
    [testnet, mixnet] = await Promise.all([
      startTestnet({ validators: 4, dir: join(dir, "testnet"), appState: world.appState, appLogLevel: "warn" }),
      startLoopbackMixnet({ dir: join(dir, "mixnet"), log }),
    ]);
    await testnet.waitForHeight(2);
    chain = await connectChain({ rpcUrl: testnet.rpcUrls[3] as string });
    // The verifier daemons (nym-verifier as a library), each on its own validator.
    for (const [i, dataDir] of verifierDirs.entries()) {
      const config = VerifierConfig.parse({
        dataDir,
        chain: { rpcUrl: testnet.rpcUrls[i], pollIntervalMs: 50 },
        verify: { retryInitialMs: 100, retryMaxMs: 2_000 },
        http: { host: "127.0.0.1", port: 0 },
        log: { level: "silent" },
      });
      const verifier = createVerifierDaemon(config, { log });
      await verifier.start();
      verifiers.push(verifier);
    }
    const spDir = join(dir, "sp");
    initServiceProviderKeys(spDir);
    const port = await freePort();
    sp = createServiceProvider(
      ServiceProviderConfigSchema.parse({
        dataDir: spDir,
        chain: { rpcUrl: testnet.rpcUrls[3] },
        spend: { decisionTimeoutMs: 30_000, pollIntervalMs: 500 },
        http: { host: "127.0.0.1", port },
        directory: { url: mixnet.directoryUrl, apiUrl: `http://127.0.0.1:${port}`, registerIntervalMs: 2_000 },
        // No gateway named: the SP picks one from the topology and keeps it.
        mixnet: { directoryUrl: mixnet.directoryUrl, lambdaP: 50, lambdaD: 0, lambdaL: 0, meanDelayMs: 2 },
        log: { level: "silent" },
      }),
      { log, params: world.params },
    );
    await sp.start();
    await sp.ready;
    http = new ServiceProviderClient(sp.url(), { timeoutMs: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await sp?.stop();
    for (const v of verifiers) await v.stop();
    chain?.close();
    await mixnet?.stop();
    await testnet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("accepts a valid spend over HTTP only once the verifiers' threshold marked it spent and credited the SP", async () => {
    const before = (await chain.account(sp.address)).balance;
    const spend = world.spend(world.issue(25n), sp.address);
    const answer = await http.spend(request(spend));
    expect(answer).toMatchObject({ accepted: true, outcome: "spent", zeta: spend.zeta });
    const view = await chain.zeta(spend.zeta);
    expect(view.status).toBe("spent");
    expect(view.sp).toBe(sp.address);
    expect(view.depositTx).toBe(answer.depositTx);
    expect(view.valid?.length).toBeGreaterThanOrEqual(2);
    expect((await chain.account(sp.address)).balance - before).toBe(25n);
  });

  it("refuses a second spend of that credential locally, and one concurrent pair makes a single deposit", async () => {
    const credential = world.issue(5n);
    const answers = await Promise.all(
      [world.spend(credential, sp.address), world.spend(credential, sp.address)].map((s) => http.spend(request(s))),
    );
    expect(answers.map((a) => a.outcome).sort()).toEqual(["double_spend", "spent"]);
    const nonce = (await chain.account(sp.address)).nonce;
    const replay = await http.spend(request(world.spend(credential, sp.address)));
    expect(replay).toMatchObject({ accepted: false, outcome: "double_spend" });
    expect((await chain.account(sp.address)).nonce).toBe(nonce); // nothing sent
  });

  it("answers an invalid proof rejected without a deposit", async () => {
    const nonce = (await chain.account(sp.address)).nonce;
    const forged = world.spend(world.forge(5n), sp.address);
    expect(await http.spend(request(forged))).toMatchObject({ accepted: false, outcome: "rejected" });
    expect((await chain.zeta(forged.zeta)).status).toBe("unknown");
    expect((await chain.account(sp.address)).nonce).toBe(nonce);
  });

  it("registers in the directory with its address, API URL and mixnet address", async () => {
    const directory = createDirectoryClient({ baseUrl: mixnet.directoryUrl });
    const deadline = Date.now() + 10_000;
    let nodes = await directory.listPresence("service-provider");
    while (nodes.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      nodes = await directory.listPresence("service-provider");
    }
    const info = await http.info();
    expect(info.mixnetAddress).toMatch(/^[0-9a-f]{64}\.[0-9a-f]{64}@[0-9a-f]{64}$/);
    expect(nodes[0]?.node).toMatchObject({
      ethereumAddress: sp.address,
      apiUrl: sp.url(),
      mixnetAddress: info.mixnetAddress,
      gatewayIdentityKey: info.mixnetAddress?.split("@")[1],
    });
  });

  it("takes a spend over the mixnet and answers by SURB: spent, then double_spend for a replay", async () => {
    const info = await http.info();
    const gateway = info.mixnetAddress?.split("@")[1] as string;
    const { privateKey } = generateKeyPairSync("x25519");
    const der = privateKey.export({ format: "der", type: "pkcs8" });
    const client = new MixClient(
      {
        identitySeed: new Uint8Array(randomBytes(32)),
        encryptionSecret: new Uint8Array(der.subarray(der.length - 32)),
        gateway: mixnet.gateways.find((g) => g.identityKey !== gateway)?.identityKey ?? gateway,
        directoryUrl: mixnet.directoryUrl,
        topologyRefreshMs: 1000,
        traffic: { lambdaP: 200, lambdaD: 0, lambdaL: 0, meanDelayMs: 2 },
      },
      { log },
    );
    await client.start();
    try {
      const answers = new Map<string, SpendAnswer>();
      const sentIds = new Map<string, string>();
      client.onReply((reply) => {
        const parsed = MixnetSpendAnswer.parse(JSON.parse(new TextDecoder().decode(reply.data)));
        if (sentIds.get(reply.inReplyTo) === parsed.id) answers.set(parsed.id, parsed.answer);
      });
      const ask = async (id: string, spend: { theta: string; value: string }): Promise<SpendAnswer> => {
        const message: MixnetSpendMessage = { type: "spend", id, spend: request(spend) };
        await client.send(
          info.mixnetAddress as string,
          new TextEncoder().encode(JSON.stringify(message)),
          {
            replySurbs: 2,
          },
          (messageId) => sentIds.set(messageId, id),
        );
        const deadline = Date.now() + 45_000;
        while (!answers.has(id)) {
          if (Date.now() > deadline) throw new Error(`no answer to ${id} by SURB`);
          await new Promise((r) => setTimeout(r, 50));
        }
        return answers.get(id) as SpendAnswer;
      };
      const credential = world.issue(9n);
      const first = await ask("m1", world.spend(credential, sp.address));
      expect(first).toMatchObject({ accepted: true, outcome: "spent" });
      expect((await chain.zeta(first.zeta as string)).status).toBe("spent");
      const replay = await ask("m2", world.spend(credential, sp.address));
      expect(replay).toMatchObject({ accepted: false, outcome: "double_spend", zeta: first.zeta });
    } finally {
      await client.stop();
    }
  }, 120_000);
});

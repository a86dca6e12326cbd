import { join } from "node:path";
import {
  addressFromSecretKey,
  buildCredentialRequest,
  type ChainClient,
  connectChain,
  randomSecretKey,
} from "@nym-ts/chain-client";
import {
  aggregateCredential,
  aggregatedVerificationKey,
  checkSpend,
  IssuerClient,
  type IssuerKey,
  issuerKeys,
  type PartialCredential,
  type PreparedRequest,
  prepareCredentialRequest,
  proveSpend,
  unblindPartial,
} from "@nym-ts/credentials";
import { startTestnet, type Testnet } from "@nym-ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIssuer, type Issuer, type IssuerConfigInput } from "../../src/index.js";
import { type Dealt, dealt, issuerDir, randomAddress, seriesValue, silentLog, tempDir } from "../helpers/fixtures.js";

/**
 * Four real CometBFT validators driving the Nym ledger, genesis naming three issuers (t = 2, keys from
 * dealIssuerKeys) and a funded client; the issuers run in-process against different validators.
 */
describe("issuers on a 4-validator testnet", () => {
  let d: Dealt;
  let net: Testnet;
  let chain: ChainClient;
  let cleanup: () => void;
  let keys: IssuerKey[];
  const dirs: { dataDir: string; address: string }[] = [];
  const running = new Set<Issuer>();
  const clientKey = randomSecretKey();
  const client = addressFromSecretKey(clientKey);

  function issuerConfig(index: number, overrides: Partial<IssuerConfigInput> = {}): IssuerConfigInput {
    return {
      dataDir: dirs[index - 1]?.dataDir as string,
      // Issuer i follows validator i - 1; the client posts through validator 3.
      chain: { rpcUrl: net.rpcUrls[index - 1] as string, retryInitialMs: 100, retryMaxMs: 1_000 },
      http: { host: "127.0.0.1", port: 0 },
      log: { level: "silent" },
      ...overrides,
    };
  }

  async function startIssuer(index: number, overrides: Partial<IssuerConfigInput> = {}): Promise<Issuer> {
    const issuer = createIssuer(issuerConfig(index, overrides), {
      log: silentLog.child({ issuer: index }),
      params: d.params,
    });
    await issuer.start();
    running.add(issuer);
    return issuer;
  }

  async function stopIssuer(issuer: Issuer): Promise<void> {
    await issuer.stop();
    running.delete(issuer);
  }

  /** Posts a credential_request tx of the client for a fresh request of `value`; resolves once committed. */
  async function postRequest(value: bigint): Promise<{ prepared: PreparedRequest; requestId: string; height: number }> {
    const prepared = prepareCredentialRequest(d.params, value);
    const { nonce } = await chain.account(client);
    const tx = buildCredentialRequest(clientKey, { chainId: net.chainId, nonce }, prepared.tx);
    const result = await chain.broadcastTxCommit(tx);
    expect(result.code, result.log).toBe(0);
    return { prepared, requestId: result.hash, height: result.height };
  }

  /** Polls an issuer until it serves the partial for `requestId` (404 until it has signed). */
  async function partialFrom(issuer: Issuer, requestId: string): Promise<PartialCredential> {
    const api = new IssuerClient(issuer.url as string);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const partial = await api.partialCredential(requestId);
      if (partial) return partial;
      if (Date.now() > deadline) throw new Error(`issuer at ${issuer.url} did not sign ${requestId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function metricsOf(issuer: Issuer): Promise<string> {
    const res = await fetch(`${issuer.url}/metrics`);
    return res.text();
  }

  function unblind(prepared: PreparedRequest, partial: PartialCredential) {
    const key = keys.find((k) => k.index === partial.index) as IssuerKey;
    return {
      index: partial.index,
      signature: unblindPartial(d.params, prepared, partial.blindedSignature, key.verificationKey),
    };
  }

  beforeAll(async () => {
    d = await dealt();
    const t = tempDir("nym-issuer-e2e-");
    cleanup = t.cleanup;
    for (const key of d.keys) dirs.push(issuerDir(t.dir, key));
    net = await startTestnet({
      validators: 4,
      dir: join(t.dir, "testnet"),
      appLogLevel: "warn",
      appState: {
        pipeAccount: randomAddress(),
        watchers: { threshold: 1, members: [randomAddress()] },
        verifiers: { threshold: 1, members: [randomAddress()] },
        issuers: {
          threshold: d.threshold,
          members: d.keys.map((k, i) => ({
            address: dirs[i]?.address as `0x${string}`,
            index: k.index,
            verificationKey: k.verificationKey,
          })),
        },
        accounts: [{ address: client, balance: "1000" }],
      },
    });
    await net.waitForHeight(2);
    chain = await connectChain({ rpcUrl: net.rpcUrls[3] as string });
    keys = issuerKeys(d.params, await chain.params());
  });

  afterAll(async () => {
    for (const issuer of running) await issuer.stop();
    chain?.close();
    await net?.stop();
    cleanup?.();
  });

  it("two issuers serve partials the client unblinds and aggregates into a credential that verifies", async () => {
    const one = await startIssuer(1);
    const two = await startIssuer(2, { chain: { ...issuerConfig(2).chain, crossCheck: true } });
    const balanceBefore = (await chain.account(client)).balance;
    const { prepared, requestId, height } = await postRequest(10n);
    expect((await chain.account(client)).balance).toBe(balanceBefore - 10n);

    const partials = await Promise.all([partialFrom(one, requestId), partialFrom(two, requestId)]);
    expect(partials.map((p) => [p.index, p.requestId, p.height])).toEqual([
      [1, requestId, height],
      [2, requestId, height],
    ]);
    const vk = aggregatedVerificationKey(d.params, await chain.params());
    const credential = aggregateCredential(
      d.params,
      partials.map((p) => unblind(prepared, p)),
      vk,
      prepared.secrets,
      10n,
    );
    const sp = randomAddress();
    const spend = proveSpend(d.params, vk, credential, prepared.secrets, 10n, sp);
    expect(checkSpend(d.params, vk, spend.theta, spend.value, sp).ok).toBe(true);

    // A request whose public attribute claims more than was debited: both refuse it, with the reason.
    const { nonce } = await chain.account(client);
    const inflated = prepareCredentialRequest(d.params, 50n);
    const tx = buildCredentialRequest(clientKey, { chainId: net.chainId, nonce }, { ...inflated.tx, value: 5n });
    const posted = await chain.broadcastTxCommit(tx);
    expect(posted.code).toBe(0);
    for (const issuer of [one, two]) {
      await expect
        .poll(async () => issuer.store?.get(posted.hash)?.status, { timeout: 20_000, interval: 100 })
        .toBe("rejected");
      await expect(new IssuerClient(issuer.url as string).partialCredential(posted.hash)).rejects.toMatchObject({
        details: { status: 422, reason: "value_mismatch" },
      });
    }
    await stopIssuer(one);
    await stopIssuer(two);
  });

  it("an issuer stopped and restarted catches up on a request made while it was down and signs it exactly once", async () => {
    // A long probe period keeps the checkpoint where the decisions put it, so restarts replay what was decided.
    const quiet = { chain: { ...issuerConfig(3).chain, idleCheckpointMs: 600_000 } };
    const three = await startIssuer(3, quiet);
    const before = await postRequest(7n);
    await partialFrom(three, before.requestId);
    await three.idle();
    // It caught up on every request since genesis (the other test's too, when it ran first).
    const decided = three.store?.counts() as { signed: number; rejected: number };
    expect(decided.signed).toBeGreaterThanOrEqual(1);
    await stopIssuer(three);

    const missed = await postRequest(8n);
    const one = await startIssuer(1);
    const fromOne = await partialFrom(one, missed.requestId);

    const restarted = await startIssuer(3, quiet);
    const fromThree = await partialFrom(restarted, missed.requestId);
    await restarted.idle();
    expect(seriesValue(await metricsOf(restarted), "nym_issuer_requests_signed_total")).toBe(1);
    expect(restarted.store?.counts()).toEqual({ ...decided, signed: decided.signed + 1 });

    // The caught-up partial is a valid share: with issuer 1's it makes a credential.
    const vk = aggregatedVerificationKey(d.params, await chain.params());
    expect(() =>
      aggregateCredential(
        d.params,
        [unblind(missed.prepared, fromOne), unblind(missed.prepared, fromThree)],
        vk,
        missed.prepared.secrets,
        8n,
      ),
    ).not.toThrow();

    // Restarted once more: the last request is replayed from checkpoint + 1 and skipped, not signed again.
    await stopIssuer(restarted);
    const again = await startIssuer(3, quiet);
    await expect.poll(() => again.follower?.status.subscribed, { timeout: 20_000 }).toBe(true);
    const replayed = await partialFrom(again, missed.requestId);
    expect(replayed.blindedSignature).toBe(fromThree.blindedSignature);
    await expect
      .poll(async () => seriesValue(await metricsOf(again), "nym_issuer_duplicate_events_total"), {
        timeout: 20_000,
        interval: 100,
      })
      .toBeGreaterThan(0);
    expect(seriesValue(await metricsOf(again), "nym_issuer_requests_signed_total")).toBe(0);
    expect(again.store?.counts()).toEqual({ ...decided, signed: decided.signed + 1 });
  });
});

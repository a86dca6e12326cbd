import { ServiceProviderClient, type SpendAnswer } from "@nym-ts/credentials";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServiceProvider, ServiceProviderConfigSchema } from "../../src/index.js";
import { type CredentialWorld, credentialWorld, randomAddress } from "../helpers/credentials.js";
import { type FakeEnv, silentLog, startOnFakeChain } from "../helpers/sp.js";

let world: CredentialWorld;
let env: FakeEnv | undefined;

beforeAll(async () => {
  world = await credentialWorld();
});

afterEach(async () => {
  await env?.stop();
  env = undefined;
});

/** The SP's typed client, sending only the request's fields of a `Spend` (its zeta stays with the client). */
function spClient(url: string) {
  const inner = new ServiceProviderClient(url, { timeoutMs: 10_000 });
  return {
    info: () => inner.info(),
    spend: (s: { theta: string; value: string }) => inner.spend({ theta: s.theta, value: s.value }),
  };
}

async function start(overrides = {}): Promise<{ env: FakeEnv; client: ReturnType<typeof spClient> }> {
  env = await startOnFakeChain(overrides, world);
  return { env, client: spClient(env.sp.url()) };
}

describe("the SP's spend decision (fake chain, real credentials)", () => {
  it("deposits a valid spend once and answers accepted=true once the chain marks it spent", async () => {
    const { env, client } = await start();
    const credential = world.issue(10n);
    const spend = world.spend(credential, env.sp.address);
    const answer = await client.spend({ theta: spend.theta, value: spend.value });
    expect(answer).toMatchObject({ accepted: true, outcome: "spent", zeta: spend.zeta });
    expect(answer.reason).toMatch(/credited/);
    expect(env.chain.deposits).toHaveLength(1);
    expect(env.chain.deposits[0]).toMatchObject({ zeta: spend.zeta, value: "10", proof: spend.theta, nonce: 0 });
    expect(answer.depositTx).toBe(env.chain.deposits[0]?.hash);
    expect(env.sp.store.get(spend.zeta)?.status).toBe("spent");
  });

  it("answers an invalid proof accepted=false (rejected) and sends nothing to the chain", async () => {
    const { env, client } = await start();
    const before = env.chain.total;
    const forged = world.forge(10n);
    const spend = world.spend(forged, env.sp.address);
    const answer = await client.spend({ theta: spend.theta, value: spend.value });
    expect(answer).toMatchObject({ accepted: false, outcome: "rejected" });
    // A genuine credential with a value other than the one it was issued for does not verify either.
    const genuine = world.spend(world.issue(10n), env.sp.address);
    expect(await client.spend({ theta: genuine.theta, value: "11" })).toMatchObject({
      accepted: false,
      outcome: "rejected",
    });
    expect(env.chain.total).toBe(before);
    expect(env.chain.deposits).toHaveLength(0);
    expect(env.sp.store.counts()).toEqual({});
  });

  it("refuses a proof bound to another SP locally: nothing on chain, nothing stored", async () => {
    const { env, client } = await start();
    const before = env.chain.total;
    const spend = world.spend(world.issue(5n), randomAddress());
    const answer = await client.spend({ theta: spend.theta, value: spend.value });
    expect(answer).toMatchObject({ accepted: false, outcome: "rejected" });
    expect(answer.reason).toMatch(/service provider/);
    expect(env.chain.total).toBe(before);
    expect(env.sp.store.counts()).toEqual({});
  });

  it("refuses a replay of a spent zeta as double_spend without asking the chain", async () => {
    const { env, client } = await start();
    const credential = world.issue(7n);
    const first = world.spend(credential, env.sp.address);
    expect((await client.spend(first)).accepted).toBe(true);
    const before = env.chain.total;
    // The very same body, and a fresh proof of the same credential (another Θ, the same zeta).
    const again = world.spend(credential, env.sp.address);
    expect(again.theta).not.toBe(first.theta);
    for (const body of [first, again]) {
      const answer = await client.spend({ theta: body.theta, value: body.value });
      expect(answer).toMatchObject({ accepted: false, outcome: "double_spend", zeta: first.zeta });
    }
    expect(env.chain.total).toBe(before);
    expect(env.chain.deposits).toHaveLength(1);
  });

  it("makes exactly one deposit and one accepted answer of two concurrent spends of one credential", async () => {
    const { env, client } = await start();
    const credential = world.issue(3n);
    const a = world.spend(credential, env.sp.address);
    const b = world.spend(credential, env.sp.address);
    const answers = await Promise.all([a, b].map((s) => client.spend({ theta: s.theta, value: s.value })));
    expect(answers.map((x) => x.outcome).sort()).toEqual(["double_spend", "spent"]);
    expect(answers.filter((x) => x.accepted)).toHaveLength(1);
    expect(env.chain.deposits).toHaveLength(1);
  });

  it("serializes nonces: ten concurrent spends of ten credentials are deposited with nonces 0..9", async () => {
    const { env, client } = await start();
    const spends = Array.from({ length: 10 }, (_, i) => world.spend(world.issue(BigInt(i + 1)), env.sp.address));
    const answers = await Promise.all(spends.map((s) => client.spend({ theta: s.theta, value: s.value })));
    expect(answers.every((x) => x.accepted)).toBe(true);
    expect(env.chain.deposits.map((d) => d.nonce).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("answers double_spend when the chain already holds the zeta (CHAIN_ERROR_ZETA_IN_USE), and remembers it", async () => {
    const { env, client } = await start();
    const credential = world.issue(4n);
    const spend = world.spend(credential, env.sp.address);
    // Spent at another SP first (proved to it; the zeta is the same).
    env.chain.zetas.set(spend.zeta, { status: "being_verified", sp: randomAddress(), depositTx: "A".repeat(64) });
    expect(await client.spend(spend)).toMatchObject({ accepted: false, outcome: "double_spend" });
    expect(env.chain.deposits).toHaveLength(0);
    expect(env.sp.store.get(spend.zeta)?.status).toBe("in_use");
    const before = env.chain.total;
    expect(await client.spend(world.spend(credential, env.sp.address))).toMatchObject({ outcome: "double_spend" });
    expect(env.chain.total).toBe(before);
  });

  it("refuses a zeta it saw spent at another SP in the chain's events, without asking the chain", async () => {
    const { env, client } = await start();
    const credential = world.issue(2n);
    const spend = world.spend(credential, env.sp.address);
    env.chain.decide(spend.zeta, "spent", randomAddress());
    expect(env.sp.store.get(spend.zeta)?.status).toBe("spent_elsewhere");
    const before = env.chain.total;
    expect(await client.spend(spend)).toMatchObject({ accepted: false, outcome: "double_spend" });
    expect(env.chain.total).toBe(before);
  });

  it("answers accepted=false (released) when the verifiers find the deposit invalid", async () => {
    const { env, client } = await start();
    env.chain.verdict = "invalid";
    const spend = world.spend(world.issue(6n), env.sp.address);
    const answer = await client.spend(spend);
    expect(answer).toMatchObject({ accepted: false, outcome: "released" });
    expect(env.sp.store.get(spend.zeta)?.status).toBe("released");
  });

  it("finds the decision by polling the zeta when no event arrives", async () => {
    const { env, client } = await start();
    env.chain.emitEvents = false;
    const spend = world.spend(world.issue(6n), env.sp.address);
    expect(await client.spend(spend)).toMatchObject({ accepted: true, outcome: "spent" });
    expect(env.chain.calls.zeta).toBeGreaterThan(0);
  });

  it("answers timeout when the verifiers do not decide in time, and keeps the deposit on record", async () => {
    const { env, client } = await start({ spend: { decisionTimeoutMs: 300, pollIntervalMs: 50 } });
    env.chain.verdict = "never";
    const spend = world.spend(world.issue(8n), env.sp.address);
    const answer = await client.spend(spend);
    expect(answer).toMatchObject({ accepted: false, outcome: "timeout", zeta: spend.zeta });
    expect(answer.depositTx).toBe(env.chain.deposits[0]?.hash);
    expect(env.sp.store.get(spend.zeta)?.status).toBe("deposited");
    // A late decision is still recorded.
    env.chain.decide(spend.zeta, "spent");
    expect(env.sp.store.get(spend.zeta)?.status).toBe("spent");
  });

  it("answers 503 and stores nothing when the chain cannot be reached, and takes the spend once it can", async () => {
    const { env } = await start();
    env.chain.unreachable = true;
    const spend = world.spend(world.issue(9n), env.sp.address);
    const response = await fetch(`${env.sp.url()}/v1/spend`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ theta: spend.theta, value: spend.value }),
    });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe("SP_ERROR_CHAIN_UNAVAILABLE");
    expect(env.sp.store.counts()).toEqual({});
    env.chain.unreachable = false;
    const client = spClient(env.sp.url());
    expect(await client.spend(spend)).toMatchObject({ accepted: true, outcome: "spent" });
  });

  it("recovers its nonce when another sender of its account moved it", async () => {
    const { env, client } = await start();
    expect((await client.spend(world.spend(world.issue(1n), env.sp.address))).accepted).toBe(true);
    env.chain.nonce += 3; // e.g. a withdrawal sent with the same key by another tool
    const answer = await client.spend(world.spend(world.issue(1n), env.sp.address));
    expect(answer).toMatchObject({ accepted: true, outcome: "spent" });
    expect(env.chain.deposits.map((d) => d.nonce)).toEqual([0, 4]);
  });

  it("counts spends by outcome and times local verification and decisions in /metrics", async () => {
    const { env, client } = await start();
    const credential = world.issue(12n);
    await client.spend(world.spend(credential, env.sp.address));
    await client.spend(world.spend(credential, env.sp.address));
    await client.spend(world.spend(world.issue(12n), randomAddress()));
    const text = await (await fetch(`${env.sp.url()}/metrics`)).text();
    expect(text).toMatch(/nym_service_provider_spends_total\{outcome="spent",transport="http"\} 1/);
    expect(text).toMatch(/nym_service_provider_spends_total\{outcome="double_spend",transport="http"\} 1/);
    expect(text).toMatch(/nym_service_provider_spends_total\{outcome="rejected",transport="http"\} 1/);
    expect(text).toMatch(/nym_service_provider_spend_verify_seconds_count 3/);
    expect(text).toMatch(/nym_service_provider_spend_decision_seconds_count\{outcome="spent"\} 1/);
  });
});

describe("GET /v1/info and readiness", () => {
  it("names the SP's address and version, and no mixnet address without a mixnet section", async () => {
    const { env, client } = await start();
    const info = await client.info();
    expect(info.address).toBe(env.sp.address);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.mixnetAddress).toBeUndefined();
  });

  it("answers 503 SP_ERROR_NOT_READY and an unhealthy /health until the chain's key is loaded", async () => {
    // The chain refuses params twice: the SP retries (0.5 s, then 1 s) and becomes ready on the third attempt.
    env = await startOnFakeChain({}, world, (chain) => {
      chain.paramsFailures = 2;
    });
    const spend = world.spend(world.issue(1n), env.sp.address);
    const early = await fetch(`${env.sp.url()}/v1/spend`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ theta: spend.theta, value: spend.value }),
    });
    expect(early.status).toBe(503);
    expect(((await early.json()) as { code: string }).code).toBe("SP_ERROR_NOT_READY");
    expect((await fetch(`${env.sp.url()}/health`)).status).toBe(503);
    await env.sp.ready;
    expect((await fetch(`${env.sp.url()}/health`)).status).toBe(200);
    const answer: SpendAnswer = await spClient(env.sp.url()).spend(spend);
    expect(answer.accepted).toBe(true);
    expect(env.chain.calls.params).toBe(3);
  });
});

describe("restart", () => {
  it("keeps refusing a spent zeta after a restart on the same data dir", async () => {
    const { env, client } = await start();
    const credential = world.issue(10n);
    expect((await client.spend(world.spend(credential, env.sp.address))).accepted).toBe(true);
    await env.sp.stop();
    const again = createServiceProvider(
      ServiceProviderConfigSchema.parse({
        dataDir: `${env.dir}/data`,
        chain: { rpcUrl: "http://127.0.0.1:9" },
        http: { port: 0 },
      }),
      { log: silentLog, chain: env.chain, params: world.params },
    );
    await again.start();
    try {
      const answer = await spClient(again.url()).spend(world.spend(credential, again.address));
      expect(answer).toMatchObject({ accepted: false, outcome: "double_spend" });
      expect(env.chain.deposits).toHaveLength(1);
    } finally {
      await again.stop();
    }
  });
});

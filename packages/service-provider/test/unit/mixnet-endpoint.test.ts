import { MixnetSpendAnswer } from "@nym-ts/credentials";
import type { ReceivedMessage } from "@nym-ts/mixnet-node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MixnetClientLike } from "../../src/index.js";
import { type CredentialWorld, credentialWorld } from "../helpers/credentials.js";
import { type FakeEnv, startOnFakeChain, waitFor } from "../helpers/sp.js";

/** A mixnet client in memory: the test delivers messages, and reads what the SP answered through which SURBs. */
class FakeMixClient implements MixnetClientLike {
  readonly addressText = `${"11".repeat(32)}.${"22".repeat(32)}@${"33".repeat(32)}`;
  readonly replies: { to: ReceivedMessage; data: Uint8Array }[] = [];
  started = false;
  #handler: ((m: ReceivedMessage) => void) | undefined;
  onMessage(handler: (m: ReceivedMessage) => void): void {
    this.#handler = handler;
  }
  reply(to: ReceivedMessage, data: Uint8Array): void {
    if (to.surbs.length === 0) throw new Error("too few SURBs");
    this.replies.push({ to, data });
  }
  async start(): Promise<void> {
    this.started = true;
  }
  async stop(): Promise<void> {
    this.started = false;
  }
  deliver(data: Uint8Array | string, surbs = 1): ReceivedMessage {
    const message: ReceivedMessage = {
      id: Math.random().toString(16).slice(2),
      data: typeof data === "string" ? new TextEncoder().encode(data) : data,
      sender: undefined,
      surbs: Array.from({ length: surbs }, () => new Uint8Array(8)),
    };
    this.#handler?.(message);
    return message;
  }
}

let world: CredentialWorld;
let env: FakeEnv | undefined;
let mix: FakeMixClient;

beforeAll(async () => {
  world = await credentialWorld();
});
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

/** An SP on the fake chain whose mixnet endpoint runs on the in-memory client. */
async function startWithMix(): Promise<FakeEnv> {
  mix = new FakeMixClient();
  env = await startOnFakeChain(
    { mixnet: { directoryUrl: "http://127.0.0.1:9", gateway: "33".repeat(32) } },
    world,
    undefined,
    { mixnetClient: () => mix },
  );
  return env;
}

const decode = (data: Uint8Array) => MixnetSpendAnswer.parse(JSON.parse(new TextDecoder().decode(data)));

describe("the mixnet endpoint (the same spend logic, answered through the SURBs)", () => {
  it("answers a spend message through its SURB with the SpendAnswer, and /v1/info names its mixnet address", async () => {
    const e = await startWithMix();
    expect(mix.started).toBe(true);
    const spend = world.spend(world.issue(10n), e.sp.address);
    const message = mix.deliver(
      JSON.stringify({ type: "spend", id: "q1", spend: { theta: spend.theta, value: spend.value } }),
    );
    await waitFor(() => mix.replies.length === 1, 5_000, "the answer");
    expect(mix.replies[0]?.to).toBe(message);
    const answer = decode(mix.replies[0]?.data as Uint8Array);
    expect(answer).toMatchObject({ type: "spend_answer", id: "q1", answer: { accepted: true, outcome: "spent" } });
    expect(e.chain.deposits).toHaveLength(1);
    const info = (await (await fetch(`${e.sp.url()}/v1/info`)).json()) as { mixnetAddress?: string };
    expect(info.mixnetAddress).toBe(mix.addressText);
    const metrics = await (await fetch(`${e.sp.url()}/metrics`)).text();
    expect(metrics).toMatch(/nym_service_provider_spends_total\{outcome="spent",transport="mixnet"\} 1/);
  });

  it("answers a replay double_spend and an invalid proof rejected, over the mixnet as over HTTP", async () => {
    const e = await startWithMix();
    const credential = world.issue(4n);
    for (const [id, s] of [
      ["a", world.spend(credential, e.sp.address)],
      ["b", world.spend(credential, e.sp.address)],
      ["c", world.spend(world.forge(4n), e.sp.address)],
    ] as const) {
      mix.deliver(JSON.stringify({ type: "spend", id, spend: { theta: s.theta, value: s.value } }));
      await waitFor(() => mix.replies.some((r) => decode(r.data).id === id), 5_000, `answer ${id}`);
    }
    const outcomes = Object.fromEntries(mix.replies.map((r) => decode(r.data)).map((a) => [a.id, a.answer.outcome]));
    expect(outcomes).toEqual({ a: "spent", b: "double_spend", c: "rejected" });
    expect(e.chain.deposits).toHaveLength(1);
  });

  it("answers a malformed message naming an id as rejected, drops one without, and ignores one without SURBs", async () => {
    const e = await startWithMix();
    const spend = world.spend(world.issue(2n), e.sp.address);
    mix.deliver(JSON.stringify({ type: "spend", id: "bad", spend: { theta: "0x00", value: "x" } }));
    mix.deliver(JSON.stringify({ type: "spend", id: "trunc", spend: { theta: spend.theta.slice(0, -8), value: "2" } }));
    mix.deliver("not json at all");
    mix.deliver(new Uint8Array(70 * 1024).fill(0x7b));
    mix.deliver(JSON.stringify({ type: "spend", id: "nosurb", spend: { theta: spend.theta, value: spend.value } }), 0);
    await waitFor(() => mix.replies.length === 2, 5_000, "two answers");
    await new Promise((r) => setTimeout(r, 100));
    const answers = mix.replies.map((r) => decode(r.data));
    expect(answers.map((a) => [a.id, a.answer.outcome, a.answer.accepted]).sort()).toEqual([
      ["bad", "rejected", false],
      ["trunc", "rejected", false],
    ]);
    expect(e.chain.deposits).toHaveLength(0);
    expect(e.sp.store.counts()).toEqual({});
    // The two messages without answers are counted when handled, which a loaded machine may do after the answers:
    // read the counters until both are there (5 s), then check them.
    const scrape = async () => (await fetch(`${e.sp.url()}/metrics`)).text();
    let metrics = await scrape();
    for (
      let end = Date.now() + 5_000;
      Date.now() < end && !(/result="no_surb"\} 1/.test(metrics) && /result="malformed"\} 3/.test(metrics));
    ) {
      await new Promise((r) => setTimeout(r, 50));
      metrics = await scrape();
    }
    expect(metrics).toMatch(/nym_service_provider_mixnet_messages_total\{result="malformed"\} 3/);
    expect(metrics).toMatch(/nym_service_provider_mixnet_messages_total\{result="no_surb"\} 1/);
  });
});

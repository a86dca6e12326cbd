import { join } from "node:path";
import { encodePublicAttribute } from "@nym-ts/credentials";
import { Registry } from "prom-client";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createIssuerMetrics, IssuerError, type IssuerMetrics, IssuerStore, RequestFollower } from "../../src/index.js";
import {
  appStateFor,
  type Dealt,
  dealt,
  FakeChain,
  identityOf,
  metricValue,
  prepare,
  randomAddress,
  requestEvent,
  silentLog,
  tempDir,
  viewOf,
} from "../helpers/fixtures.js";

let d: Dealt;
beforeAll(async () => {
  d = await dealt();
});

const ISSUER = 2;
const ADDRESS = randomAddress();

interface Running {
  follower: RequestFollower;
  store: IssuerStore;
  registry: Registry;
  metrics: IssuerMetrics;
}

describe("RequestFollower", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function dbPath(): string {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    return join(dir, "issuer.sqlite");
  }

  function chainFor(): FakeChain {
    return new FakeChain(appStateFor(d, { [ISSUER]: ADDRESS }));
  }

  async function follow(
    chain: FakeChain,
    path: string,
    options: { crossCheck?: boolean; idleCheckpointMs?: number; identity?: ReturnType<typeof identityOf> } = {},
  ): Promise<Running> {
    const store = new IssuerStore(path);
    const registry = new Registry();
    const metrics = createIssuerMetrics(registry);
    const follower = new RequestFollower({
      chain,
      store,
      params: d.params,
      secretKey: d.secrets[ISSUER - 1] as never,
      identity: options.identity ?? identityOf(d, ISSUER, ADDRESS),
      metrics,
      log: silentLog,
      crossCheck: options.crossCheck ?? false,
      checkpointLagBlocks: 2,
      idleCheckpointMs: options.idleCheckpointMs ?? 60_000,
      retryInitialMs: 10,
      retryMaxMs: 50,
    });
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await follower.stop();
      store.close();
    };
    cleanups.push(stop);
    try {
      await follower.start();
    } catch (error) {
      await stop();
      throw error;
    }
    return { follower, store, registry, metrics };
  }

  it("signs each committed request once, stored by request id with the checkpoint below its height", async () => {
    const chain = chainFor();
    const { follower, store, registry } = await follow(chain, dbPath());
    const a = requestEvent(prepare(d, 10n), { height: 3 });
    const b = requestEvent(prepare(d, 20n), { height: 5 });
    chain.emit(a);
    chain.emit(b);
    await follower.idle();
    expect(store.get(a.txHash)).toMatchObject({ status: "signed", height: 3, value: "10" });
    expect(store.get(b.txHash)).toMatchObject({ status: "signed", height: 5, value: "20" });
    expect(store.checkpoint()).toBe(4);
    expect(await metricValue(registry, "nym_issuer_requests_seen_total")).toBe(2);
    expect(await metricValue(registry, "nym_issuer_requests_signed_total")).toBe(2);
    expect(await metricValue(registry, "nym_issuer_sign_duration_seconds_count")).toBe(2);
    expect(await metricValue(registry, "nym_issuer_checkpoint_height")).toBe(4);
  });

  it("rejects and counts bad requests by reason (value mismatch, bad proof, garbage, identity points) and keeps going", async () => {
    const chain = chainFor();
    const { follower, store, registry } = await follow(chain, dbPath());
    const prepared = prepare(d, 10n);
    const identity = `0x${prepared.tx.blindSignRequest.slice(2, 8)}c0${"00".repeat(47)}${prepared.tx.blindSignRequest.slice(8 + 96)}`;
    const bad = {
      valueMismatch: requestEvent(prepared, {
        height: 2,
        label: "v",
        attributes: { public_attributes: JSON.stringify([encodePublicAttribute(11n)]) },
      }),
      badProof: requestEvent(prepared, {
        height: 2,
        label: "p",
        attributes: { value: "11", public_attributes: JSON.stringify([encodePublicAttribute(11n)]) },
      }),
      garbage: requestEvent(prepared, { height: 3, label: "g", attributes: { blind_sign_request: "0xnothex" } }),
      identity: requestEvent(prepared, { height: 3, label: "i", attributes: { blind_sign_request: identity } }),
      malformedEvent: requestEvent(prepared, { height: 4, label: "m", attributes: { public_attributes: "{" } }),
    };
    for (const event of Object.values(bad)) chain.emit(event);
    const good = requestEvent(prepare(d, 5n), { height: 6 });
    chain.emit(good);
    await follower.idle();

    expect(store.get(bad.valueMismatch.txHash)).toMatchObject({ status: "rejected", reason: "value_mismatch" });
    expect(store.get(bad.badProof.txHash)).toMatchObject({ status: "rejected", reason: "bad_proof" });
    expect(store.get(bad.garbage.txHash)).toMatchObject({ status: "rejected", reason: "malformed_request" });
    expect(store.get(bad.identity.txHash)).toMatchObject({ status: "rejected", reason: "malformed_request" });
    expect(store.get(bad.malformedEvent.txHash)).toMatchObject({ status: "rejected", reason: "malformed_event" });
    expect(store.get(good.txHash)).toMatchObject({ status: "signed" });
    const rejected = (reason: string) =>
      metricValue(registry, `nym_issuer_requests_rejected_total{reason="${reason}"}`);
    expect(await rejected("value_mismatch")).toBe(1);
    expect(await rejected("bad_proof")).toBe(1);
    expect(await rejected("malformed_request")).toBe(2);
    expect(await rejected("malformed_event")).toBe(1);
    expect(await metricValue(registry, "nym_issuer_requests_signed_total")).toBe(1);
    expect(await metricValue(registry, "nym_issuer_requests_seen_total")).toBe(6);
  });

  it("counts an event without a request id and skips it", async () => {
    const chain = chainFor();
    const { follower, store, registry } = await follow(chain, dbPath());
    chain.emit(requestEvent(prepare(d, 10n), { height: 3, attributes: { request_id: undefined } }));
    const good = requestEvent(prepare(d, 10n), { height: 4 });
    chain.emit(good);
    await follower.idle();
    expect(await metricValue(registry, `nym_issuer_requests_rejected_total{reason="malformed_event"}`)).toBe(1);
    expect(store.counts()).toEqual({ signed: 1, rejected: 0 });
  });

  it("after a restart replays from checkpoint + 1, signs nothing twice and catches up on requests made meanwhile", async () => {
    const chain = chainFor();
    const path = dbPath();
    const first = await follow(chain, path);
    const a = requestEvent(prepare(d, 10n), { height: 3 });
    const b = requestEvent(prepare(d, 10n), { height: 5 });
    chain.emit(a);
    chain.emit(b);
    await first.follower.idle();
    const signedB = first.store.get(b.txHash);
    await first.follower.stop();
    first.store.close();

    // Made while the issuer is down: one more at the checkpoint's next height, one later.
    const c = requestEvent(prepare(d, 10n), { height: 5, label: "c" });
    const e = requestEvent(prepare(d, 30n), { height: 9 });
    chain.emit(c);
    chain.emit(e);

    const second = await follow(chain, path);
    await second.follower.idle();
    expect(second.store.get(c.txHash)).toMatchObject({ status: "signed" });
    expect(second.store.get(e.txHash)).toMatchObject({ status: "signed", value: "30" });
    // b (height 5) was replayed, since 5 > checkpoint 4, and skipped: the same partial, not a second signature.
    expect(second.store.get(b.txHash)).toEqual(signedB);
    expect(await metricValue(second.registry, "nym_issuer_duplicate_events_total")).toBe(1);
    expect(await metricValue(second.registry, "nym_issuer_requests_signed_total")).toBe(2);
    expect(second.store.counts()).toEqual({ signed: 4, rejected: 0 });
    expect(second.store.checkpoint()).toBe(8);
  });

  it("cross-checks with the chain's state: a mismatch is rejected, a failing query is retried", async () => {
    const chain = chainFor();
    const { follower, store, registry } = await follow(chain, dbPath(), { crossCheck: true });
    const agreed = requestEvent(prepare(d, 10n), { height: 3 });
    const differs = requestEvent(prepare(d, 10n), { height: 4 });
    chain.emit(agreed, viewOf(agreed));
    chain.emit(differs, { ...viewOf(differs), value: "9" });
    await follower.idle();
    expect(store.get(agreed.txHash)).toMatchObject({ status: "signed" });
    expect(store.get(differs.txHash)).toMatchObject({ status: "rejected", reason: "chain_mismatch" });

    chain.down = true;
    const later = requestEvent(prepare(d, 10n), { height: 6 });
    chain.emit(later, viewOf(later));
    await new Promise((r) => setTimeout(r, 100));
    expect(store.has(later.txHash)).toBe(false);
    expect(await metricValue(registry, `nym_issuer_chain_errors_total{operation="process"}`)).toBeGreaterThan(0);
    chain.down = false;
    await follower.idle();
    expect(store.get(later.txHash)).toMatchObject({ status: "signed" });
  });

  it("refuses to start when genesis names another address or key share for its index", async () => {
    const chain = chainFor();
    await expect(follow(chain, dbPath(), { identity: identityOf(d, ISSUER, randomAddress()) })).rejects.toThrow(
      IssuerError,
    );
    const otherKey = { ...identityOf(d, ISSUER, ADDRESS), verificationKey: d.keys[0]?.verificationKey as string };
    await expect(follow(chain, dbPath(), { identity: otherKey })).rejects.toMatchObject({
      code: "ISSUER_ERROR_NOT_IN_GENESIS",
    });
  });

  it("keeps trying while the chain is down, then follows from its checkpoint", async () => {
    const chain = chainFor();
    chain.down = true;
    const { follower, store } = await follow(chain, dbPath());
    expect(follower.status.subscribed).toBe(false);
    const a = requestEvent(prepare(d, 10n), { height: 3 });
    chain.events.push(a); // committed while the issuer could not reach the node
    chain.down = false;
    for (let i = 0; i < 100 && !follower.status.subscribed; i++) await new Promise((r) => setTimeout(r, 10));
    await follower.idle();
    expect(store.get(a.txHash)).toMatchObject({ status: "signed" });
  });

  it("moves a quiet checkpoint up to the lag behind the head once the index shows nothing undecided", async () => {
    const chain = chainFor();
    const { follower, store } = await follow(chain, dbPath(), { idleCheckpointMs: 100 });
    const a = requestEvent(prepare(d, 10n), { height: 3 });
    chain.emit(a);
    await follower.idle();
    chain.height = 40;
    for (let i = 0; i < 100 && store.checkpoint() < 38; i++) await new Promise((r) => setTimeout(r, 20));
    expect(store.checkpoint()).toBe(38);
    expect(follower.status).toMatchObject({ chainHeight: 40, subscribed: true, checkpoint: 38 });
    // An undecided request in the index holds the checkpoint below it.
    chain.events.push(requestEvent(prepare(d, 10n), { height: 41, label: "unseen" }));
    chain.height = 60;
    await new Promise((r) => setTimeout(r, 300));
    expect(store.checkpoint()).toBe(38);
  });
});

import { join } from "node:path";
import { generateEd25519Identity } from "@nym-ts/directory-client";
import { afterEach, describe, expect, it } from "vitest";
import { createDirectory, openSqliteStore } from "../../src/index.js";
import { manualClock, mixnode, sign, silentLog, tempDir } from "../helpers/fixtures.js";

describe("presence lifetime", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("expires a registration after the TTL unless renewed, and the topology follows", async () => {
    const clock = manualClock();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const directory = createDirectory(
      { presence: { ttlSeconds: 10 }, storage: { path: join(dir, "d.sqlite") } },
      { log: silentLog, clock: clock.now },
    );
    await directory.ready();
    cleanups.push(() => directory.stop());
    const renewed = generateEd25519Identity().signer;
    const lapsed = generateEd25519Identity().signer;
    const post = async (payload: object) =>
      (await directory.app.inject({ method: "POST", url: "/api/v1/presence/mixnodes", payload })).statusCode;
    expect(await post(await sign("register:mixnode", mixnode(renewed, 1), renewed, clock.now()))).toBe(200);
    expect(await post(await sign("register:mixnode", mixnode(lapsed, 2), lapsed, clock.now()))).toBe(200);
    const before = await directory.app.inject({ method: "GET", url: "/api/v1/topology" });

    clock.advance(9_000);
    expect(await post(await sign("register:mixnode", mixnode(renewed, 1), renewed, clock.now()))).toBe(200);
    clock.advance(1_000); // lapsed is now exactly 10 s old
    const keys = async () =>
      (await directory.app.inject({ method: "GET", url: "/api/v1/presence/mixnodes" }))
        .json()
        .nodes.map((n: { node: { identityKey: string } }) => n.node.identityKey);
    expect(await keys()).toEqual([renewed.publicKey]);
    const after = await directory.app.inject({
      method: "GET",
      url: "/api/v1/topology",
      headers: { "if-none-match": before.headers.etag as string },
    });
    expect(after.statusCode).toBe(200);
    expect(after.json().mixnodes[1].nodes).toEqual([]);
    expect(after.json().mixnodes[0].nodes[0].identityKey).toBe(renewed.publicKey);

    clock.advance(9_000);
    expect(await keys()).toEqual([]);
    const gone = await directory.app.inject({ method: "GET", url: `/api/v1/presence/mixnodes/${renewed.publicKey}` });
    expect(gone.statusCode).toBe(404);
  });

  it("keeps registrations and the replay barrier across a restart on the same SQLite file", async () => {
    const clock = manualClock();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "directory.sqlite");
    const { signer } = generateEd25519Identity();
    const node = mixnode(signer, 3, "mix3.example:1789");
    const body = await sign("register:mixnode", node, signer, clock.now());

    const first = createDirectory({ storage: { path } }, { log: silentLog, clock: clock.now });
    await first.ready();
    expect(
      (await first.app.inject({ method: "POST", url: "/api/v1/presence/mixnodes", payload: body })).statusCode,
    ).toBe(200);
    const etag = (await first.app.inject({ method: "GET", url: "/api/v1/topology" })).headers.etag;
    await first.stop();

    clock.advance(5_000);
    const second = createDirectory({ storage: { path } }, { log: silentLog, clock: clock.now });
    await second.ready();
    cleanups.push(() => second.stop());
    const entry = await second.app.inject({ method: "GET", url: `/api/v1/presence/mixnodes/${signer.publicKey}` });
    expect(entry.statusCode).toBe(200);
    expect(entry.json().node).toEqual(node);
    const topology = await second.app.inject({ method: "GET", url: "/api/v1/topology" });
    expect(topology.headers.etag).toBe(etag);
    // The same signed message, still inside the timestamp window, is a replay after the restart too.
    const replay = await second.app.inject({ method: "POST", url: "/api/v1/presence/mixnodes", payload: body });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe("DIRECTORY_ERROR_REPLAY");
  });

  it("drops registrations that expired while the directory was down", async () => {
    const clock = manualClock();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "directory.sqlite");
    const { signer } = generateEd25519Identity();
    const first = createDirectory(
      { storage: { path }, presence: { ttlSeconds: 5 } },
      { log: silentLog, clock: clock.now },
    );
    await first.ready();
    const body = await sign("register:mixnode", mixnode(signer), signer, clock.now());
    await first.app.inject({ method: "POST", url: "/api/v1/presence/mixnodes", payload: body });
    await first.stop();
    clock.advance(6_000);
    const second = createDirectory(
      { storage: { path }, presence: { ttlSeconds: 5 } },
      { log: silentLog, clock: clock.now },
    );
    await second.ready();
    cleanups.push(() => second.stop());
    const list = await second.app.inject({ method: "GET", url: "/api/v1/presence/mixnodes" });
    expect(list.json().nodes).toEqual([]);
    const store = openSqliteStore(path);
    cleanups.push(() => store.close());
    expect(store.loadPresence()).toEqual([]);
  });

  it("drops a stored registration whose Sphinx key it now refuses (stored by an older directory) at start", async () => {
    const clock = manualClock();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "directory.sqlite");
    const good = mixnode(generateEd25519Identity().signer, 1);
    const zero = { ...mixnode(generateEd25519Identity().signer, 2), sphinxKey: "00".repeat(32) };
    const older = openSqliteStore(path);
    for (const node of [good, zero]) {
      older.upsertPresence({
        kind: "mixnode",
        identityKey: node.identityKey,
        node,
        registeredAt: clock.now(),
        lastSeen: clock.now(),
        expiresAt: clock.now() + 60_000,
      });
    }
    older.close();
    const directory = createDirectory({ storage: { path } }, { log: silentLog, clock: clock.now });
    await directory.ready();
    cleanups.push(() => directory.stop());
    const topology = (await directory.app.inject({ method: "GET", url: "/api/v1/topology" })).json();
    expect(topology.mixnodes[0].nodes).toEqual([good]);
    expect(topology.mixnodes[1].nodes).toEqual([]);
    const store = openSqliteStore(path);
    cleanups.push(() => store.close());
    expect(store.loadPresence().map((e) => e.identityKey)).toEqual([good.identityKey]);
  });

  it("bounds metrics retention by age and by count per node", async () => {
    const clock = manualClock();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const directory = createDirectory(
      {
        storage: { path: join(dir, "d.sqlite") },
        presence: { ttlSeconds: 3600 },
        metrics: { retentionSeconds: 60, windowSeconds: 30, maxReportsPerNode: 5 },
        rateLimit: { writesPerKeyPerMinute: 1000 },
      },
      { log: silentLog, clock: clock.now },
    );
    await directory.ready();
    cleanups.push(() => directory.stop());
    const { signer } = generateEd25519Identity();
    await directory.app.inject({
      method: "POST",
      url: "/api/v1/presence/mixnodes",
      payload: await sign("register:mixnode", mixnode(signer), signer, clock.now()),
    });
    for (let i = 0; i < 8; i++) {
      clock.advance(1000);
      const report = { identityKey: signer.publicKey, received: i, sent: {}, dropped: 0, intervalMs: 1000 };
      const response = await directory.app.inject({
        method: "POST",
        url: "/api/v1/metrics/mixnodes",
        payload: await sign("metrics:mixnode", report, signer, clock.now()),
      });
      expect(response.statusCode).toBe(201);
    }
    const history = async () =>
      (await directory.app.inject({ method: "GET", url: `/api/v1/metrics/mixnodes/${signer.publicKey}` })).json()
        .reports as { received: number }[];
    expect((await history()).map((r) => r.received)).toEqual([7, 6, 5, 4, 3]);
    clock.advance(61_000);
    directory.sweep();
    expect(await history()).toEqual([]);
  });
});

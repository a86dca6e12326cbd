import { gunzipSync } from "node:zlib";
import {
  type Ed25519Signer,
  type GatewayRegistration,
  generateEd25519Identity,
  NODE_KINDS,
  type NodeKind,
  type RegistrationByKind,
  signingBytes,
} from "@nym-ts/directory-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Directory } from "../../src/index.js";
import { manualClock, mixnode, randomKeyHex, randomSphinxKeyHex, sign, startDirectory } from "../helpers/fixtures.js";

const version = "0.1.0";

function payloadFor(kind: NodeKind, signer: Ed25519Signer): RegistrationByKind[NodeKind] {
  const identityKey = signer.publicKey;
  const eth = "0x00000000000000000000000000000000000000aa";
  switch (kind) {
    case "mixnode":
      return mixnode(signer, 2);
    case "gateway":
      return {
        identityKey,
        sphinxKey: randomSphinxKeyHex(),
        mixnetAddress: "gw.example:1789",
        clientAddress: "[::1]:9000",
        version,
      };
    case "validator":
      return { identityKey, rpcUrl: "http://127.0.0.1:26657", p2pAddress: "127.0.0.1:26656", version };
    case "issuer":
      return { identityKey, apiUrl: "http://127.0.0.1:4000", ethereumAddress: eth, issuerIndex: 2, version };
    case "verifier":
      return { identityKey, ethereumAddress: eth, version };
    case "service-provider":
      return { identityKey, ethereumAddress: eth, apiUrl: "https://sp.example/api", version };
  }
}

describe("directory routes (inject)", () => {
  const clock = manualClock();
  let directory: Directory;
  let stop: () => Promise<void>;

  beforeEach(async () => {
    ({ directory, stop } = await startDirectory({ rateLimit: { writesPerKeyPerMinute: 1000 } }, clock.now));
  });
  afterEach(async () => {
    await stop();
  });

  const post = (url: string, payload: unknown) =>
    directory.app.inject({ method: "POST", url, payload: payload as object });

  for (const kind of Object.keys(NODE_KINDS) as NodeKind[]) {
    const path = `/api/v1/presence/${NODE_KINDS[kind].path}`;

    it(`registers, lists, gets, renews and deregisters a ${kind}`, async () => {
      const { signer } = generateEd25519Identity();
      const payload = payloadFor(kind, signer);
      const first = await post(path, await sign(`register:${kind}`, payload, signer, clock.now()));
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ kind, identityKey: signer.publicKey, created: true, ttlSeconds: 60 });

      const list = await directory.app.inject({ method: "GET", url: path });
      expect(list.statusCode).toBe(200);
      expect(list.json().nodes).toHaveLength(1);
      expect(list.json().nodes[0].node).toEqual(payload);

      clock.advance(1000);
      const renewal = await post(path, await sign(`register:${kind}`, payload, signer, clock.now()));
      expect(renewal.json()).toMatchObject({ created: false, expiresAt: clock.now() + 60_000 });

      const one = await directory.app.inject({ method: "GET", url: `${path}/${signer.publicKey}` });
      expect(one.statusCode).toBe(200);
      expect(one.json()).toMatchObject({ node: payload, lastSeen: clock.now(), registeredAt: clock.now() - 1000 });

      const timestamp = clock.now() + 1;
      const signature = Buffer.from(
        await signer.sign(signingBytes(`deregister:${kind}`, timestamp, { identityKey: signer.publicKey })),
      ).toString("hex");
      const removed = await directory.app.inject({
        method: "DELETE",
        url: `${path}/${signer.publicKey}`,
        payload: { timestamp, signature },
      });
      expect(removed.statusCode).toBe(200);
      expect(removed.json()).toEqual({ kind, identityKey: signer.publicKey, removed: true });
      const gone = await directory.app.inject({ method: "GET", url: `${path}/${signer.publicKey}` });
      expect(gone.statusCode).toBe(404);
      expect(gone.json().code).toBe("DIRECTORY_ERROR_NOT_FOUND");
    });
  }

  it("rejects a registration signed by another key (forgery) with 401 and stores nothing", async () => {
    const victim = generateEd25519Identity().signer;
    const attacker = generateEd25519Identity().signer;
    const forged = await sign("register:mixnode", mixnode(victim), attacker, clock.now());
    const response = await post("/api/v1/presence/mixnodes", forged);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe("DIRECTORY_ERROR_BAD_SIGNATURE");
    const list = await directory.app.inject({ method: "GET", url: "/api/v1/presence/mixnodes" });
    expect(list.json().nodes).toEqual([]);
  });

  it("rejects a body altered after signing, and a signature made for another purpose", async () => {
    const { signer } = generateEd25519Identity();
    const body = await sign("register:mixnode", mixnode(signer, 1), signer, clock.now());
    const altered = { ...body, payload: { ...body.payload, layer: 3 } };
    expect((await post("/api/v1/presence/mixnodes", altered)).statusCode).toBe(401);
    const asGateway = await sign("register:mixnode", payloadFor("gateway", signer), signer, clock.now());
    const wrongPurpose = await post("/api/v1/presence/gateways", asGateway);
    expect(wrongPurpose.statusCode).toBe(401);
    expect(wrongPurpose.json().code).toBe("DIRECTORY_ERROR_BAD_SIGNATURE");
  });

  it("rejects a replayed registration and an older timestamp, accepts a newer one", async () => {
    const { signer } = generateEd25519Identity();
    const body = await sign("register:mixnode", mixnode(signer), signer, clock.now());
    expect((await post("/api/v1/presence/mixnodes", body)).statusCode).toBe(200);
    const replay = await post("/api/v1/presence/mixnodes", body);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe("DIRECTORY_ERROR_REPLAY");
    const older = await sign("register:mixnode", mixnode(signer), signer, clock.now() - 5);
    expect((await post("/api/v1/presence/mixnodes", older)).json().code).toBe("DIRECTORY_ERROR_REPLAY");
    const newer = await sign("register:mixnode", mixnode(signer), signer, clock.now() + 1);
    expect((await post("/api/v1/presence/mixnodes", newer)).statusCode).toBe(200);
  });

  it("rejects timestamps outside the window in either direction with 401", async () => {
    const { signer } = generateEd25519Identity();
    for (const offset of [-30_001, 30_001]) {
      const body = await sign("register:mixnode", mixnode(signer), signer, clock.now() + offset);
      const response = await post("/api/v1/presence/mixnodes", body);
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe("DIRECTORY_ERROR_TIMESTAMP_OUT_OF_WINDOW");
    }
    const edge = await sign("register:mixnode", mixnode(signer), signer, clock.now() + 30_000);
    expect((await post("/api/v1/presence/mixnodes", edge)).statusCode).toBe(200);
  });

  it("refuses a small-order identity key even with a signature that verifies under it", async () => {
    // The identity point (y = 1): with R = identity and S = 0 every message "verifies" under it.
    const identityPoint = `01${"00".repeat(31)}`;
    const body = {
      payload: { ...mixnode(generateEd25519Identity().signer), identityKey: identityPoint },
      timestamp: clock.now(),
      signature: `01${"00".repeat(63)}`,
    };
    const response = await post("/api/v1/presence/mixnodes", body);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe("DIRECTORY_ERROR_INVALID_KEY");
  });

  it("refuses a zero, small-order or non-canonical Sphinx key with 400 DIRECTORY_ERROR_INVALID_KEY, storing nothing", async () => {
    const P = 2n ** 255n - 19n;
    const le = (n: bigint) => Buffer.from(n.toString(16).padStart(64, "0"), "hex").reverse().toString("hex");
    const bad = [
      "00".repeat(32), // the all-zero key of issue 15
      le(1n),
      le(P - 1n),
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
      le(P), // non-canonical encoding of 0
      `${"11".repeat(31)}ff`, // top bit set
    ];
    for (const sphinxKey of bad) {
      for (const kind of ["mixnode", "gateway"] as const) {
        const { signer } = generateEd25519Identity();
        const payload = { ...payloadFor(kind, signer), sphinxKey };
        const response = await post(
          `/api/v1/presence/${NODE_KINDS[kind].path}`,
          await sign(`register:${kind}`, payload, signer, clock.now()),
        );
        expect(response.statusCode, `${kind} ${sphinxKey}`).toBe(400);
        expect(response.json().code).toBe("DIRECTORY_ERROR_INVALID_KEY");
        expect(response.json().message).toMatch(/^body\.payload\.sphinxKey/);
      }
    }
    const topology = (await directory.app.inject({ method: "GET", url: "/api/v1/topology" })).json();
    expect(topology.mixnodes.flatMap((l: { nodes: unknown[] }) => l.nodes)).toEqual([]);
    expect(topology.gateways).toEqual([]);
    // A service provider's mixnet address carries keys too: a zero encryption key is refused the same way.
    const { signer } = generateEd25519Identity();
    const sp = {
      ...payloadFor("service-provider", signer),
      mixnetAddress: `${signer.publicKey}.${"00".repeat(32)}@${randomKeyHex()}`,
    };
    const refused = await post(
      "/api/v1/presence/service-providers",
      await sign("register:service-provider", sp, signer, clock.now()),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe("DIRECTORY_ERROR_INVALID_KEY");
    const fine = { ...sp, mixnetAddress: `${signer.publicKey}.${randomSphinxKeyHex()}@${randomKeyHex()}` };
    const accepted = await post(
      "/api/v1/presence/service-providers",
      await sign("register:service-provider", fine, signer, clock.now() + 1),
    );
    expect(accepted.statusCode).toBe(200);
  });

  it("answers schema violations with 400 naming the field", async () => {
    const { signer } = generateEd25519Identity();
    const cases: [unknown, string][] = [
      [{ ...mixnode(signer), layer: 4 }, "body.payload.layer"],
      [{ ...mixnode(signer), host: "no-port" }, "body.payload.host"],
      [{ ...mixnode(signer), sphinxKey: "zz" }, "body.payload.sphinxKey"],
      [{ ...mixnode(signer), extra: 1 }, "body.payload"],
    ];
    for (const [payload, field] of cases) {
      const response = await post("/api/v1/presence/mixnodes", {
        payload,
        timestamp: clock.now(),
        signature: "00".repeat(64),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe("HTTP_ERROR_VALIDATION");
      expect(response.json().message.startsWith(field)).toBe(true);
    }
    const noSignature = await post("/api/v1/presence/mixnodes", { payload: mixnode(signer), timestamp: 1 });
    expect(noSignature.json().issues.map((i: { path: string }) => i.path)).toContain("body.signature");
    const badParam = await directory.app.inject({ method: "GET", url: "/api/v1/presence/mixnodes/xyz" });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().message).toMatch(/^params\.identityKey/);
  });

  it("answers an oversized body with 413, unknown routes with a JSON 404, bad JSON with 400", async () => {
    const big = await directory.app.inject({
      method: "POST",
      url: "/api/v1/presence/mixnodes",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ pad: "x".repeat(20_000) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().statusCode).toBe(413);
    const missing = await directory.app.inject({ method: "GET", url: "/api/v2/nothing" });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toMatch(/application\/json/);
    expect(missing.json()).toMatchObject({ code: "HTTP_ERROR_NOT_FOUND", requestId: missing.headers["x-request-id"] });
    const badJson = await directory.app.inject({
      method: "POST",
      url: "/api/v1/presence/mixnodes",
      headers: { "content-type": "application/json" },
      payload: "{",
    });
    expect(badJson.statusCode).toBe(400);
  });

  it("deregistration needs the node's own signature and a registered node", async () => {
    const { signer } = generateEd25519Identity();
    await post("/api/v1/presence/mixnodes", await sign("register:mixnode", mixnode(signer), signer, clock.now()));
    const attacker = generateEd25519Identity().signer;
    const timestamp = clock.now() + 1;
    const forged = Buffer.from(
      await attacker.sign(signingBytes("deregister:mixnode", timestamp, { identityKey: signer.publicKey })),
    ).toString("hex");
    const response = await directory.app.inject({
      method: "DELETE",
      url: `/api/v1/presence/mixnodes/${signer.publicKey}`,
      payload: { timestamp, signature: forged },
    });
    expect(response.statusCode).toBe(401);
    const still = await directory.app.inject({ method: "GET", url: `/api/v1/presence/mixnodes/${signer.publicKey}` });
    expect(still.statusCode).toBe(200);

    const stranger = generateEd25519Identity().signer;
    const signature = Buffer.from(
      await stranger.sign(signingBytes("deregister:gateway", timestamp, { identityKey: stranger.publicKey })),
    ).toString("hex");
    const notThere = await directory.app.inject({
      method: "DELETE",
      url: `/api/v1/presence/gateways/${stranger.publicKey}`,
      payload: { timestamp, signature },
    });
    expect(notThere.statusCode).toBe(404);
  });

  it("serves the topology by layer with an ETag, 304 on a match, and a new ETag only when the network changes", async () => {
    const a = generateEd25519Identity().signer;
    const b = generateEd25519Identity().signer;
    const g = generateEd25519Identity().signer;
    const aNode = mixnode(a, 1);
    await post("/api/v1/presence/mixnodes", await sign("register:mixnode", aNode, a, clock.now()));
    await post("/api/v1/presence/mixnodes", await sign("register:mixnode", mixnode(b, 3), b, clock.now()));
    const gw = payloadFor("gateway", g) as GatewayRegistration;
    await post("/api/v1/presence/gateways", await sign("register:gateway", gw, g, clock.now()));

    const first = await directory.app.inject({ method: "GET", url: "/api/v1/topology" });
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const topology = first.json();
    expect(topology.mixnodes.map((l: { layer: number }) => l.layer)).toEqual([1, 2, 3]);
    expect(topology.mixnodes[0].nodes).toEqual([aNode]);
    expect(topology.mixnodes[1].nodes).toEqual([]);
    expect(topology.mixnodes[2].nodes[0].identityKey).toBe(b.publicKey);
    expect(topology.gateways).toEqual([gw]);

    const same = await directory.app.inject({
      method: "GET",
      url: "/api/v1/topology",
      headers: { "if-none-match": `W/"other", ${etag}` },
    });
    expect(same.statusCode).toBe(304);
    expect(same.body).toBe("");

    // A renewal with the same data keeps the ETag: polling clients are not made to refetch.
    clock.advance(10);
    await post("/api/v1/presence/mixnodes", await sign("register:mixnode", aNode, a, clock.now()));
    const afterRenewal = await directory.app.inject({ method: "GET", url: "/api/v1/topology" });
    expect(afterRenewal.headers.etag).toBe(etag);

    // A changed address is a changed network.
    clock.advance(10);
    const moved = { ...aNode, host: "10.9.9.9:1789" };
    await post("/api/v1/presence/mixnodes", await sign("register:mixnode", moved, a, clock.now()));
    const afterMove = await directory.app.inject({
      method: "GET",
      url: "/api/v1/topology",
      headers: { "if-none-match": etag },
    });
    expect(afterMove.statusCode).toBe(200);
    expect(afterMove.headers.etag).not.toBe(etag);
    expect(afterMove.json().mixnodes[0].nodes[0].host).toBe("10.9.9.9:1789");
  });

  it("serves the topology gzipped to clients that accept it, under its own ETag", async () => {
    const { signer } = generateEd25519Identity();
    await post("/api/v1/presence/mixnodes", await sign("register:mixnode", mixnode(signer), signer, clock.now()));
    const plain = await directory.app.inject({ method: "GET", url: "/api/v1/topology" });
    const zipped = await directory.app.inject({
      method: "GET",
      url: "/api/v1/topology",
      headers: { "accept-encoding": "br;q=1, gzip;q=0.8" },
    });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toBe("accept-encoding");
    expect(gunzipSync(zipped.rawPayload).toString("utf8")).toBe(plain.body);
    expect(zipped.headers.etag).not.toBe(plain.headers.etag);
    for (const etag of [plain.headers.etag, zipped.headers.etag] as string[]) {
      const again = await directory.app.inject({
        method: "GET",
        url: "/api/v1/topology",
        headers: { "accept-encoding": "gzip", "if-none-match": etag },
      });
      expect(again.statusCode).toBe(304);
    }
    const refused = await directory.app.inject({
      method: "GET",
      url: "/api/v1/topology",
      headers: { "accept-encoding": "gzip;q=0, identity" },
    });
    expect(refused.headers["content-encoding"]).toBeUndefined();
  });

  it("accepts signed metrics from a live mixnode only, and summarizes them", async () => {
    const { signer } = generateEd25519Identity();
    const neighbourSigner = generateEd25519Identity().signer;
    const neighbour = neighbourSigner.publicKey;
    await post(
      "/api/v1/presence/mixnodes",
      await sign("register:mixnode", mixnode(neighbourSigner, 2), neighbourSigner, clock.now()),
    );
    const report = {
      identityKey: signer.publicKey,
      received: 10,
      sent: { [neighbour]: 7 },
      dropped: 1,
      intervalMs: 1000,
    };
    const early = await post("/api/v1/metrics/mixnodes", await sign("metrics:mixnode", report, signer, clock.now()));
    expect(early.statusCode).toBe(403);
    expect(early.json().code).toBe("DIRECTORY_ERROR_NOT_REGISTERED");

    clock.advance(1);
    await post("/api/v1/presence/mixnodes", await sign("register:mixnode", mixnode(signer), signer, clock.now()));
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      const ok = await post("/api/v1/metrics/mixnodes", await sign("metrics:mixnode", report, signer, clock.now()));
      expect(ok.statusCode).toBe(201);
      expect(ok.json()).toEqual({ nextReportInMs: 10_000 });
    }
    const forged = await sign(
      "metrics:mixnode",
      { ...report, received: 999 },
      generateEd25519Identity().signer,
      clock.now() + 1,
    );
    expect((await post("/api/v1/metrics/mixnodes", forged)).statusCode).toBe(401);

    const overview = await directory.app.inject({ method: "GET", url: "/api/v1/metrics/mixnodes" });
    expect(overview.statusCode).toBe(200);
    expect(overview.json()).toEqual({
      windowMs: 60_000,
      nodes: [
        { identityKey: signer.publicKey, received: 30, sent: 21, dropped: 3, reports: 3, lastReportAt: clock.now() },
      ],
      totals: { received: 30, sent: 21, dropped: 3, reports: 3, nodes: 1 },
    });
    const totals = await directory.app.inject({ method: "GET", url: "/api/v1/metrics/totals" });
    expect(totals.json()).toEqual({ received: 30, sent: 21, dropped: 3, reports: 3, nodes: 1 });
    const history = await directory.app.inject({
      method: "GET",
      url: `/api/v1/metrics/mixnodes/${signer.publicKey}?limit=2`,
    });
    expect(history.statusCode).toBe(200);
    expect(history.json().reports).toHaveLength(2);
    expect(history.json().reports[0]).toMatchObject({
      received: 10,
      sent: { [neighbour]: 7 },
      receivedAt: clock.now(),
    });

    // Outside the window the sums drop to zero.
    clock.advance(61_000);
    const later = await directory.app.inject({ method: "GET", url: "/api/v1/metrics/totals" });
    expect(later.json()).toEqual({ received: 0, sent: 0, dropped: 0, reports: 0, nodes: 0 });
  });

  /** A registered mixnode and a registered neighbour, and a function posting a report signed by the mixnode. */
  async function reportingMixnode() {
    const { signer } = generateEd25519Identity();
    const neighbour = generateEd25519Identity().signer;
    await post("/api/v1/presence/mixnodes", await sign("register:mixnode", mixnode(signer, 1), signer, clock.now()));
    await post(
      "/api/v1/presence/mixnodes",
      await sign("register:mixnode", mixnode(neighbour, 2), neighbour, clock.now()),
    );
    let t = clock.now();
    const report = async (fields: {
      received?: number;
      sent?: Record<string, number>;
      dropped?: number;
      intervalMs?: number;
    }) => {
      t = Math.max(t + 1, clock.now());
      const payload = {
        identityKey: signer.publicKey,
        received: 0,
        sent: {},
        dropped: 0,
        intervalMs: 10_000,
        ...fields,
      };
      return post("/api/v1/metrics/mixnodes", await sign("metrics:mixnode", payload, signer, t));
    };
    return { signer, neighbour, report };
  }

  it("refuses the reporter's own key and keys that are no mixnode or gateway as neighbours (400 DIRECTORY_ERROR_INVALID_PEER)", async () => {
    const { signer, neighbour, report } = await reportingMixnode();
    clock.advance(10_000);
    for (const peer of [signer.publicKey, "00".repeat(32), randomKeyHex()]) {
      const refused = await report({ sent: { [peer]: 1 } });
      expect(refused.statusCode, peer).toBe(400);
      expect(refused.json().code).toBe("DIRECTORY_ERROR_INVALID_PEER");
    }
    expect((await report({ received: 5, sent: { [neighbour.publicKey]: 5 } })).statusCode).toBe(201);
    // A neighbour that just left is still accepted (the reporter's topology lags); after the grace it is refused.
    await directory.app.inject({
      method: "DELETE",
      url: `/api/v1/presence/mixnodes/${neighbour.publicKey}`,
      payload: await (async () => {
        const timestamp = clock.now() + 5;
        const signature = await neighbour.sign(
          signingBytes("deregister:mixnode", timestamp, { identityKey: neighbour.publicKey }),
        );
        return { timestamp, signature: Buffer.from(signature).toString("hex") };
      })(),
    });
    clock.advance(10_000);
    expect((await report({ received: 5, sent: { [neighbour.publicKey]: 5 } })).statusCode).toBe(201);
    clock.advance(121_000);
    await post("/api/v1/presence/mixnodes", await sign("register:mixnode", mixnode(signer, 1), signer, clock.now()));
    clock.advance(1);
    const late = await report({ sent: { [neighbour.publicKey]: 5 } });
    expect(late.statusCode).toBe(400);
    expect(late.json().code).toBe("DIRECTORY_ERROR_INVALID_PEER");
  });

  it("bounds each report by the packet ceiling over the interval the directory measured (422 DIRECTORY_ERROR_METRICS_IMPLAUSIBLE)", async () => {
    // Default ceiling: 20,000 packets/s. The issue's attack: every counter at 2^32-1.
    const { neighbour, report } = await reportingMixnode();
    clock.advance(10_000);
    const max = 0xffff_ffff;
    for (const fields of [{ received: max }, { dropped: max }, { sent: { [neighbour.publicKey]: max } }]) {
      const refused = await report(fields);
      expect(refused.statusCode).toBe(422);
      expect(refused.json().code).toBe("DIRECTORY_ERROR_METRICS_IMPLAUSIBLE");
    }
    // 10 s claimed, 10 s (+1 s grace) since registration: 200,000 packets fit, 200,001 do not.
    expect((await report({ received: 200_001 })).statusCode).toBe(422);
    expect((await report({ received: 200_000, sent: { [neighbour.publicKey]: 200_000 } })).statusCode).toBe(201);
    // Reporting every 100 ms while claiming a 10 s interval: each report is bounded by the 100 ms (+ grace) that
    // passed, so 60 reports a minute cannot add up to more than the ceiling allows in that time.
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      expect((await report({ received: 30_000, intervalMs: 10_000 })).statusCode).toBe(422);
      expect((await report({ received: 22_000, intervalMs: 10_000 })).statusCode).toBe(201);
    }
    const totals = (await directory.app.inject({ method: "GET", url: "/api/v1/metrics/totals" })).json();
    expect(totals.received).toBe(200_000 + 20 * 22_000);
    // A short claimed interval bounds the report too: 1 s claimed after a long silence allows 20,000.
    clock.advance(30_000);
    expect((await report({ received: 20_001, intervalMs: 1000 })).statusCode).toBe(422);
    expect((await report({ received: 20_000, intervalMs: 1000 })).statusCode).toBe(201);
  });

  it("serves /health, Prometheus /metrics with rejection counters, and the OpenAPI document", async () => {
    const health = await directory.app.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: "ok", service: "nym-directory", checks: { storage: { ok: true } } });

    const { signer } = generateEd25519Identity();
    const body = await sign("register:mixnode", mixnode(signer), signer, clock.now());
    await post("/api/v1/presence/mixnodes", body);
    await post("/api/v1/presence/mixnodes", body);
    const metrics = await directory.app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('nym_directory_rejected_total{reason="DIRECTORY_ERROR_REPLAY"} 1');
    expect(metrics.body).toContain('nym_directory_nodes{kind="mixnode"} 1');
    expect(metrics.body).toMatch(
      /nym_directory_http_requests_total\{method="POST",route="\/api\/v1\/presence\/mixnodes",status="200"\} 1/,
    );

    const docs = await directory.app.inject({ method: "GET", url: "/docs/json" });
    expect(docs.statusCode).toBe(200);
    const ui = await directory.app.inject({ method: "GET", url: "/docs/" });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain("swagger");
  });
});

describe("directory rate limits", () => {
  const clock = manualClock();

  it("limits signed writes per identity key with 429", async () => {
    const { directory, stop } = await startDirectory({ rateLimit: { writesPerKeyPerMinute: 3 } }, clock.now);
    try {
      const { signer } = generateEd25519Identity();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        clock.advance(1);
        const body = await sign("register:mixnode", mixnode(signer), signer, clock.now());
        statuses.push(
          (await directory.app.inject({ method: "POST", url: "/api/v1/presence/mixnodes", payload: body })).statusCode,
        );
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // Another key is not affected.
      const other = generateEd25519Identity().signer;
      const body = await sign("register:mixnode", mixnode(other), other, clock.now());
      expect(
        (await directory.app.inject({ method: "POST", url: "/api/v1/presence/mixnodes", payload: body })).statusCode,
      ).toBe(200);
    } finally {
      await stop();
    }
  });

  it("limits requests per client address with 429 and a JSON error", async () => {
    const { directory, stop } = await startDirectory(
      { rateLimit: { writesPerAddressPerMinute: 2, readsPerAddressPerMinute: 3 } },
      clock.now,
    );
    try {
      const reads: number[] = [];
      for (let i = 0; i < 4; i++) {
        reads.push((await directory.app.inject({ method: "GET", url: "/api/v1/topology" })).statusCode);
      }
      expect(reads).toEqual([200, 200, 200, 429]);
      const writes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await directory.app.inject({ method: "POST", url: "/api/v1/presence/gateways", payload: {} });
        writes.push(response.statusCode);
        if (response.statusCode === 429) expect(response.json().code).toBe("DIRECTORY_ERROR_RATE_LIMITED");
      }
      expect(writes).toEqual([400, 400, 429]);
      // Another address has its own budget.
      const other = await directory.app.inject({ method: "GET", url: "/api/v1/topology", remoteAddress: "10.1.2.3" });
      expect(other.statusCode).toBe(200);
    } finally {
      await stop();
    }
  });
});

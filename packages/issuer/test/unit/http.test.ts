import { HttpErrorBody } from "@nym-ts/common";
import {
  encodePublicAttribute,
  IssuerClient,
  IssuerRejection,
  IssuerVerificationKey,
  PartialCredential,
} from "@nym-ts/credentials";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Issuer } from "../../src/index.js";
import { type Dealt, dealt, type FakeChain, prepare, requestEvent, txHashOf } from "../helpers/fixtures.js";
import { startFakeIssuer } from "../helpers/issuer.js";

let d: Dealt;
let issuer: Issuer;
let chain: FakeChain;
let stop: () => Promise<void>;

beforeAll(async () => {
  d = await dealt();
  ({ issuer, chain, stop } = await startFakeIssuer(d, { index: 3 }));
});
afterAll(async () => {
  await stop?.();
});

async function inject(target: Issuer, url: string) {
  if (!target.app) throw new Error("issuer not started");
  return target.app.inject({ method: "GET", url });
}
const get = (url: string) => inject(issuer, url);

describe("GET /v1/partial-credentials/{requestId}", () => {
  it("serves the partial of a signed request (200, PartialCredential, immutable)", async () => {
    const event = requestEvent(prepare(d, 10n), { height: 3 });
    chain.emit(event);
    await issuer.idle();
    const res = await get(`/v1/partial-credentials/${event.txHash}`);
    expect(res.statusCode).toBe(200);
    const body = PartialCredential.parse(res.json());
    expect(body).toMatchObject({ requestId: event.txHash, index: 3, height: 3 });
    expect(res.headers["cache-control"]).toMatch(/immutable/);
  });

  it("answers a typed 404 for a request it has not decided, with no-store", async () => {
    const res = await get(`/v1/partial-credentials/${txHashOf("never-posted")}`);
    expect(res.statusCode).toBe(404);
    expect(HttpErrorBody.parse(res.json()).code).toBe("ISSUER_ERROR_UNKNOWN_REQUEST");
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("answers 400 for a malformed request id", async () => {
    for (const id of ["abc", txHashOf("x").toLowerCase(), `${txHashOf("x")}00`, "%00"]) {
      const res = await get(`/v1/partial-credentials/${id}`);
      expect(res.statusCode, id).toBe(400);
      expect(HttpErrorBody.parse(res.json()).code).toBe("HTTP_ERROR_VALIDATION");
    }
  });

  it("answers 422 with the reason for a request it refused", async () => {
    const event = requestEvent(prepare(d, 10n), {
      height: 4,
      attributes: { public_attributes: JSON.stringify([encodePublicAttribute(99n)]) },
    });
    chain.emit(event);
    await issuer.idle();
    const res = await get(`/v1/partial-credentials/${event.txHash}`);
    expect(res.statusCode).toBe(422);
    const body = IssuerRejection.parse(res.json());
    expect(body).toMatchObject({ code: "ISSUER_ERROR_REQUEST_REJECTED", reason: "value_mismatch" });
  });

  it("is what IssuerClient reads: the partial, undefined while unknown, a coded error with the reason when refused", async () => {
    const client = new IssuerClient(issuer.url as string);
    const signed = requestEvent(prepare(d, 12n), { height: 6 });
    const refused = requestEvent(prepare(d, 12n), { height: 6, label: "r", attributes: { value: "13" } });
    chain.emit(signed);
    chain.emit(refused);
    await issuer.idle();
    expect(await client.partialCredential(signed.txHash)).toMatchObject({ index: 3, requestId: signed.txHash });
    expect(await client.partialCredential(txHashOf("unknown"))).toBeUndefined();
    await expect(client.partialCredential(refused.txHash)).rejects.toMatchObject({
      code: "CREDENTIAL_ERROR_HTTP",
      details: { status: 422, code: "ISSUER_ERROR_REQUEST_REJECTED", reason: "value_mismatch" },
    });
  });
});

describe("GET /v1/verification-key", () => {
  it("serves the index, chain address and key share genesis names", async () => {
    const res = await get("/v1/verification-key");
    expect(res.statusCode).toBe(200);
    const body = IssuerVerificationKey.parse(res.json());
    const member = chain.appState.issuers.members.find((m) => m.index === 3);
    expect(body).toEqual({ index: 3, address: member?.address, verificationKey: member?.verificationKey });
  });
});

describe("operations", () => {
  it("/health reports the checkpoint, the chain height and that it follows the chain", async () => {
    chain.height = 30;
    for (let i = 0; i < 100 && (issuer.follower?.status.chainHeight ?? 0) < 30; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const res = await get("/health");
    expect(res.statusCode).toBe(200);
    const body = res.json() as { status: string; checks: Record<string, { ok: boolean; detail?: string }> };
    expect(body.status).toBe("ok");
    expect(body.checks.chain?.detail).toMatch(/^checkpoint \d+, chain height 30, reachable, following$/);
    expect(body.checks.storage?.ok).toBe(true);
  });

  it("/health turns unhealthy (503) once the issuer no longer follows the chain", async () => {
    const { issuer: other, stop: stopOther } = await startFakeIssuer(d, { index: 2 });
    try {
      expect((await inject(other, "/health")).statusCode).toBe(200);
      await other.follower?.stop();
      const after = await inject(other, "/health");
      expect(after.statusCode).toBe(503);
      expect((after.json() as { checks: { chain: { detail: string } } }).checks.chain.detail).toMatch(/not following/);
    } finally {
      await stopOther();
    }
  });

  it("/metrics exports requests seen, signed, rejected by reason and the sign latency histogram", async () => {
    // Its own signed and refused requests, so the series exist whatever ran before (tests run shuffled in CI).
    chain.emit(requestEvent(prepare(d, 5n), { height: 8, label: "metrics-signed" }));
    chain.emit(requestEvent(prepare(d, 5n), { height: 8, label: "metrics-refused", attributes: { value: "6" } }));
    await issuer.idle();
    const res = await get("/metrics");
    expect(res.statusCode).toBe(200);
    const text = res.body;
    for (const series of [
      "nym_issuer_requests_seen_total",
      "nym_issuer_requests_signed_total",
      'nym_issuer_requests_rejected_total{reason="value_mismatch"}',
      "nym_issuer_sign_duration_seconds_bucket",
      "nym_issuer_checkpoint_height",
      "nym_issuer_chain_height",
      "nym_issuer_http_requests_total",
    ]) {
      expect(text, series).toContain(series);
    }
  });
});

import { randomBytes } from "node:crypto";
import { ServiceProviderClient } from "@nym-ts/credentials";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeEnv, startOnFakeChain } from "../helpers/sp.js";

let env: FakeEnv;
let valid: { theta: string; value: string };

beforeAll(async () => {
  env = await startOnFakeChain();
  const s = env.world.spend(env.world.issue(10n), env.sp.address);
  valid = { theta: s.theta, value: s.value };
});

afterAll(async () => {
  await env?.stop();
});

async function post(body: string | Buffer, contentType = "application/json") {
  const response = await fetch(`${env.sp.url()}/v1/spend`, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });
  const text = await response.text();
  let json: { code?: string; statusCode?: number; message?: string } = {};
  try {
    json = JSON.parse(text);
  } catch {
    // checked below: every answer must be JSON
  }
  return { status: response.status, json, text };
}

/** Replaces `length` bytes of Θ's encoding at `offset` (after the 0x) with `bytes`. */
function patchTheta(theta: string, offset: number, bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString("hex");
  return `0x${theta.slice(2, 2 + 2 * offset)}${hex}${theta.slice(2 + 2 * offset + hex.length)}`;
}
const identityG1 = () => Uint8Array.from([0xc0, ...new Uint8Array(47)]);
const identityG2 = () => Uint8Array.from([0xc0, ...new Uint8Array(95)]);
// Θ layout: version, tag, k (3 bytes), h' (48), s' (48), κ (96), ζ (96), Aw, Cw, responses.
const H_PRIME = 3;
const ZETA = 3 + 48 + 48 + 96;

describe("malformed spends over HTTP: typed 4xx, nothing stored, nothing sent, the daemon keeps serving", () => {
  const proofCases: [string, () => { theta: string; value: string }][] = [
    ["a truncated theta", () => ({ ...valid, theta: valid.theta.slice(0, -20) })],
    ["a theta with a trailing byte", () => ({ ...valid, theta: `${valid.theta}00` })],
    ["a theta cut to its header", () => ({ ...valid, theta: valid.theta.slice(0, 8) })],
    [
      "a theta whose h' is the identity point",
      () => ({ ...valid, theta: patchTheta(valid.theta, H_PRIME, identityG1()) }),
    ],
    [
      "a theta whose zeta is the identity point",
      () => ({ ...valid, theta: patchTheta(valid.theta, ZETA, identityG2()) }),
    ],
    [
      "a theta of random bytes of the right length",
      () => ({ ...valid, theta: `0x${randomBytes(579).toString("hex")}` }),
    ],
    ["a theta with the wrong type tag", () => ({ ...valid, theta: patchTheta(valid.theta, 1, Uint8Array.of(0x06)) })],
  ];
  for (const [name, make] of proofCases) {
    it(`answers 400 SP_ERROR_MALFORMED_SPEND for ${name}`, async () => {
      const before = env.chain.total;
      // Compared with what was stored before: tests run shuffled in CI, so a valid spend may already be stored.
      const storedBefore = env.sp.store.counts();
      const { status, json } = await post(JSON.stringify(make()));
      expect(status).toBe(400);
      expect(json.code).toBe("SP_ERROR_MALFORMED_SPEND");
      expect(env.chain.total).toBe(before);
      expect(env.sp.store.counts()).toEqual(storedBefore);
    });
  }

  const bodyCases: [string, () => string | Buffer, number, string | RegExp, string?][] = [
    ["odd-length hex", () => JSON.stringify({ ...valid, theta: `${valid.theta}0` }), 400, "HTTP_ERROR_VALIDATION"],
    [
      "upper-case hex",
      () => JSON.stringify({ ...valid, theta: valid.theta.toUpperCase().replace("0X", "0x") }),
      400,
      "HTTP_ERROR_VALIDATION",
    ],
    ["theta without 0x", () => JSON.stringify({ ...valid, theta: valid.theta.slice(2) }), 400, "HTTP_ERROR_VALIDATION"],
    [
      "a theta over 16 KiB",
      () => JSON.stringify({ ...valid, theta: `0x${"ab".repeat(16 * 1024 + 1)}` }),
      400,
      "HTTP_ERROR_VALIDATION",
    ],
    ["value 0", () => JSON.stringify({ ...valid, value: "0" }), 400, "HTTP_ERROR_VALIDATION"],
    ["a negative value", () => JSON.stringify({ ...valid, value: "-1" }), 400, "HTTP_ERROR_VALIDATION"],
    ["a value as a JSON number", () => JSON.stringify({ ...valid, value: 10 }), 400, "HTTP_ERROR_VALIDATION"],
    [
      "a value of 2^128",
      () => JSON.stringify({ ...valid, value: (2n ** 128n).toString() }),
      400,
      "HTTP_ERROR_VALIDATION",
    ],
    ["an unknown field", () => JSON.stringify({ ...valid, zeta: "0x00" }), 400, "HTTP_ERROR_VALIDATION"],
    ["no value", () => JSON.stringify({ theta: valid.theta }), 400, "HTTP_ERROR_VALIDATION"],
    ["a JSON array", () => JSON.stringify([valid]), 400, "HTTP_ERROR_VALIDATION"],
    ["JSON null", () => "null", 400, /./],
    ["garbage that is not JSON", () => "\u0000\u00ff garbage {{{", 400, /./],
    ["random binary", () => randomBytes(600), 400, /./],
    ["an empty body", () => "", 400, /./],
    ["a 1 MB body", () => JSON.stringify({ ...valid, theta: `0x${"ab".repeat(512 * 1024)}` }), 413, /./],
    // Fastify reads text/plain as a string, which is not a SpendRequest.
    ["a text/plain body", () => JSON.stringify(valid), 400, "HTTP_ERROR_VALIDATION", "text/plain"],
    ["an application/xml body", () => "<spend/>", 415, /./, "application/xml"],
  ];
  for (const [name, make, status, code, contentType] of bodyCases) {
    it(`answers ${status} with a typed error for ${name}`, async () => {
      const before = env.chain.total;
      // Compared with what was stored before: tests run shuffled in CI, so a valid spend may already be stored.
      const storedBefore = env.sp.store.counts();
      const answer = await post(make(), contentType);
      expect(answer.status).toBe(status);
      expect(answer.json.statusCode).toBe(status);
      expect(answer.json.code).toMatch(code);
      expect(answer.json.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(env.chain.total).toBe(before);
      expect(env.sp.store.counts()).toEqual(storedBefore);
    });
  }

  it("still serves /v1/info and takes a valid spend after all of them", async () => {
    const client = new ServiceProviderClient(env.sp.url());
    expect((await client.info()).address).toBe(env.sp.address);
    expect(await client.spend(valid)).toMatchObject({ accepted: true, outcome: "spent" });
    const metrics = await (await fetch(`${env.sp.url()}/metrics`)).text();
    expect(metrics).toMatch(/nym_service_provider_spends_total\{outcome="malformed",transport="http"\} [1-9]/);
  });
});

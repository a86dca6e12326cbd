import { IssuerClient } from "@nym-ts/credentials";
import { type CredentialNetwork, startCredentialNetwork } from "@nym-ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CredentialContext, collectCredential, pay, requestCredential } from "../../src/credentials/index.js";
import { newCredentialClient } from "../helpers/credential-client.js";

const NYM = 1_000_000n;

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Collection when issuers misbehave: 4 issuers (t = 2), issuer 4 started with a share that is not the one genesis
 * names (it signs, with the wrong key), and an issuer that goes down. No SP: nothing is spent here.
 */
describe("credential collection with an issuer down and an issuer on a wrong share", () => {
  let net: CredentialNetwork;
  let client: { dir: string; ctx: CredentialContext; address: string };
  const url = (index: number) => net.issuers.find((i) => i.index === index)?.url as string;

  beforeAll(async () => {
    net = await startCredentialNetwork({ issuers: 4, issuerThreshold: 2, wrongShareIssuers: [4], serviceProviders: 0 });
    client = await newCredentialClient(net, "carol", 10n * NYM);
    await pay(client.ctx, 10n * NYM);
  }, 120_000);

  afterAll(async () => {
    await client?.ctx.close();
    await net?.stop();
  }, 60_000);

  it("detects a partial signed by a wrong key, names the issuer and aggregates from two good ones", async () => {
    const { id } = await requestCredential(client.ctx, NYM);
    // Wait until the wrong-share issuer has signed, so the collection sees its partial.
    await until(async () => (await new IssuerClient(url(4)).partialCredential(id)) !== undefined, 20_000);
    const lines: { index: unknown; status: unknown; reason: unknown }[] = [];
    const result = await collectCredential(
      client.ctx,
      { id, issuers: [{ url: url(4) }, { url: url(1) }, { url: url(2) }] },
      (e) => {
        if (e.type === "issuer") lines.push({ index: e.index, status: e.status, reason: e.reason });
      },
    );
    expect(result.issuers).toEqual([1, 2]);
    expect(result.skipped).toEqual([
      expect.objectContaining({
        url: url(4),
        index: 4,
        status: "bad-partial",
        reason: expect.stringMatching(/verify/),
      }),
    ]);
    expect(lines).toContainEqual(expect.objectContaining({ index: 4, status: "bad-partial" }));
    expect(client.ctx.store.get(id)?.status).toBe("issued");
  }, 60_000);

  it("collects from the other two when an issuer is down, and names the one down", async () => {
    const urls = [url(1), url(2), url(3)];
    await net.issuers[0]?.stop();
    try {
      const { id } = await requestCredential(client.ctx, NYM);
      const result = await collectCredential(client.ctx, { id, issuers: urls.map((u) => ({ url: u })) });
      expect(result.issuers).toEqual([2, 3]);
      expect(result.skipped).toEqual([expect.objectContaining({ url: urls[0], status: "down" })]);
      expect(client.ctx.store.get(id)?.status).toBe("issued");
    } finally {
      await net.issuers[0]?.start();
    }
  }, 60_000);

  it("fails naming every issuer when fewer than t give a valid partial, and keeps the request to retry", async () => {
    const { id } = await requestCredential(client.ctx, NYM);
    await until(async () => (await new IssuerClient(url(4)).partialCredential(id)) !== undefined, 20_000);
    const dead = "http://127.0.0.1:9";
    const error = await collectCredential(client.ctx, { id, issuers: [{ url: url(4) }, { url: dead }] }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "CLIENT_ERROR_COLLECT" });
    expect(String((error as Error).message)).toContain(url(4));
    expect(String((error as Error).message)).toContain(dead);
    expect(client.ctx.store.get(id)?.status).toBe("requested");
    // The good issuers still serve it: a later collection completes it.
    const result = await collectCredential(client.ctx, { id });
    expect(result.issuers).not.toContain(4);
    expect(client.ctx.store.get(id)?.status).toBe("issued");
  }, 90_000);
});

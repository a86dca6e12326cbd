import { type CredentialNetwork, startCredentialNetwork } from "@nym-ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  balance,
  type CredentialContext,
  collectCredential,
  pay,
  requestCredential,
} from "../../src/credentials/index.js";
import { newCredentialClient } from "../helpers/credential-client.js";

const NYM = 1_000_000n;

/**
 * The credential flow with nymclient's commands in this process, against the whole network on loopback: anvil with
 * the NYM token, a 4-validator chain, 3 watchers (threshold 2), 3 issuers (t = 2), the verifiers and an SP.
 */
describe("nymclient credentials against a real network", () => {
  let net: CredentialNetwork;
  let alice: { dir: string; ctx: CredentialContext; address: string };

  beforeAll(async () => {
    net = await startCredentialNetwork({ serviceProviders: 1 });
    alice = await newCredentialClient(net, "alice", 20n * NYM);
  }, 120_000);

  afterAll(async () => {
    await alice?.ctx.close();
    await net?.stop();
  }, 60_000);

  it("pays in: the transfer is confirmed, the watchers notify, the chain credits the account once", async () => {
    const stages: string[] = [];
    const result = await pay(alice.ctx, 10n * NYM, (event) => stages.push(String(event.stage)));
    expect(result.balanceAfter - result.balanceBefore).toBe(10n * NYM);
    expect(stages.slice(0, 3)).toEqual(["sending", "sent", "included"]);
    expect(stages).toContain("confirming");
    expect(stages).toContain("notified");
    expect(stages.at(-1)).toBe("credited");
    const b = await balance(alice.ctx);
    expect(b.balance).toBe(10n * NYM);
    expect(b.ethereumBalance).toBe(10n * NYM);
    // The third watcher's late vote credits nothing more.
    const view = await net.chain.transfer(result.ethTxHash, result.logIndex);
    expect(view?.credited).toEqual({ address: alice.address, amount: (10n * NYM).toString() });
  }, 60_000);

  it("requests a credential: the value is debited and the request is on chain under its id", async () => {
    const before = (await balance(alice.ctx)).balance;
    const r = await requestCredential(alice.ctx, 2n * NYM);
    expect(r.balanceAfter).toBe(before - 2n * NYM);
    const onChain = await net.chain.credentialRequest(r.id);
    expect(onChain?.requester).toBe(alice.address);
    expect(onChain?.value).toBe((2n * NYM).toString());
    expect(alice.ctx.store.get(r.id)?.status).toBe("requested");
  }, 30_000);

  it("collects t partials, verifies and aggregates them into a stored credential", async () => {
    const issuerLines: string[] = [];
    const r = await collectCredential(alice.ctx, {}, (e) => {
      if (e.type === "issuer") issuerLines.push(`${e.index}:${e.status}`);
    });
    expect(r.issuers.length).toBeGreaterThanOrEqual(2);
    expect(r.skipped).toEqual([]);
    const stored = alice.ctx.store.get(r.id);
    expect(stored?.status).toBe("issued");
    expect(stored?.signature).toMatch(/^0x[0-9a-f]+$/);
  }, 60_000);
});

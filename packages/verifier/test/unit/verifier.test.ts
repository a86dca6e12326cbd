import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  type AppStateInput,
  addressFromSecretKey,
  bytesToHex,
  randomSecretKey,
  THETA_ZETA_OFFSET,
} from "@nym-ts/chain-client";
import { createLogger } from "@nym-ts/common";
import type { Spend } from "@nym-ts/credentials";
import { createDirectory } from "@nym-ts/directory";
import { createDirectoryClient, generateEd25519Identity } from "@nym-ts/directory-client";
import { compileErrors, validate } from "@readme/openapi-parser";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type Verifier, VerifierError } from "../../src/index.js";
import { type CredentialKit, credentialKit, issueSpend } from "../helpers/credentials.js";
import { LedgerChain } from "../helpers/ledger-chain.js";

const log = createLogger({ name: "test", level: (process.env.TEST_LOG_LEVEL as "silent") ?? "silent" });
const keys = [0, 1, 2].map(() => randomSecretKey());
const addresses = keys.map((k) => addressFromSecretKey(k));
const spKey = randomSecretKey();
const sp = addressFromSecretKey(spKey);
const otherSp = addressFromSecretKey(randomSecretKey());

let kit: CredentialKit;
let appState: AppStateInput;

beforeAll(async () => {
  kit = await credentialKit(2, 3);
  appState = {
    pipeAccount: otherSp,
    watchers: { threshold: 1, members: [otherSp] },
    verifiers: { threshold: 2, members: addresses },
    issuers: kit.issuers,
    accounts: [],
  };
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function newChain(): LedgerChain {
  const chain = new LedgerChain(appState, { blockMs: 20 });
  cleanups.push(() => chain.close());
  return chain;
}

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "verifier-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startVerifier(chain: LedgerChain, i: number, dir = newDir()): Promise<Verifier> {
  const verifier = createVerifier(
    {
      dataDir: dir,
      chain: { pollIntervalMs: 10, stallMs: 500, commitTimeoutMs: 5_000 },
      verify: { retryInitialMs: 50, retryMaxMs: 200 },
      http: { port: 0 },
    },
    { log, chain, secretKey: keys[i] as Uint8Array, params: kit.params },
  );
  await verifier.start();
  cleanups.push(() => verifier.stop());
  return verifier;
}

async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function metric(verifier: Verifier, name: string, labels = ""): Promise<number> {
  const text = (await verifier.app?.inject({ method: "GET", url: "/metrics" }))?.body ?? "";
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels} `) || l.startsWith(`${name}${labels}{`));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

/** A Θ-framed proof the ledger accepts for `zeta` with `fill` as every other byte. */
function framed(zeta: string, fill: Uint8Array | number): string {
  const bytes = typeof fill === "number" ? new Uint8Array(579).fill(fill) : fill;
  bytes.set([1, 7, 2]);
  bytes.set(Buffer.from(zeta.slice(2), "hex"), THETA_ZETA_OFFSET);
  return `0x${bytesToHex(bytes)}`;
}

const deposit = (chain: LedgerChain, s: Spend, key = spKey) => {
  const r = chain.deposit(key, { zeta: s.zeta, value: s.value, proof: s.theta });
  expect(r.code).toBe(0);
};

describe("nym-verifier on the real ledger (in memory)", () => {
  it("votes valid on a good deposit: at the threshold the zeta is spent and the SP credited exactly once; a verifier started after the decision skips it", async () => {
    const chain = newChain();
    const [v0, v1] = [await startVerifier(chain, 0), await startVerifier(chain, 1)];
    const s = issueSpend(kit, 25n, sp);
    deposit(chain, s);
    await waitUntil(async () => (await chain.zeta(s.zeta)).status === "spent", "spent");
    await waitUntil(() => v0.store.counts().voted === 1 && v1.store.counts().voted === 1, "both recorded");
    expect((await chain.account(sp)).balance).toBe(25n);
    expect(await metric(v0, "nym_verifier_votes_sent_total", '{valid="true"}')).toBe(1);
    const late = await startVerifier(chain, 2);
    await waitUntil(() => late.store.counts().skipped === 1, "late verifier skips");
    expect(late.store.byZeta(s.zeta)).toMatchObject([{ status: "skipped", skipReason: "decided" }]);
    expect(await chain.nonceOf(addresses[2] as string)).toBe(0);
    expect((await chain.account(sp)).balance).toBe(25n);
  });

  it("votes a proof bound to another SP invalid: the zeta is released and the depositor never credited", async () => {
    const chain = newChain();
    const verifiers = [await startVerifier(chain, 0), await startVerifier(chain, 1)];
    const s = issueSpend(kit, 40n, otherSp); // made for otherSp, deposited by sp
    deposit(chain, s);
    await waitUntil(async () => (await chain.zeta(s.zeta)).status === "released", "released");
    for (const v of verifiers) {
      await waitUntil(() => v.store.counts().voted === 1, "recorded");
      expect(v.store.byZeta(s.zeta)).toMatchObject([{ status: "voted", valid: false, reason: "does_not_verify" }]);
      expect(await metric(v, "nym_verifier_invalid_proofs_total", '{reason="does_not_verify"}')).toBe(1);
    }
    expect((await chain.account(sp)).balance).toBe(0n);
  });

  it("votes malformed proofs (garbage, identity points, truncated) invalid, counts them, and keeps working", async () => {
    const chain = newChain();
    const v0 = await startVerifier(chain, 0);
    await startVerifier(chain, 1);
    const zetas = [issueSpend(kit, 1n, sp), issueSpend(kit, 2n, sp), issueSpend(kit, 3n, sp)].map((s) => s.zeta);
    const g1Identity = new Uint8Array(579);
    g1Identity[3] = 0xc0; // h' = the identity (compressed infinity), the rest zero
    chain.deposit(spKey, { zeta: zetas[0] as string, value: 1n, proof: framed(zetas[0] as string, randomBytes(579)) });
    chain.deposit(spKey, { zeta: zetas[1] as string, value: 2n, proof: framed(zetas[1] as string, g1Identity) });
    chain.deposit(spKey, { zeta: zetas[2] as string, value: 3n, proof: framed(zetas[2] as string, 0) });
    // The third proof as a ledger without the framing check would have stored it: cut short.
    chain.proofOverride.set(zetas[2] as string, framed(zetas[2] as string, 0).slice(0, 300));
    for (const z of zetas) await waitUntil(async () => (await chain.zeta(z)).status === "released", "released");
    await waitUntil(() => v0.store.counts().voted === 3, "recorded");
    expect(await metric(v0, "nym_verifier_invalid_proofs_total", '{reason="malformed_proof"}')).toBe(3);
    expect(await metric(v0, "nym_verifier_proofs_verified_total", '{verdict="invalid"}')).toBe(3);
    expect((await v0.app?.inject({ method: "GET", url: "/health" }))?.statusCode).toBe(200);
    const good = issueSpend(kit, 9n, sp);
    deposit(chain, good);
    await waitUntil(async () => (await chain.zeta(good.zeta)).status === "spent", "a good one is still spent");
    expect((await chain.account(sp)).balance).toBe(9n);
  });

  it("verifies deposits pending together as one batch and, when it fails, finds the bad one alone", async () => {
    const chain = newChain();
    const spends = Array.from({ length: 6 }, (_, i) => issueSpend(kit, 5n, i === 2 ? otherSp : sp));
    // All six enter the same block, so they are pending together.
    for (const s of spends) deposit(chain, s);
    const v0 = await startVerifier(chain, 0);
    await startVerifier(chain, 1);
    for (const [i, s] of spends.entries()) {
      await waitUntil(async () => (await chain.zeta(s.zeta)).status === (i === 2 ? "released" : "spent"), "decided");
    }
    await waitUntil(() => v0.store.counts().voted === 6, "recorded");
    expect(await metric(v0, "nym_verifier_batch_size_count")).toBe(1);
    expect(await metric(v0, "nym_verifier_batch_size_sum")).toBe(6);
    expect(await metric(v0, "nym_verifier_batch_fallbacks_total")).toBe(1);
    expect(v0.store.all().filter((d) => d.valid === false)).toMatchObject([{ zeta: spends[2]?.zeta }]);
    expect((await chain.account(sp)).balance).toBe(25n);
  });

  it("catches up from its checkpoint after a restart and votes on each deposit exactly once", async () => {
    const chain = newChain();
    const dir = newDir();
    const v0 = await startVerifier(chain, 0, dir);
    await startVerifier(chain, 1);
    const before = [1n, 2n, 3n].map((v) => issueSpend(kit, v, sp));
    for (const s of before) deposit(chain, s);
    await waitUntil(() => v0.store.counts().voted === 3, "first three voted");
    const checkpoint = v0.store.checkpoint() as number;
    await v0.stop();
    const after = [4n, 5n, 6n].map((v) => issueSpend(kit, v, sp));
    for (const s of after) {
      deposit(chain, s);
      await waitUntil(() => chain.mempool.length === 0, "deposit in a block");
    }
    // Verifier 1 alone cannot decide (threshold 2): the three wait for verifier 0.
    for (const s of after) expect((await chain.zeta(s.zeta)).status).toBe("being_verified");
    const again = await startVerifier(chain, 0, dir);
    for (const s of after) await waitUntil(async () => (await chain.zeta(s.zeta)).status === "spent", "spent");
    await waitUntil(() => again.store.counts().voted === 6, "all six recorded");
    expect(again.store.checkpoint()).toBeGreaterThan(checkpoint);
    // Six vote txs committed for six deposits: not one more.
    expect(await chain.nonceOf(addresses[0] as string)).toBe(6);
    expect(again.store.all().every((d) => d.status === "voted" && d.voteTx !== undefined)).toBe(true);
    expect((await chain.account(sp)).balance).toBe(21n);
  });

  it("finds a vote that committed before a crash (not recorded) on chain after the restart and does not send it again", async () => {
    const chain = newChain();
    const dir = newDir();
    const v0 = await startVerifier(chain, 0, dir);
    const s = issueSpend(kit, 7n, sp);
    deposit(chain, s);
    await waitUntil(() => v0.store.counts().voted === 1, "voted");
    await v0.stop();
    forgetVotes(dir);
    const again = await startVerifier(chain, 0, dir);
    await waitUntil(() => again.store.counts().voted === 1, "recovered");
    expect(again.store.byZeta(s.zeta)).toMatchObject([{ status: "voted", valid: true, voteTx: undefined }]);
    expect(await metric(again, "nym_verifier_votes_recovered_total")).toBe(1);
    expect(await metric(again, "nym_verifier_votes_sent_total", '{valid="true"}')).toBe(0);
    expect(await chain.nonceOf(addresses[0] as string)).toBe(1);
  });

  it("treats CHAIN_ERROR_DUPLICATE_VOTE (the chain has its vote; its node's view did not show it) as done", async () => {
    const chain = newChain();
    const dir = newDir();
    const v0 = await startVerifier(chain, 0, dir);
    const s = issueSpend(kit, 7n, sp);
    deposit(chain, s);
    await waitUntil(() => v0.store.counts().voted === 1, "voted");
    await v0.stop();
    forgetVotes(dir);
    chain.hideVotesOf.add(addresses[0] as string);
    const again = await startVerifier(chain, 0, dir);
    await waitUntil(() => again.store.counts().voted === 1, "done");
    expect(await metric(again, "nym_verifier_vote_errors_total", '{code="CHAIN_ERROR_DUPLICATE_VOTE"}')).toBe(1);
    expect(again.store.byZeta(s.zeta)).toMatchObject([{ status: "voted", valid: true }]);
    expect(await chain.nonceOf(addresses[0] as string)).toBe(1);
  });

  it("refuses to start with a key outside the genesis verifier set (VERIFIER_ERROR_NOT_A_VERIFIER)", async () => {
    const chain = newChain();
    const verifier = createVerifier(
      { dataDir: newDir(), http: { port: 0 } },
      { log, chain, secretKey: randomSecretKey(), params: kit.params },
    );
    await expect(verifier.start()).rejects.toMatchObject({ code: "VERIFIER_ERROR_NOT_A_VERIFIER" });
    await expect(verifier.start()).rejects.toBeInstanceOf(VerifierError);
  });
});

describe("nym-verifier HTTP API", () => {
  it("answers GET /v1/votes/{zeta} with its vote, 404 for an unknown zeta, 400 for a malformed one and 414 for a huge one", async () => {
    const chain = newChain();
    const v0 = await startVerifier(chain, 0);
    const s = issueSpend(kit, 3n, sp);
    deposit(chain, s);
    await waitUntil(() => v0.store.counts().voted === 1, "voted");
    const ok = await v0.app?.inject({ method: "GET", url: `/v1/votes/${s.zeta.toUpperCase().replace("0X", "0x")}` });
    expect(ok?.statusCode).toBe(200);
    expect(ok?.json()).toMatchObject({
      zeta: s.zeta,
      verifier: addresses[0],
      deposits: [{ sp, value: "3", status: "voted", valid: true }],
    });
    expect(ok?.json().deposits[0].voteTx).toMatch(/^[0-9A-F]{64}$/);
    const missing = await v0.app?.inject({ method: "GET", url: `/v1/votes/0x${"ab".repeat(96)}` });
    expect(missing?.statusCode).toBe(404);
    expect(missing?.json()).toMatchObject({ code: "VERIFIER_ERROR_NOT_FOUND" });
    for (const bad of ["0x12", `0x${"zz".repeat(96)}`, `${"ab".repeat(96)}`, `0x${"ab".repeat(97)}`]) {
      const r = await v0.app?.inject({ method: "GET", url: `/v1/votes/${bad}` });
      expect(r?.statusCode).toBe(400);
      expect(r?.json()).toMatchObject({ code: "HTTP_ERROR_VALIDATION" });
    }
    const huge = await v0.app?.inject({ method: "GET", url: `/v1/votes/0x${"ab".repeat(5_000)}` });
    expect(huge?.statusCode).toBe(414);
    expect((await v0.app?.inject({ method: "GET", url: "/health" }))?.statusCode).toBe(200);
  });

  it("serves /metrics with the verifier's series and a valid OpenAPI document at /docs/json", async () => {
    const chain = newChain();
    const v0 = await startVerifier(chain, 0);
    const text = (await v0.app?.inject({ method: "GET", url: "/metrics" }))?.body ?? "";
    for (const name of [
      "nym_verifier_deposits_seen_total",
      "nym_verifier_proofs_verified_total",
      "nym_verifier_batch_size",
      "nym_verifier_votes_sent_total",
      "nym_verifier_vote_errors_total",
      "nym_verifier_pending_deposits",
      "nym_verifier_checkpoint_height",
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    const doc = (await v0.app?.inject({ method: "GET", url: "/docs/json" }))?.json();
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? "" : compileErrors(result)).toBe("");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/votes/{zeta}", "/health", "/metrics"]));
  });
});

describe("nym-verifier directory registration", () => {
  it("registers a VerifierRegistration signed with its identity key and renews it within the TTL", async () => {
    const dir = newDir();
    const directory = createDirectory(
      { http: { port: 0 }, storage: { path: join(dir, "directory.sqlite") }, presence: { ttlSeconds: 1 } },
      { log },
    );
    await directory.start();
    cleanups.push(() => directory.stop());
    const client = createDirectoryClient({ baseUrl: directory.url() });
    const { signer } = generateEd25519Identity();
    const chain = newChain();
    const verifier = createVerifier(
      { dataDir: join(dir, "verifier"), http: { port: 0 } },
      {
        log,
        chain,
        secretKey: keys[0] as Uint8Array,
        params: kit.params,
        version: "0.1.0-test",
        registration: { directory: client, signer, apiUrl: "http://verifier-0.example:8020" },
      },
    );
    await verifier.start();
    cleanups.push(() => verifier.stop());
    await waitUntil(async () => (await client.listPresence("verifier")).length === 1, "registered");
    const [presence] = await client.listPresence("verifier");
    expect(presence?.node).toEqual({
      identityKey: signer.publicKey,
      ethereumAddress: addresses[0],
      apiUrl: "http://verifier-0.example:8020",
      version: "0.1.0-test",
    });
    // The TTL is 1 s: still there 2.5 s later only because the verifier renewed it.
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await client.getPresence("verifier", signer.publicKey))?.lastSeen).toBeGreaterThan(
      presence?.lastSeen as number,
    );
  });
});

/** What a crash between the vote's commit and its record leaves: the deposits pending again, no vote tx known. */
function forgetVotes(dir: string): void {
  const db = new DatabaseSync(join(dir, "verifier.sqlite"));
  db.exec("UPDATE deposits SET status = 'pending', vote_tx = NULL, voted_at = NULL, attempts = 0");
  db.close();
}

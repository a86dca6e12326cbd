import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type AppStateInput,
  addressFromSecretKey,
  buildCredentialRequest,
  connectChain,
  randomSecretKey,
} from "@nym-ts/chain-client";
import { createLogger } from "@nym-ts/common";
import {
  createDirectoryClient,
  type DirectoryClient,
  type Ed25519Signer,
  ed25519SignerFromSeed,
  generateEd25519Identity,
  type NodeKind,
  type RegistrationByKind,
} from "@nym-ts/directory-client";
import { initNodeKeys, readNodeKeys } from "@nym-ts/mixnet-node";
import { createMixnode, type Mixnode } from "@nym-ts/mixnode";
import { type LoopbackMixnet, startLoopbackMixnet, startTestnet, type Testnet } from "@nym-ts/testkit";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildExplorer } from "../helpers/build.js";
import { CHROMIUM_FLAGS, ensureChromium } from "../helpers/chromium.js";

const log = createLogger({ name: "explorer-e2e", level: "silent" });
/** The CI artifact: build/artifacts at the repository root (gitignored). */
const ARTIFACTS = fileURLToPath(new URL("../../../../build/artifacts/", import.meta.url));
const ETH = "0x00000000000000000000000000000000000000e1";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHAIN_ID = "nym-explorer-e2e";
/** A funded account that sends credential requests, so that the activity plot has something to show. */
const user = randomSecretKey();
const someone = () => addressFromSecretKey(randomSecretKey());

function appState(): AppStateInput {
  return {
    pipeAccount: someone(),
    watchers: { threshold: 1, members: [someone()] },
    verifiers: { threshold: 1, members: [someone()] },
    // The ledger keeps verification keys as opaque bytes; no issuer answers in this test.
    issuers: { threshold: 1, members: [{ address: someone(), index: 1, verificationKey: `0x${"ab".repeat(96 * 3)}` }] },
    accounts: [{ address: addressFromSecretKey(user), balance: "1000000" }],
  };
}

/** Waits until `selector` matches an element (playwright's own polling), with the selector in the failure. */
async function shows(page: Page, selector: string, timeout = 30_000): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ state: "attached", timeout });
  } catch (error) {
    throw new Error(`the page never showed ${selector}: ${(error as Error).message.split("\n")[0]}`);
  }
}

describe("the explorer page in Chromium, against a directory with a loopback mixnet and a real validator", () => {
  let dir: string;
  let testnet: Testnet;
  let net: LoopbackMixnet;
  let directory: DirectoryClient;
  let browser: BrowserContext;
  let renew: NodeJS.Timeout | undefined;
  const registered: { kind: NodeKind; payload: RegistrationByKind[NodeKind]; signer: Ed25519Signer }[] = [];
  const extra: Mixnode[] = [];

  async function register<K extends NodeKind>(kind: K, payload: (key: string) => RegistrationByKind[K]) {
    const { signer } = generateEd25519Identity();
    const entry = { kind, payload: payload(signer.publicKey), signer };
    await directory.register(kind, entry.payload, signer);
    registered.push(entry);
    return entry;
  }

  beforeAll(async () => {
    const chromiumPath = ensureChromium();
    dir = mkdtempSync(join(tmpdir(), "explorer-e2e-"));
    await buildExplorer();
    [testnet, net] = await Promise.all([
      startTestnet({
        validators: 1,
        dir: join(dir, "testnet"),
        appState: appState(),
        chainId: CHAIN_ID,
        appLogLevel: "warn",
      }),
      startLoopbackMixnet({
        dir: join(dir, "mixnet"),
        mixnodesPerLayer: 2,
        gateways: 2,
        // Own loop cover traffic, so that packets flow through every layer and into the gateways.
        mixing: { loopRate: 4, loopMeanDelayMs: 20 },
        log,
      }),
    ]);
    directory = createDirectoryClient({ baseUrl: net.directoryUrl });
    await register("validator", (identityKey) => ({
      identityKey,
      rpcUrl: testnet.rpcUrls[0] as string,
      version: "0.1.0",
    }));
    await register("issuer", (identityKey) => ({
      identityKey,
      apiUrl: "http://127.0.0.1:4101",
      ethereumAddress: ETH,
      issuerIndex: 1,
      version: "0.1.0",
    }));
    await register("verifier", (identityKey) => ({ identityKey, ethereumAddress: ETH, version: "0.1.0" }));
    await register("service-provider", (identityKey) => ({
      identityKey,
      ethereumAddress: ETH,
      apiUrl: "http://127.0.0.1:4301",
      version: "0.1.0",
    }));
    // The directory's TTL is 60 s; the nodes the test stands in for renew like real ones.
    renew = setInterval(() => {
      for (const r of registered) directory.register(r.kind, r.payload, r.signer).catch(() => {});
    }, 15_000);
    browser = await chromium.launchPersistentContext(join(dir, "chromium-profile"), {
      executablePath: chromiumPath,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1440, height: 1100 },
      deviceScaleFactor: 1,
    });
  }, 15 * 60_000);

  afterAll(async () => {
    if (renew) clearInterval(renew);
    await browser?.close().catch(() => {});
    await Promise.allSettled(extra.map((m) => m.stop()));
    await net?.stop();
    await testnet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function openExplorer(query = "refresh=500"): Promise<Page> {
    const page = await browser.newPage();
    const response = await page.goto(`${net.directoryUrl}/explorer?${query}`);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/explorer/");
    return page;
  }

  it("shows two mixnodes in each layer and two gateways with packet rates, the validator's height and the credential services", async () => {
    const page = await openExplorer();
    try {
      for (const layer of [1, 2, 3]) await shows(page, `[data-testid="layer-${layer}"][data-count="2"]`);
      await shows(page, '[data-testid="gateways"][data-count="2"]');
      for (const node of net.nodes) {
        await shows(page, `[data-testid="mixnode"][data-key="${node.identityKey}"][data-status="up"]`);
      }
      for (const gateway of net.gateways) {
        await shows(page, `[data-testid="gateway"][data-key="${gateway.identityKey}"][data-status="up"]`);
      }
      const validator = registered.find((r) => r.kind === "validator")?.signer.publicKey as string;
      await shows(page, `[data-testid="validator"][data-key="${validator}"][data-status="up"]`);
      for (const kind of ["issuer", "verifier", "service-provider"]) {
        await shows(page, `[data-testid="services-${kind}"][data-count="1"]`);
      }
      // Loop traffic reaches the page as rates: every layer receives, and the gateways are delivered to.
      await page.waitForFunction(
        `[1, 2, 3].every((l) => [...document.querySelectorAll('[data-testid="layer-' + l + '"] .node-rates b')]
           .some((b) => parseFloat(b.textContent) > 0))
         && [...document.querySelectorAll('[data-testid="gateway"] .node-rates b')].some((b) => parseFloat(b.textContent) > 0)`,
        undefined,
        { timeout: 30_000, polling: 250 },
      );
      const height = Number(
        (await page.locator('[data-testid="stat-height"] .stat-value').textContent())?.replace(/\D/g, ""),
      );
      expect(height).toBeGreaterThan(0);
      expect(await page.locator('[data-testid="rates-chart"] canvas').count()).toBe(1);
      expect(await page.locator('[data-testid="activity-chart"] canvas').count()).toBe(1);
      expect(await page.locator('[data-testid="live-state"]').textContent()).toBe("live");
      // Three credential requests on the chain: the activity panel counts them from the tx index.
      const chain = await connectChain({ rpcUrl: testnet.rpcUrls[0] as string });
      try {
        const { nonce } = await chain.account(addressFromSecretKey(user));
        for (let i = 0; i < 3; i++) {
          const tx = buildCredentialRequest(
            user,
            { chainId: CHAIN_ID, nonce: nonce + i },
            { value: 10n, blindSignRequest: `0x0${i + 1}` },
          );
          expect((await chain.broadcastTxCommit(tx)).code).toBe(0);
        }
      } finally {
        chain.close();
      }
      await shows(page, '[data-testid="activity-total-credential_request"][data-count="3"]');
      // A few more refreshes, so that the rate plot has a stretch of history on the screenshot.
      await sleep(6000);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "explorer.png"), fullPage: true });
    } finally {
      await page.close();
    }
  }, 120_000);

  it("marks a stopped mixnode silent, then down once it leaves the directory, and a deregistered verifier down", async () => {
    // A mixnode of this test's own, so the network the other tests look at stays as it was.
    const dataDir = join(dir, "extra-mixnode");
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const { identityKey } = initNodeKeys(dataDir);
    const mixnode = createMixnode(
      {
        mixnode: { layer: 2, port: 0 },
        directory: {
          url: net.directoryUrl,
          registerIntervalMs: 2000,
          topologyRefreshMs: 1000,
          metricsIntervalMs: 1000,
        },
        mixing: { loopRate: 2, loopMeanDelayMs: 20 },
        storage: { dataDir },
        http: { enabled: false },
      },
      { log },
    );
    await mixnode.start();
    extra.push(mixnode);
    const verifier = await register("verifier", (key) => ({
      identityKey: key,
      ethereumAddress: ETH,
      version: "0.1.0",
    }));
    const page = await openExplorer();
    try {
      const card = `[data-testid="mixnode"][data-key="${identityKey}"]`;
      await shows(page, `${card}[data-status="up"]`);
      await shows(
        page,
        `[data-testid="services-verifier"] [data-key="${verifier.signer.publicKey}"][data-status="up"]`,
      );

      await mixnode.stop();
      // Still registered, no more metrics reports: silent within a few report intervals.
      await shows(page, `${card}[data-status="silent"]`, 20_000);
      // Gone from the directory (as when its registration expires): down, and no longer counted in its layer.
      await directory.deregister("mixnode", ed25519SignerFromSeed(readNodeKeys(dataDir).identitySeed));
      await shows(page, `${card}[data-status="down"]`);
      await shows(page, '[data-testid="layer-2"][data-down="1"]');
      expect(await page.locator(`${card} .badge`).textContent()).toBe("down");

      registered.splice(registered.indexOf(verifier), 1);
      await directory.deregister("verifier", verifier.signer);
      await shows(
        page,
        `[data-testid="services-verifier"] [data-key="${verifier.signer.publicKey}"][data-status="down"]`,
      );
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "explorer-node-down.png"), fullPage: true });
    } finally {
      await page.close();
    }
  }, 120_000);

  it("keeps the last data, marked stale, while the directory answers slower than the page's timeout, then recovers", async () => {
    const page = await openExplorer("refresh=500&timeout=1000");
    try {
      await shows(page, '[data-testid="layer-1"][data-count="2"]');
      await shows(page, '[data-testid="live-state"]:text-is("live")');
      // Every presence answer now takes 2.5 s: longer than the page waits.
      await page.route("**/api/v1/presence/**", async (route) => {
        await sleep(2500);
        await route.continue().catch(() => {});
      });
      await shows(page, '[data-testid="stale-directory"]', 15_000);
      await shows(page, '[data-testid="live-state"]:text-is("stale")');
      expect(await page.locator('[data-testid="stale-directory"]').textContent()).toContain("no answer within 1000 ms");
      // The last known network is still on the page.
      expect(await page.locator('[data-testid="layer-1"]').getAttribute("data-count")).toBe("2");
      expect(await page.locator('[data-testid="layer-3"]').getAttribute("data-count")).toBe("2");
      await page.unroute("**/api/v1/presence/**");
      await shows(page, '[data-testid="live-state"]:text-is("live")', 15_000);
      expect(await page.locator('[data-testid="stale-directory"]').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 120_000);
});

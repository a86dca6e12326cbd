import { join } from "node:path";
import { createDirectory, type Directory } from "@nym-ts/directory";
import { createDirectoryClient } from "@nym-ts/directory-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dealt, dealt, silentLog, tempDir } from "../helpers/fixtures.js";
import { startFakeIssuer } from "../helpers/issuer.js";

let d: Dealt;
let directory: Directory;
let cleanupDir: () => void;

beforeAll(async () => {
  d = await dealt();
  const t = tempDir("nym-issuer-directory-");
  cleanupDir = t.cleanup;
  directory = createDirectory(
    { http: { port: 0 }, storage: { path: join(t.dir, "directory.sqlite") }, presence: { ttlSeconds: 1 } },
    { log: silentLog },
  );
  await directory.start();
});
afterAll(async () => {
  await directory?.stop();
  cleanupDir?.();
});

describe("directory registration", () => {
  it("registers an IssuerRegistration signed with the identity key and renews it within the TTL", async () => {
    const { issuer, stop } = await startFakeIssuer(d, {
      index: 2,
      config: { directory: { url: directory.url(), apiUrl: "http://issuer-2.example:8010" } },
    });
    try {
      const client = createDirectoryClient({ baseUrl: directory.url() });
      await issuer.registration?.attempted();
      const list = await client.listPresence("issuer");
      const mine = list.find((p) => p.node.issuerIndex === 2);
      expect(mine?.node).toMatchObject({
        apiUrl: "http://issuer-2.example:8010",
        ethereumAddress: issuer.identity?.address,
        issuerIndex: 2,
        version: "0.1.0-test",
      });
      // The TTL is 1 s: still present after 2.5 s only because the issuer renewed it (every third of the TTL).
      const firstSeen = mine?.lastSeen as number;
      await new Promise((r) => setTimeout(r, 2_500));
      const later = await client.getPresence("issuer", mine?.node.identityKey as string);
      expect(later?.lastSeen).toBeGreaterThan(firstSeen);
      const health = (await issuer.app?.inject({ method: "GET", url: "/health" }))?.json() as {
        checks: Record<string, { ok: boolean; detail?: string }>;
      };
      expect(health.checks.directory).toMatchObject({ ok: true, detail: expect.stringMatching(/^registered until/) });
    } finally {
      await stop();
    }
  });

  it("keeps serving when the directory is unreachable, counting the failures and retrying", async () => {
    const { issuer, stop } = await startFakeIssuer(d, {
      index: 1,
      config: { directory: { url: "http://127.0.0.1:1" }, chain: { rpcUrl: "http://127.0.0.1:1", retryMaxMs: 50 } },
    });
    try {
      await issuer.registration?.attempted();
      await issuer.registration?.attempted();
      const registry = issuer.app ? await issuer.app.inject({ method: "GET", url: "/metrics" }) : undefined;
      expect(registry?.body).toMatch(/nym_issuer_directory_registrations_total\{result="failed"\} [2-9]/);
      expect((await issuer.app?.inject({ method: "GET", url: "/v1/verification-key" }))?.statusCode).toBe(200);
      const health = await issuer.app?.inject({ method: "GET", url: "/health" });
      expect(health?.statusCode).toBe(503);
      expect(health?.json().checks.directory).toEqual({ ok: false, detail: "not registered" });
    } finally {
      await stop();
    }
  });
});

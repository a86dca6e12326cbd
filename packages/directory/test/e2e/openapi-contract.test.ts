import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Directory } from "../../src/index.js";
import { startDirectory } from "../helpers/fixtures.js";

const redocly = fileURLToPath(new URL("../../node_modules/.bin/redocly", import.meta.url));
const schemathesis = fileURLToPath(new URL("../../../../scripts/schemathesis.sh", import.meta.url));
/** Examples per operation and phase: bounded so the run stays well under a minute once the venv exists. */
const EXAMPLES = Number(process.env.NYM_SCHEMATHESIS_EXAMPLES ?? 20);
const SEED = Number(process.env.NYM_SCHEMATHESIS_SEED ?? 1);

function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number; cwd?: string },
): Promise<{ code: number | null; output: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (d) => {
      output += d;
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout });
    });
  });
}

/** Hex public keys that are valid curve points, for the schemathesis hooks (scripts/schemathesis_hooks.py). */
function keyPools(n: number): { ed25519: string[]; x25519: string[] } {
  const ed25519: string[] = [];
  const x25519: string[] = [];
  for (let i = 0; i < n; i++) {
    const jwk = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
    ed25519.push(Buffer.from(jwk.x as string, "base64url").toString("hex"));
    x25519.push(generateKeyPairSync("x25519").publicKey.export({ format: "raw-public" }).toString("hex"));
  }
  return { ed25519, x25519 };
}

/**
 * The OpenAPI document is the directory's contract (issue 15): a standard linter finds nothing wrong with it, and a
 * property-based test run against the started directory finds no 5xx and no answer the document does not describe.
 */
describe("the directory's OpenAPI contract", () => {
  let directory: Directory;
  let stop: () => Promise<void>;
  let dir: string;
  let docPath: string;

  beforeAll(async () => {
    ({ directory, stop } = await startDirectory(
      { rateLimit: { writesPerAddressPerMinute: 1_000_000, writesPerKeyPerMinute: 1_000_000 } },
      Date.now,
    ));
    await directory.start();
    dir = mkdtempSync(join(tmpdir(), "directory-contract-"));
    docPath = join(dir, "openapi.json");
    const document = await (await fetch(`${directory.url()}/docs/json`)).text();
    writeFileSync(docPath, document);
  });
  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("passes redocly's recommended rules with no error (the only warnings: /health and /metrics have no 4xx)", async () => {
    const { code, stdout } = await run(redocly, ["lint", docPath, "--format=json"], { timeoutMs: 60_000 });
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; severity: string; location: { pointer: string }[] }[];
    };
    expect(report.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(code).toBe(0);
    // GET /health and GET /metrics answer every well-formed request (200, or 503 when unhealthy): documenting a client
    // error they never give would break the contract the other way.
    expect(report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}`).sort()).toEqual([
      "operation-4xx-response #/paths/~1health/get/responses",
      "operation-4xx-response #/paths/~1metrics/get/responses",
    ]);
  }, 90_000);

  it(`schemathesis (${EXAMPLES} examples per operation and phase) finds no 5xx and no answer off the document`, async () => {
    const pools = keyPools(16);
    const url = directory.url();
    const { code, output } = await run(
      schemathesis,
      [
        "run",
        `${url}/docs/json`,
        "--url",
        url,
        "--max-examples",
        String(EXAMPLES),
        "--seed",
        String(SEED),
        "--phases",
        "examples,coverage,fuzzing",
        // Every response check; the four left out need state the API does not have (resources created by one call
        // and read back by another under an identity schemathesis could sign for).
        "--checks",
        "all",
        "--exclude-checks",
        "use_after_free,ensure_resource_availability,ignored_auth,object_level_authorization",
        "--generation-database",
        "none",
        "--no-color",
      ],
      {
        cwd: dir,
        timeoutMs: 170_000,
        env: { NYM_ST_ED25519_KEYS: pools.ed25519.join(","), NYM_ST_X25519_KEYS: pools.x25519.join(",") },
      },
    );
    expect(code, output.slice(-6000)).toBe(0);
    expect(output).toMatch(/Tested: 31/);
    expect(output).toMatch(/\d+ generated, \d+ passed/);
  }, 180_000);

  it("answers a known path asked with another method 405 with Allow, an unknown path 404", async () => {
    const trace = await fetch(`${directory.url()}/api/v1/topology`, { method: "PATCH" });
    expect(trace.status).toBe(405);
    expect(trace.headers.get("allow")).toBe("GET, HEAD");
    expect(((await trace.json()) as { code: string }).code).toBe("HTTP_ERROR_METHOD_NOT_ALLOWED");
    const register = await fetch(`${directory.url()}/api/v1/presence/mixnodes`, { method: "PUT" });
    expect(register.status).toBe(405);
    expect(register.headers.get("allow")).toBe("GET, HEAD, POST");
    expect((await fetch(`${directory.url()}/api/v1/nothing-here`)).status).toBe(404);
    const metrics = await fetch(`${directory.url()}/metrics`);
    expect(metrics.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  });
});

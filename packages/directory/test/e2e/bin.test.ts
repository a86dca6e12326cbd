import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/fixtures.js";

const BIN = resolve(import.meta.dirname, "../../src/bin.ts");

function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--conditions=@nym-ts/source", "--import", "tsx", BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

describe("nym-directory binary", () => {
  const children: ChildProcess[] = [];
  const { dir, cleanup } = tempDir();
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    cleanup();
  });

  it("starts from flags and environment, answers /health, and stops on SIGTERM", async () => {
    const child = run(["--http.port", "0", "--log.level=info"], {
      NYM_DIRECTORY_STORAGE__PATH: join(dir, "directory.sqlite"),
    });
    children.push(child);
    let output = "";
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in: ${output}`)), 30_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      });
      child.on("exit", (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", service: "nym-directory" });
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("rejects an invalid configuration with exit code 2 naming the key", async () => {
    const child = run(["--validate-only", "--presence.ttlSeconds", "0"]);
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(stderr).toContain("presence.ttlSeconds");
  });
});

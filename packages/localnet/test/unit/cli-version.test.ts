import { readFileSync } from "node:fs";
import { runCli as nymclient } from "@nym-ts/client";
import { daemonVersion } from "@nym-ts/common";
import { runCli as nymPrivacy } from "@nym-ts/privacy";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli as nymLocalnet } from "../../src/cli.js";

/** The `version` of a workspace package, read from its package.json (`--version` adds NYM_BUILD_COMMIT when set). */
function manifestVersion(dir: string): string {
  const url = new URL(`../../../${dir}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("--version and -V of the command-line programs", () => {
  const programs = [
    { name: "nymclient", dir: "client", run: nymclient },
    { name: "nym-localnet", dir: "localnet", run: nymLocalnet },
    { name: "nym-privacy", dir: "privacy", run: nymPrivacy },
  ];

  for (const { name, dir, run } of programs) {
    it(`${name} prints its package version for --version and -V, exit 0, and lists the flag in --help`, async () => {
      const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      expect(await run(["--version"])).toBe(0);
      expect(await run(["-V"])).toBe(0);
      expect(await run(["--help"])).toBe(0);
      const [version, short, help] = out.mock.calls.map((call) => String(call[0]));
      expect(version).toBe(`${daemonVersion(manifestVersion(dir))}\n`);
      expect(short).toBe(version);
      expect(help).toMatch(/-V, --version +print the version and exit/);
    });
  }
});

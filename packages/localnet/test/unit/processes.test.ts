import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isOurs } from "../../src/processes.js";

describe("isOurs", () => {
  const dir = mkdtempSync(join(tmpdir(), "localnet-processes-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("holds a daemon of the localnet while it re-executes itself (as the mixnode and gateway bins do at start)", async () => {
    // Re-executes itself once (process.execve, same pid and arguments), then idles: /proc/<pid>/cmdline reads empty
    // for a moment in between.
    const script = join(dir, "reexec.mjs");
    writeFileSync(
      script,
      `if (!process.env.REEXECUTED) process.execve(process.execPath, [process.execPath, ...process.argv.slice(1)], { ...process.env, REEXECUTED: "1" });
setTimeout(() => {}, 5000);
`,
    );
    for (let run = 0; run < 5; run++) {
      const child = spawn(process.execPath, [script, "--config", join(dir, "config.toml")], { stdio: "ignore" });
      const exited = new Promise((r) => child.once("exit", r));
      try {
        const pid = child.pid as number;
        const until = Date.now() + 500;
        let misses = 0;
        while (Date.now() < until) if (!isOurs(pid, dir)) misses++;
        expect(misses).toBe(0);
      } finally {
        child.kill("SIGKILL");
        await exited;
      }
      expect(isOurs(child.pid as number, dir)).toBe(false);
    }
  });

  it("refuses a live process whose command line does not name the localnet's directory", () => {
    expect(isOurs(process.pid, join(dir, "elsewhere"))).toBe(false);
  });
});

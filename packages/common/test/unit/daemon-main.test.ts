import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("../fixtures/echo-daemon.ts", import.meta.url));
const children: ChildProcess[] = [];

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--conditions=@nym-ts/source", "--import", "tsx", fixture, ...args], {
    env: { ...process.env, ...env },
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    output += String(chunk);
  });
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

async function until(predicate: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

describe("runDaemonMain", () => {
  it("--validate-only accepts a good config and exits 0 without starting", async () => {
    const { child, output } = run(["--validate-only", "--greeting.text", "hello"]);
    expect(await exited(child)).toBe(0);
    expect(output()).toContain("configuration is valid");
    expect(output()).not.toContain("hello");
  });

  it("exits 2 and names the key when the config is invalid", async () => {
    const { child, output } = run(["--greeting.text", ""]);
    expect(await exited(child)).toBe(2);
    expect(output()).toContain("CONFIG_ERROR_INVALID");
    expect(output()).toMatch(/greeting/);
  });

  it("exits 1 naming the cause when creating the daemon throws (it used to exit 0 silently)", async () => {
    const { child, output } = run(["--greeting.text", "explode"]);
    expect(await exited(child)).toBe(1);
    expect(output()).toContain("explode at create");
  });

  it("exits 2 on an unknown command and prints the usage with every command", async () => {
    const { child, output } = run(["frobnicate"]);
    expect(await exited(child)).toBe(2);
    expect(output()).toContain("unknown command frobnicate");
    expect(output()).toContain("init");
  });

  it("--help exits 0 and lists the commands and every config key with its default and environment variable", async () => {
    const { child, output } = run(["--help"]);
    expect(await exited(child)).toBe(0);
    expect(output()).toContain("usage: echo-daemon [command]");
    expect(output()).toMatch(/run +start the daemon; needs greeting\.text \(the default\)/);
    expect(output()).toMatch(/init +print the arguments/);
    expect(output()).toMatch(
      /--greeting\.text <string> +what to print once started \(required\) \[env ECHO_DAEMON_GREETING__TEXT\]/,
    );
    expect(output()).toMatch(/--log\.level <info\|debug\|silent> +\(default: info\) \[env ECHO_DAEMON_LOG__LEVEL\]/);
  });

  it("exits 2 on an unknown flag, naming it", async () => {
    const { child, output } = run(["--greeting.txt", "hello"]);
    expect(await exited(child)).toBe(2);
    expect(output()).toContain("echo-daemon: unknown flag --greeting.txt (did you mean --greeting.text?)");
  });

  it("--version prints the package version and the build commit", async () => {
    const { child, output } = run(["--version"], { NYM_BUILD_COMMIT: "abc123" });
    expect(await exited(child)).toBe(0);
    expect(output().trim()).toBe("0.1.0+abc123");
  });

  it("runs an extra command with its arguments, and exits 2 when it throws", async () => {
    const ok = run(["init", "a", "b"]);
    expect(await exited(ok.child)).toBe(0);
    expect(ok.output()).toContain("init a,b");
    const failing = run(["init", "--fail"]);
    expect(await exited(failing.child)).toBe(2);
    expect(failing.output()).toContain("init failed on purpose");
  });

  it("starts the service from env config, reports the build commit, and stops cleanly on SIGTERM", async () => {
    const { child, output } = run([], { ECHO_DAEMON_GREETING__TEXT: "ready", NYM_BUILD_COMMIT: "abc123" });
    await until(() => output().includes("ready 0.1.0+abc123"));
    child.kill("SIGTERM");
    expect(await exited(child)).toBe(0);
    expect(output()).toContain("bye");
  });
});

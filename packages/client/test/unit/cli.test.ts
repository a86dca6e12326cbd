import { afterEach, describe, expect, it, vi } from "vitest";
import { type Command, commands, describeProgress, registerCommand, runCli } from "../../src/cli.js";

function capture(): { stdout: () => string; stderr: () => string } {
  const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  return {
    stdout: () => out.mock.calls.map((c) => String(c[0])).join(""),
    stderr: () => err.mock.calls.map((c) => String(c[0])).join(""),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("nymclient command line", () => {
  it("--help lists every command with its flags and every client.json key", async () => {
    const io = capture();
    expect(await runCli(["--help"])).toBe(0);
    const help = io.stdout();
    expect(help).toMatch(/^usage: nymclient <command>/);
    for (const name of ["init", "address", "send", "receive", "listen"]) {
      expect(help).toMatch(new RegExp(`^ {2}${name} `, "m"));
    }
    expect(help).toContain("nymclient send --dir <DIR> --to <ADDRESS> [--message <TEXT>]");
    expect(help).toMatch(/--traffic\.payloadSize <integer> +Sphinx payload size class, bytes \(default: 2065\)/);
    expect(help).toMatch(/--log\.level <[a-z|]+> +Level \(default: warn\)/);
    expect(help).not.toContain("[env ");
  });

  it("prints the help with exit 0 when no command is given, and one command's help with `help <command>`", async () => {
    const io = capture();
    expect(await runCli([])).toBe(0);
    expect(io.stdout()).toContain("commands:");
    expect(await runCli(["help", "receive"])).toBe(0);
    expect(io.stdout()).toContain("usage: nymclient receive --dir <DIR> [--timeout <MS>]");
  });

  it("exits 2 for an unknown command, an unknown flag, a missing required flag and a bad number", async () => {
    const io = capture();
    expect(await runCli(["frobnicate"])).toBe(2);
    expect(io.stderr()).toContain("unknown command frobnicate");
    expect(await runCli(["address", "--dri", "/tmp/x"])).toBe(2);
    expect(io.stderr()).toContain("unknown flag --dri (did you mean --dir?)");
    expect(await runCli(["send", "--dir", "/tmp/x"])).toBe(2);
    expect(io.stderr()).toContain("nymclient send needs --to");
    expect(await runCli(["send", "--dir", "/tmp/x", "--to", "a", "--surbs", "two"])).toBe(2);
    expect(io.stderr()).toContain("--surbs must be a whole number, not two");
  });

  it("takes a new subcommand with its own flags as one table entry, beside client.json's keys", async () => {
    const seen: Record<string, unknown>[] = [];
    const show: Command = {
      describe: "show one credential",
      args: "<id>",
      flags: {
        dir: { type: "string", required: true, describe: "client directory" },
        json: { type: "boolean", describe: "as JSON" },
      },
      run: (line) => {
        seen.push({ args: line.args, flags: line.flags, configFlags: line.configFlags });
        return 0;
      },
    };
    registerCommand("test-credential show", show);
    try {
      const io = capture();
      expect(await runCli(["test-credential", "show", "c1", "--dir", "/d", "--json", "--traffic.lambdaP", "5"])).toBe(
        0,
      );
      expect(seen).toEqual([
        {
          args: ["c1"],
          flags: { dir: "/d", json: "true", "traffic.lambdaP": "5" },
          configFlags: { "traffic.lambdaP": "5" },
        },
      ]);
      expect(await runCli(["--help"])).toBe(0);
      expect(io.stdout()).toContain("nymclient test-credential show --dir <string> [--json] <id>");
    } finally {
      delete commands["test-credential show"];
    }
  });

  it("send's progress line names the stage and the fragments at each stage", () => {
    const base = { messageId: "0123456789abcdef", fragments: 2, retransmissions: 0, elapsedMs: 6400 };
    expect(describeProgress({ ...base, state: "sent", sent: 2, stored: 1, delivered: 0 })).toBe(
      "message 01234567: handed to our gateway, waiting for the recipient's gateway " +
        "(2 fragments: 2 sent, 1 stored, 0 delivered; 6 s)",
    );
    expect(describeProgress({ ...base, state: "stored", sent: 2, stored: 2, delivered: 0, retransmissions: 3 })).toBe(
      "message 01234567: stored at the recipient's gateway, waiting for the recipient to fetch it " +
        "(2 fragments: 2 sent, 2 stored, 0 delivered, 3 retransmissions; 6 s)",
    );
    expect(describeProgress({ ...base, state: "send" as never, sent: 0, stored: 0, delivered: 0 })).toContain("queued");
    expect(commands.send?.flags).toHaveProperty("timeout");
    expect(commands.send?.flags).toHaveProperty("progress");
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import {
  type CommandLineSpec,
  configKeys,
  envName,
  formatHelp,
  loadConfig,
  logConfigSection,
  packageVersion,
  parseCommandLine,
  runCommandLine,
  UsageError,
} from "../../src/index.js";

const schema = z
  .strictObject({
    abci: z
      .strictObject({
        host: z.string().min(1).default("127.0.0.1").describe("ABCI listen address"),
        port: z.int().min(0).max(65535).default(26658).describe("ABCI port"),
      })
      .prefault({})
      .describe("ABCI server"),
    data: z.strictObject({ dir: z.string().min(1).describe("Data directory") }).describe("Storage"),
    http: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Serve /health"),
        listenHost: z.string().optional().describe("HTTP listen address"),
        peers: z.array(z.string()).default([]).describe("Peer addresses"),
      })
      .prefault({})
      .describe("HTTP"),
    log: logConfigSection,
  })
  .describe("test daemon");

function spec(overrides: Partial<CommandLineSpec<number>> = {}): CommandLineSpec<number> {
  return {
    name: "nym-test",
    about: "A daemon for tests.",
    schema,
    envPrefix: "NYM_TEST_",
    configFile: true,
    version: "9.9.9",
    defaultCommand: "run",
    commands: {
      run: { describe: "start the daemon", run: () => 0 },
      init: {
        describe: "write the keys",
        flags: {
          out: { type: "string", value: "DIR", describe: "where the keys go", required: true },
          force: { type: "boolean", describe: "overwrite existing keys" },
        },
        run: () => 0,
      },
      "credential show": { describe: "show one credential", args: "<id>", run: () => 0 },
    },
    ...overrides,
  };
}

function command(argv: string[], s = spec()) {
  const parsed = parseCommandLine(s, argv);
  if (parsed.kind !== "command") throw new Error(`expected a command, got ${parsed.kind}`);
  return parsed;
}

function usageError(argv: string[], s = spec()): string {
  try {
    parseCommandLine(s, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe("CLI_ERROR_USAGE");
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(" ")}`);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("configKeys", () => {
  it("walks every leaf key with its type, default, requiredness and environment variable", () => {
    const keys = configKeys(schema, "NYM_TEST_");
    expect(keys.map((key) => key.path)).toEqual([
      "abci.host",
      "abci.port",
      "data.dir",
      "http.enabled",
      "http.listenHost",
      "http.peers",
      "log.level",
    ]);
    const byPath = Object.fromEntries(keys.map((key) => [key.path, key]));
    expect(byPath["abci.port"]).toMatchObject({
      type: "integer",
      default: 26658,
      hasDefault: true,
      required: false,
      description: "ABCI port",
      env: "NYM_TEST_ABCI__PORT",
    });
    expect(byPath["data.dir"]).toMatchObject({ type: "string", hasDefault: false, required: true });
    expect(byPath["http.listenHost"]).toMatchObject({ required: false, env: "NYM_TEST_HTTP__LISTEN_HOST" });
    expect(byPath["http.peers"]?.type).toBe("json");
    expect(byPath["log.level"]?.type).toBe("fatal|error|warn|info|debug|trace|silent");
  });

  it("takes a key's default from its section's default object when the field has none", () => {
    const withSectionDefault = z.strictObject({
      abci: z
        .strictObject({ host: z.string().describe("host") })
        .default({ host: "0.0.0.0" })
        .describe("ABCI"),
    });
    expect(configKeys(withSectionDefault)[0]).toMatchObject({ path: "abci.host", default: "0.0.0.0", required: false });
  });

  it("names environment variables as the loader reads them", () => {
    expect(envName("NYM_X_", "mixing.maxQueuedFramesPerLink")).toBe("NYM_X_MIXING__MAX_QUEUED_FRAMES_PER_LINK");
    const config = loadConfig({
      schema,
      envPrefix: "NYM_TEST_",
      env: { NYM_TEST_HTTP__LISTEN_HOST: "10.0.0.1", NYM_TEST_DATA__DIR: "/d" },
    });
    expect(config.http.listenHost).toBe("10.0.0.1");
  });

  it("passes values of string-only keys verbatim instead of reading them as JSON", () => {
    const config = loadConfig({ schema, flags: { "data.dir": "2024", "abci.host": "1e3", "abci.port": "7" } });
    expect(config.data.dir).toBe("2024");
    expect(config.abci.host).toBe("1e3");
    expect(config.abci.port).toBe(7);
  });
});

describe("formatHelp", () => {
  const help = formatHelp(spec());

  it("starts with the usage line and lists every command with its description", () => {
    expect(help.split("\n")[0]).toBe("usage: nym-test [command] [flags] [--section.key value ...]");
    expect(help).toContain("A daemon for tests.");
    expect(help).toMatch(/^ {2}run +start the daemon \(the default\)$/m);
    expect(help).toMatch(/^ {2}init +write the keys$/m);
    expect(help).toMatch(/^ {2}credential show +show one credential$/m);
    expect(help).toContain("nym-test init --out <DIR> [--force]");
    expect(help).toMatch(/--config <file>/);
    expect(help).toMatch(/--validate-only/);
  });

  it("lists every config key with its type, description, default and environment variable", () => {
    for (const key of configKeys(schema, "NYM_TEST_")) {
      const line = help.split("\n").find((l) => l.trimStart().startsWith(`--${key.path} `));
      expect(line, key.path).toBeDefined();
      expect(line).toContain(`<${key.type}>`);
      expect(line).toContain(key.description as string);
      expect(line).toContain(`[env ${key.env}]`);
    }
    expect(help).toMatch(/--abci\.port <integer> +ABCI port \(default: 26658\) \[env NYM_TEST_ABCI__PORT\]/);
    expect(help).toMatch(/--abci\.host <string> +ABCI listen address \(default: 127\.0\.0\.1\)/);
    expect(help).toMatch(/--data\.dir <string> +Data directory \(required\) \[env NYM_TEST_DATA__DIR\]/);
    expect(help).toMatch(/--http\.enabled <boolean> +Serve \/health \(default: true\)/);
    expect(help).toMatch(/--http\.peers <json> +Peer addresses \(default: \[\]\)/);
  });

  it("describes one command's usage and flags", () => {
    const one = formatHelp(spec(), "init");
    expect(one.split("\n")[0]).toBe("usage: nym-test init --out <DIR> [--force] [--section.key value ...]");
    expect(one).toMatch(/--out <DIR> +where the keys go \(required\)/);
    expect(one).toMatch(/--force +overwrite existing keys/);
    expect(one).toContain("--abci.port <integer>");
    expect(formatHelp(spec(), "credential show").split("\n")[0]).toContain("credential show <id>");
  });

  it("names no environment variables and takes no --config when the program has neither", () => {
    const text = formatHelp(spec({ envPrefix: undefined, configFile: false }));
    expect(text).not.toContain("[env ");
    expect(text).not.toContain("--config");
    expect(text).toContain("--abci.port <integer>");
  });
});

describe("parseCommandLine", () => {
  it("reads --key value and --key=value config flags before or after the command, --config and --validate-only", () => {
    const { name, line } = command([
      "--abci.port",
      "1",
      "run",
      "--config",
      "/etc/n.toml",
      "--data.dir=/d",
      "--log.level",
      "debug",
      "--validate-only",
    ]);
    expect(name).toBe("run");
    expect(line.configFile).toBe("/etc/n.toml");
    expect(line.validateOnly).toBe(true);
    expect(line.flags).toEqual({ "abci.port": "1", "data.dir": "/d", "log.level": "debug" });
    expect(line.configFlags).toEqual(line.flags);
    expect(line.args).toEqual([]);
  });

  it("runs the default command when none is given, and prints the help when there is no default", () => {
    expect(command([]).name).toBe("run");
    const parsed = parseCommandLine(spec({ defaultCommand: undefined }), []);
    expect(parsed.kind).toBe("help");
  });

  it("reads boolean flags as --x, --x true|false, --x=false and --no-x", () => {
    expect(command(["--http.enabled"]).line.flags["http.enabled"]).toBe("true");
    expect(command(["--http.enabled", "false"]).line.flags["http.enabled"]).toBe("false");
    expect(command(["--http.enabled=false"]).line.flags["http.enabled"]).toBe("false");
    expect(command(["--no-http.enabled"]).line.flags["http.enabled"]).toBe("false");
    const config = loadConfig({ schema, flags: { ...command(["--no-http.enabled", "--data.dir", "/d"]).line.flags } });
    expect(config.http.enabled).toBe(false);
  });

  it("gives a command its own flags beside the config keys, and two-word commands their arguments", () => {
    const init = command(["init", "--out", "/keys", "--force", "--abci.port", "5"]);
    expect(init.name).toBe("init");
    expect(init.line.flags).toEqual({ out: "/keys", force: "true", "abci.port": "5" });
    expect(init.line.configFlags).toEqual({ "abci.port": "5" });
    const show = command(["credential", "show", "c-1"]);
    expect(show.name).toBe("credential show");
    expect(show.line.args).toEqual(["c-1"]);
  });

  it("answers --help, -h, help <command> and --version even next to a bad flag", () => {
    expect(parseCommandLine(spec(), ["--help", "--bogus"])).toMatchObject({ kind: "help", command: undefined });
    expect(parseCommandLine(spec(), ["init", "-h"])).toMatchObject({ kind: "help", command: "init" });
    expect(parseCommandLine(spec(), ["help", "init"])).toMatchObject({ kind: "help", command: "init" });
    expect(parseCommandLine(spec(), ["--version"])).toEqual({ kind: "version", text: "9.9.9" });
  });

  it("answers -V like --version, lists it in --help, and leaves -V an unknown flag without a version", () => {
    expect(parseCommandLine(spec(), ["-V"])).toEqual({ kind: "version", text: "9.9.9" });
    expect(parseCommandLine(spec(), ["run", "-V", "--bogus"])).toEqual({ kind: "version", text: "9.9.9" });
    expect(formatHelp(spec())).toMatch(/-V, --version +print the version and exit/);
    const { version: _version, ...withoutVersion } = spec();
    expect(() => parseCommandLine(withoutVersion, ["-V"])).toThrow(/unknown flag -V/);
  });

  it("rejects an unknown flag with a clear message, suggesting a near key", () => {
    expect(usageError(["--bogus", "1"])).toBe("unknown flag --bogus; nym-test --help lists every flag");
    expect(usageError(["--abci.prot", "1"])).toContain("unknown flag --abci.prot (did you mean --abci.port?)");
  });

  it("rejects an unknown command, a flag of another command, a missing value and a missing required flag", () => {
    const unknown = usageError(["frobnicate"]);
    expect(unknown).toContain("unknown command frobnicate");
    expect(unknown).toContain("init");
    expect(usageError(["run", "--out", "/x"])).toContain("nym-test run does not take --out");
    expect(usageError(["--abci.port"])).toBe("--abci.port needs a value");
    expect(usageError(["init"])).toContain("nym-test init needs --out");
    expect(usageError(["init", "--out", "/k", "--force=maybe"])).toContain("--force is true or false");
    expect(usageError(["run", "extra"])).toContain("nym-test run takes no arguments");
  });
});

describe("runCommandLine", () => {
  it("exits 2 with the message on stderr for an unknown flag, without running the command", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    let ran = false;
    const code = await runCommandLine(
      spec({
        commands: {
          run: {
            describe: "start",
            run: () => {
              ran = true;
              return 0;
            },
          },
        },
      }),
      ["--nope"],
    );
    expect(code).toBe(2);
    expect(ran).toBe(false);
    expect(String(stderr.mock.calls[0]?.[0])).toBe("nym-test: unknown flag --nope; nym-test --help lists every flag\n");
  });

  it("prints the help on stdout with exit 0, and returns the command's exit status", async () => {
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    expect(await runCommandLine(spec(), ["--help"])).toBe(0);
    expect(String(stdout.mock.calls[0]?.[0])).toContain("--abci.port <integer>");
    const failing = spec({ commands: { run: { describe: "start", run: () => 3 } } });
    expect(await runCommandLine(failing, ["--data.dir", "/d"])).toBe(3);
  });
});

describe("packageVersion", () => {
  it("reads the version of the package a module belongs to", async () => {
    const { default: manifest } = await import("../../package.json", { with: { type: "json" } });
    expect(packageVersion(import.meta.url)).toBe(manifest.version);
  });
});

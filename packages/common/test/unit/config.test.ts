import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, loadConfig, parseFlags } from "../../src/index.js";

const schema = z
  .object({
    abci: z
      .object({
        host: z.string().describe("listen host").default("127.0.0.1"),
        port: z.number().int().min(1).max(65535).describe("listen port").default(26658),
      })
      .strict()
      .default({ host: "127.0.0.1", port: 26658 }),
    keys: z
      .object({
        secretKeyFile: z.string().min(1).describe("path of the 0600 secret key file; no default"),
      })
      .strict(),
    peers: z.array(z.string()).describe("peer addresses").default([]),
  })
  .strict();

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nym-config-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("loadConfig", () => {
  it("applies defaults < file < environment < flags", () => {
    const file = tempFile("c.toml", '[abci]\nport = 1000\nhost = "10.0.0.1"\n[keys]\nsecretKeyFile = "/k"\n');
    const fromFile = loadConfig({ schema, file });
    expect(fromFile.abci).toEqual({ host: "10.0.0.1", port: 1000 });
    expect(fromFile.peers).toEqual([]);

    const fromEnv = loadConfig({
      schema,
      file,
      envPrefix: "NYM_TEST_",
      env: { NYM_TEST_ABCI__PORT: "2000", OTHER_ABCI__PORT: "9" },
    });
    expect(fromEnv.abci.port).toBe(2000);
    expect(fromEnv.abci.host).toBe("10.0.0.1");

    const fromFlags = loadConfig({
      schema,
      file,
      envPrefix: "NYM_TEST_",
      env: { NYM_TEST_ABCI__PORT: "2000" },
      flags: { "abci.port": "3000", peers: '["a:1","b:2"]' },
    });
    expect(fromFlags.abci.port).toBe(3000);
    expect(fromFlags.peers).toEqual(["a:1", "b:2"]);
  });

  it("reads JSON files and maps SCREAMING_SNAKE env names to camelCase keys", () => {
    const file = tempFile("c.json", JSON.stringify({ abci: { port: 5 } }));
    const config = loadConfig({
      schema,
      file,
      envPrefix: "NYM_TEST_",
      env: { NYM_TEST_KEYS__SECRET_KEY_FILE: "/secret" },
    });
    expect(config.keys.secretKeyFile).toBe("/secret");
    expect(config.abci.port).toBe(5);
  });

  it("rejects unknown keys, naming their path", () => {
    const file = tempFile("c.toml", '[abci]\nprot = 1\n[keys]\nsecretKeyFile = "/k"\n');
    expect(() => loadConfig({ schema, file })).toThrowError(ConfigError);
    try {
      loadConfig({ schema, file });
    } catch (error) {
      const issues = (error as ConfigError).details ?? [];
      expect(issues.some((issue) => issue.path === "abci" && /prot/.test(issue.message))).toBe(true);
    }
  });

  it("has no default for a secret: a missing key file path is an error naming it", () => {
    try {
      loadConfig({ schema, flags: {} });
      expect.unreachable("a config without keys.secretKeyFile must not load");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).details?.map((issue) => issue.path)).toContain("keys");
    }
  });

  it("reports a wrong type with the field's path", () => {
    try {
      loadConfig({ schema, flags: { "abci.port": "not-a-number", "keys.secretKeyFile": "/k" } });
      expect.unreachable("a string port must not load");
    } catch (error) {
      expect((error as ConfigError).details?.[0]?.path).toBe("abci.port");
    }
  });

  it("gives a ConfigError for a file that does not parse or does not exist", () => {
    const bad = tempFile("c.toml", "[abci\nport = ");
    expect(() => loadConfig({ schema, file: bad })).toThrowError(/cannot parse config file/);
    expect(() => loadConfig({ schema, file: "/nonexistent/nym.toml" })).toThrowError(/cannot read config file/);
  });
});

describe("parseFlags", () => {
  it("splits --key=value, --key value, --config, --validate-only and positional arguments", () => {
    const parsed = parseFlags([
      "run",
      "--config",
      "/etc/n.toml",
      "--abci.port=1",
      "--log.level",
      "debug",
      "--validate-only",
      "x",
    ]);
    expect(parsed.configFile).toBe("/etc/n.toml");
    expect(parsed.validateOnly).toBe(true);
    expect(parsed.flags).toEqual({ "abci.port": "1", "log.level": "debug" });
    expect(parsed.rest).toEqual(["run", "x"]);
  });

  it("treats a flag without a value as true", () => {
    expect(parseFlags(["--verbose"]).flags).toEqual({ verbose: "true" });
  });
});

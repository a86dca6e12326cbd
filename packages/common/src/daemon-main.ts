import { z } from "zod";
import { loadConfig, parseFlags } from "./config.js";
import { isNymError } from "./errors.js";
import type { Service } from "./lifecycle.js";
import { runService } from "./lifecycle.js";
import { createLogger, type Logger, type LogLevel } from "./logger.js";

/** A config every daemon has: at least a `log.level`. */
export type DaemonConfigShape = { log: { level: LogLevel } };

/** The `log` section of every daemon's config: `[log] level = "debug"`, `--log.level debug`. */
export const logConfigSection = z
  .strictObject({
    level: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info")
      .describe("Log level; per-packet and per-request events are at debug"),
  })
  .prefault({})
  .describe("Logging");

export interface ParsedCommandLine {
  flags: Record<string, string>;
  configFile: string | undefined;
  validateOnly: boolean;
  /** Positional arguments after the command. */
  args: string[];
}

export interface DaemonMainSpec<S extends z.ZodType<DaemonConfigShape>> {
  /** Process name, e.g. `nym-mixnode`: the logger's `name` and the usage line. */
  name: string;
  /** e.g. `NYM_MIXNODE_`: `NYM_MIXNODE_HTTP__PORT=8000` sets `http.port`. */
  envPrefix: string;
  schema: S;
  /** Builds the service from a validated config; `run` (or no command) starts it. */
  create(config: z.output<S>, modules: { log: Logger; version: string }): Service;
  /** Extra commands beside `run`, such as `init`; each gets the parsed command line. */
  commands?: Record<string, { describe: string; run(line: ParsedCommandLine): Promise<void> | void }>;
  /** One line on what `run` needs, for the usage text. */
  runNeeds?: string;
  argv?: readonly string[];
}

/** The version every daemon reports: the package version plus the commit an image was built from. */
export function daemonVersion(packageVersion = "0.1.0"): string {
  const commit = process.env.NYM_BUILD_COMMIT;
  return commit ? `${packageVersion}+${commit}` : packageVersion;
}

/**
 * The whole `bin.ts` of a daemon: `<name> [command] [--config file] [--section.key value ...] [--validate-only]`.
 * Exit status 2 for a bad command line or config (the error names every bad key), 0 after `--validate-only` accepts a
 * config, 1 when the service fails to start; otherwise the process lives until SIGINT/SIGTERM (see `runService`).
 */
export async function runDaemonMain<S extends z.ZodType<DaemonConfigShape>>(spec: DaemonMainSpec<S>): Promise<void> {
  const { flags, configFile, validateOnly, rest } = parseFlags(spec.argv ?? process.argv.slice(2));
  const [command = "run", ...args] = rest;
  const extra = spec.commands ?? {};
  const usage = [
    `usage: ${spec.name} [command] [--config file.toml] [--section.key value ...] [--validate-only]`,
    "",
    "commands:",
    `  run            start the daemon (the default)${spec.runNeeds ? `; needs ${spec.runNeeds}` : ""}`,
    ...Object.entries(extra).map(([name, c]) => `  ${name.padEnd(14)} ${c.describe}`),
    "",
    `Every config key can also be set as ${spec.envPrefix}SECTION__KEY or --section.key.`,
  ].join("\n");

  if (command === "help" || flags.help !== undefined) {
    console.log(usage);
    return;
  }
  const custom = extra[command];
  if (custom) {
    try {
      await custom.run({ flags, configFile, validateOnly, args });
    } catch (error) {
      fail(error, 2);
    }
    return;
  }
  if (command !== "run") {
    console.error(`unknown command ${command}\n\n${usage}`);
    process.exit(2);
  }

  let config: z.output<S>;
  try {
    config = loadConfig({ schema: spec.schema, file: configFile, envPrefix: spec.envPrefix, flags });
  } catch (error) {
    fail(error, 2);
  }
  if (validateOnly) {
    console.log("configuration is valid");
    return;
  }
  const version = daemonVersion();
  const log = createLogger({ name: spec.name, level: config.log.level, base: { version } });
  try {
    await runService(spec.create(config, { log, version }), { log });
  } catch {
    // runService has logged the failure and set the exit status.
  }
}

function fail(error: unknown, status: number): never {
  console.error(isNymError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : error);
  process.exit(status);
}

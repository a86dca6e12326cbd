import { z } from "zod";
import {
  type CommandLine,
  type CommandLineSpec,
  type CommandSpec,
  parseCommandLine,
  UsageError,
} from "./command-line.js";
import { loadConfig } from "./config.js";
import { configKeys } from "./config-keys.js";
import { isNymError } from "./errors.js";
import type { Service } from "./lifecycle.js";
import { runService } from "./lifecycle.js";
import { createLogger, type Logger, type LogLevel } from "./logger.js";
import { daemonVersion } from "./version.js";

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

/**
 * An extra command beside `run`, such as `init`. It takes every config key as a flag (`--storage.dataDir`), plus its
 * own `flags`, and positional `args` only when it declares them; a flag it does not take is a usage error (exit 2).
 */
export type DaemonCommand = CommandSpec<void>;

export interface DaemonMainSpec<S extends z.ZodType<DaemonConfigShape>> {
  /** Process name, e.g. `nym-mixnode`: the logger's `name` and the usage line. */
  name: string;
  /** e.g. `NYM_MIXNODE_`: `NYM_MIXNODE_HTTP__PORT=8000` sets `http.port`. */
  envPrefix: string;
  schema: S;
  /** Builds the service from a validated config; `run` (or no command) starts it. */
  create(config: z.output<S>, modules: { log: Logger; version: string }): Service;
  /** Extra commands beside `run`, such as `init`; each gets the parsed command line. */
  commands?: Record<string, DaemonCommand>;
  /** One line on what `run` needs, for the help text; by default the config keys that have no default. */
  runNeeds?: string;
  /** One paragraph for the help text, under the usage line. */
  about?: string;
  /**
   * The version the logger, `--version` and `create` get; `daemonVersion(packageVersion(import.meta.url))` in a bin
   * reports the daemon package's own version. Defaults to `daemonVersion()`.
   */
  version?: string;
  argv?: readonly string[];
}

/**
 * The whole `bin.ts` of a daemon: `<name> [command] [--config file] [--section.key value ...] [--validate-only]`,
 * parsed by `parseCommandLine`, so `--help` lists the commands and every config key of `schema` with its type,
 * default and environment variable. Exit status 2 for a bad command line or config (the error names every bad key),
 * 0 after `--help`, `--version` or a `--validate-only` that accepts the config, 1 when the service fails to start;
 * otherwise the process lives until SIGINT/SIGTERM (see `runService`).
 */
export async function runDaemonMain<S extends z.ZodType<DaemonConfigShape>>(spec: DaemonMainSpec<S>): Promise<void> {
  const version = spec.version ?? daemonVersion();
  const needs =
    spec.runNeeds ??
    configKeys(spec.schema)
      .filter((key) => key.required)
      .map((key) => key.path)
      .join(", ");
  const run: DaemonCommand = {
    describe: `start the daemon${needs ? `; needs ${needs}` : ""}`,
    run: () => {},
  };
  const cli: CommandLineSpec<void> = {
    name: spec.name,
    ...(spec.about !== undefined ? { about: spec.about } : {}),
    commands: { run, ...spec.commands },
    defaultCommand: "run",
    schema: spec.schema,
    envPrefix: spec.envPrefix,
    configFile: true,
    version,
  };

  let parsed: CommandLine<void>;
  try {
    parsed = parseCommandLine(cli, spec.argv ?? process.argv.slice(2));
  } catch (error) {
    fail(spec.name, error, 2);
  }
  if (parsed.kind !== "command") {
    console.log(parsed.text);
    return;
  }
  if (parsed.name !== "run") {
    try {
      await parsed.command.run(parsed.line);
    } catch (error) {
      fail(spec.name, error, 2);
    }
    return;
  }

  let config: z.output<S>;
  try {
    config = loadConfig({
      schema: spec.schema,
      file: parsed.line.configFile,
      envPrefix: spec.envPrefix,
      flags: parsed.line.configFlags ?? parsed.line.flags,
    });
  } catch (error) {
    fail(spec.name, error, 2);
  }
  if (parsed.line.validateOnly) {
    console.log("configuration is valid");
    return;
  }
  const log = createLogger({ name: spec.name, level: config.log.level, base: { version } });
  let service: Service;
  try {
    service = spec.create(config, { log, version });
  } catch (error) {
    // Building the daemon failed (a key file missing, a port taken at construction...): say so, exit non-zero.
    log.fatal({ err: error }, "could not create the daemon");
    console.error(`${spec.name}: ${isNymError(error) ? `${error.code}: ` : ""}${(error as Error)?.message ?? error}`);
    process.exitCode = 1;
    return;
  }
  try {
    await runService(service, { log });
  } catch {
    // runService has logged the failure and set the exit status.
  }
}

function fail(name: string, error: unknown, status: number): never {
  console.error(
    error instanceof UsageError
      ? `${name}: ${error.message}`
      : isNymError(error)
        ? `${error.code}: ${error.message}`
        : error instanceof Error
          ? error.message
          : error,
  );
  process.exit(status);
}

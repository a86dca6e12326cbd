/**
 * @nym-ts/common: what the Nym daemons share, and nothing more.
 *
 * - `createLogger`: the pino root logger of a process (subsystems use `log.child({ module })`).
 * - `loadConfig`: defaults < file (TOML or JSON) < environment < flags, validated once by a zod schema.
 * - `NymError`: the coded error base (`code` like `CHAIN_ERROR_NONCE_REUSED`).
 * - `writeKeyFile` / `readKeyFile`: secrets in 0600 files, refused when group or others can read them.
 * - `runService`: start a `{ start, stop }` service and stop it on SIGINT/SIGTERM (a second signal forces exit).
 * - `runDaemonMain`: the whole `bin.ts` of a daemon (commands, config, `--help`, `--validate-only`, logger, `runService`).
 * - `parseCommandLine` / `runCommandLine`: one parser (node:util `parseArgs`) for every bin, driven by a command table
 *   and the config schema; `formatHelp` lists the commands and every config key (`configKeys`) with type, default
 *   and environment variable.
 * - `packageVersion` / `daemonVersion`: a package's version from its package.json, plus `NYM_BUILD_COMMIT`.
 * - `createHttpApp`: a Fastify app with request ids, error mapping, `/health`, Prometheus `/metrics`, Swagger.
 *
 * @example
 * // src/bin.ts of a daemon
 * await runDaemonMain({ name: "nym-mixnode", envPrefix: "NYM_MIXNODE_", schema: MixnodeConfig, create: createMixnode });
 */

export {
  type CommandLine,
  type CommandLineSpec,
  type CommandSpec,
  type FlagSpec,
  formatHelp,
  type ParsedCommandLine,
  parseCommandLine,
  runCommandLine,
  UsageError,
} from "./command-line.js";
export { type LoadConfigOptions, loadConfig, parseFlags, readConfigFile, zodIssues } from "./config.js";
export { type ConfigKey, configKeys, envName } from "./config-keys.js";
export {
  type DaemonCommand,
  type DaemonConfigShape,
  type DaemonMainSpec,
  logConfigSection,
  runDaemonMain,
} from "./daemon-main.js";
export { ConfigError, type ConfigIssue, isNymError, KeyFileError, type KeyFileErrorCode, NymError } from "./errors.js";
export {
  type CreatedHttpApp,
  createHttpApp,
  HealthBody,
  type HealthCheck,
  type HttpApp,
  type HttpAppOptions,
  HttpError,
  HttpErrorBody,
} from "./http.js";
export { readKeyFile, readKeyFileText, writeKeyFile } from "./keyfile.js";
export { type RunningService, type RunOptions, runService, type Service } from "./lifecycle.js";
export { createLogger, type Logger, type LoggerConfig, type LogLevel, REDACTED_FIELDS } from "./logger.js";
export { daemonVersion, packageVersion } from "./version.js";

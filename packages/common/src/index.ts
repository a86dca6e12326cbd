/**
 * @nym-ts/common: what the Nym daemons share, and nothing more.
 *
 * - `createLogger`: the pino root logger of a process (subsystems use `log.child({ module })`).
 * - `loadConfig`: defaults < file (TOML or JSON) < environment < flags, validated once by a zod schema.
 * - `NymError`: the coded error base (`code` like `CHAIN_ERROR_NONCE_REUSED`).
 * - `writeKeyFile` / `readKeyFile`: secrets in 0600 files, refused when group or others can read them.
 * - `runService`: start a `{ start, stop }` service and stop it on SIGINT/SIGTERM (a second signal forces exit).
 * - `runDaemonMain`: the whole `bin.ts` of a daemon (commands, config, `--validate-only`, logger, `runService`).
 * - `createHttpApp`: a Fastify app with request ids, error mapping, `/health`, Prometheus `/metrics`, Swagger.
 *
 * @example
 * // src/bin.ts of a daemon
 * await runDaemonMain({ name: "nym-mixnode", envPrefix: "NYM_MIXNODE_", schema: MixnodeConfig, create: createMixnode });
 */

export { type LoadConfigOptions, loadConfig, parseFlags, readConfigFile, zodIssues } from "./config.js";
export {
  type DaemonConfigShape,
  type DaemonMainSpec,
  daemonVersion,
  logConfigSection,
  type ParsedCommandLine,
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

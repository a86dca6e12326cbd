import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface LoggerConfig {
  /** Process or daemon name, e.g. `nym-validator`; becomes the `name` field of every line. */
  name: string;
  level?: LogLevel;
  /** Where lines go; stdout when absent. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
  /** Fields added to every line (node id, version). */
  base?: Record<string, unknown>;
}

/**
 * Field names that must never reach a log line. pino replaces their values with `[redacted]` wherever they occur
 * one level deep, a net under the rule that secrets are not passed to the logger in the first place.
 */
export const REDACTED_FIELDS = [
  "secretKey",
  "privateKey",
  "secret",
  "password",
  "mnemonic",
  "blindingFactor",
  "credential",
  "packet",
] as const;

/** One root logger per process; subsystems take `log.child({ module })`. */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    name: config.name,
    level: config.level ?? "info",
    base: { pid: process.pid, ...config.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`]),
      censor: "[redacted]",
    },
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}

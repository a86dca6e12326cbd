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
  const root = config.destination ? pino(options, config.destination) : pino(options);
  return withOneModuleKey(root);
}

/**
 * pino writes a child's bindings after its parent's without merging them, so a daemon's `log.child({ module })`
 * handed to a subsystem that takes its own `log.child({ module })` wrote the key twice in one JSON line (parsers keep
 * one of the two, which one depends on the parser). Under such a root, a child that names a `module` while one is
 * bound keeps the first as `module` and records its own as `component`; when a `component` is bound too, the child
 * is made from the root with the bindings merged (the later value wins), so no line carries a key twice.
 */
function withOneModuleKey(root: Logger): Logger {
  const pinoChild = root.child as unknown as (
    this: Logger,
    bindings: Record<string, unknown>,
    options?: object,
  ) => Logger;
  const rootBindings = root.bindings();
  function child(this: Logger, bindings: Record<string, unknown>, options?: object): Logger {
    if (!bindings || !Object.hasOwn(bindings, "module")) return pinoChild.call(this, bindings, options);
    const bound = this.bindings();
    if (bound.module === undefined) return pinoChild.call(this, bindings, options);
    const { module, ...rest } = bindings;
    if (bound.component === undefined) return pinoChild.call(this, { ...rest, component: module }, options);
    const merged: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(bound)) if (!(key in rootBindings)) merged[key] = value;
    return pinoChild.call(root, { ...merged, ...rest, component: module }, { level: this.level, ...options });
  }
  // pino makes each child with Object.create(parent): every descendant inherits this `child`.
  root.child = child as unknown as Logger["child"];
  return root;
}

import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseToml } from "smol-toml";
import type { z } from "zod";
import { type ConfigKey, configKeys, envName } from "./config-keys.js";
import { ConfigError, type ConfigIssue } from "./errors.js";

type Plain = Record<string, unknown>;

export interface LoadConfigOptions<S extends z.ZodType> {
  /** The whole config: one `.strict()` object per section, `.describe()` on every field, no defaults for secrets. */
  schema: S;
  /** A `.toml` or `.json` file; read when given. */
  file?: string | undefined;
  /** Environment; only variables starting with `envPrefix` are read. */
  env?: NodeJS.ProcessEnv;
  /** E.g. `NYM_VALIDATOR_`: `NYM_VALIDATOR_ABCI__PORT=26658` sets `abci.port`. */
  envPrefix?: string;
  /** Dotted overrides from command-line flags, e.g. `{ "abci.port": "26658" }` (see `parseFlags`). */
  flags?: Record<string, string>;
}

/**
 * Loads a config with the precedence defaults < file < environment < flags, then validates it once with zod.
 * Values from the environment and flags are strings: a key that accepts only strings (a path, a URL, an enum) takes
 * them verbatim; any other is read as JSON when the value parses as JSON (numbers, booleans, arrays) and as a plain
 * string otherwise, and the schema decides whether that is acceptable. Environment names are matched against the
 * schema's keys (see `configKeys`), so `NYM_X_HTTP__LISTEN_HOST` sets `http.listenHost`.
 * Throws `ConfigError` listing every problem with its dotted path.
 */
export function loadConfig<S extends z.ZodType>(options: LoadConfigOptions<S>): z.output<S> {
  const keys = new Map(configKeys(options.schema).map((key) => [key.path, key]));
  let merged: Plain = {};
  if (options.file !== undefined) merged = deepMerge(merged, readConfigFile(options.file));
  if (options.envPrefix !== undefined) {
    merged = deepMerge(merged, fromEnv(options.env ?? process.env, options.envPrefix, keys));
  }
  if (options.flags !== undefined) merged = deepMerge(merged, fromDotted(options.flags, keys));
  const parsed = options.schema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError("invalid configuration", zodIssues(parsed.error));
  }
  return parsed.data;
}

export function zodIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

export function readConfigFile(file: string): Plain {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${file}`, [], { cause });
  }
  try {
    const value: unknown = extname(file) === ".json" ? JSON.parse(text) : parseToml(text);
    if (!isPlain(value)) throw new Error("top level is not a table");
    return value;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError(`cannot parse config file ${file}: ${message}`, [], { cause });
  }
}

/**
 * The hand-rolled splitter the bins used before `parseCommandLine` (which knows the schema's keys and rejects unknown
 * flags); kept for callers that only need the split. Splits argv into dotted config overrides (`--abci.port=26658` or `--abci.port 26658`) and the remaining
 * arguments. `--config <file>` and `--validate-only` are recognised and returned separately.
 */
export function parseFlags(argv: readonly string[]): {
  flags: Record<string, string>;
  configFile: string | undefined;
  validateOnly: boolean;
  rest: string[];
} {
  const flags: Record<string, string> = {};
  const rest: string[] = [];
  let configFile: string | undefined;
  let validateOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const key = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (key === "validate-only") {
      validateOnly = true;
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !(argv[i + 1] as string).startsWith("--")) value = argv[++i] as string;
    else value = "true";
    if (key === "config") configFile = value;
    else flags[key] = value;
  }
  return { flags, configFile, validateOnly, rest };
}

function fromEnv(env: NodeJS.ProcessEnv, prefix: string, keys: Map<string, ConfigKey>): Plain {
  const byName = new Map([...keys.keys()].map((path) => [envName(prefix, path), path]));
  const entries: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith(prefix)) continue;
    // An unknown name still becomes a key, so the strict schema reports it instead of it being ignored.
    const path =
      byName.get(name) ??
      name
        .slice(prefix.length)
        .split("__")
        .map((part) => camelCase(part))
        .join(".");
    entries[path] = value;
  }
  return fromDotted(entries, keys);
}

function camelCase(screaming: string): string {
  return screaming.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function fromDotted(entries: Record<string, string>, keys: Map<string, ConfigKey>): Plain {
  const out: Plain = {};
  for (const [path, raw] of Object.entries(entries)) {
    const parts = path.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (!isPlain(next)) node[part] = {};
      node = node[part] as Plain;
    }
    node[parts[parts.length - 1] as string] = coerce(raw, keys.get(path));
  }
  return out;
}

function coerce(raw: string, key: ConfigKey | undefined): unknown {
  if (key !== undefined && key.jsonTypes.length > 0 && key.jsonTypes.every((type) => type === "string")) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function isPlain(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = out[key];
    out[key] = isPlain(existing) && isPlain(value) ? deepMerge(existing, value) : value;
  }
  return out;
}

import { parseArgs } from "node:util";
import type { z } from "zod";
import { type ConfigKey, configKeys } from "./config-keys.js";
import { NymError } from "./errors.js";

/** A flag of one command (beside the config keys every command takes), e.g. nymclient's `--dir`. */
export interface FlagSpec {
  /** A boolean flag is `--x` (true), `--x true|false`, `--x=false` or `--no-x`; its value reads "true" or "false". */
  type: "string" | "boolean";
  describe: string;
  /** Placeholder in the help text, e.g. `DIR`; the type by default. */
  value?: string;
  /** The parser fails with a usage error when it is missing. */
  required?: boolean;
}

/** What a command's `run` gets. Every value is a string, as typed; config keys are validated by `loadConfig`. */
export interface ParsedCommandLine {
  /** Every flag given: the command's own flags and config keys (`{ "abci.port": "26658", dir: "/tmp/a" }`). */
  flags: Record<string, string>;
  /** `--config <file>`, when the program takes one. */
  configFile: string | undefined;
  /** `--validate-only` was given. */
  validateOnly: boolean;
  /** Positional arguments after the command. */
  args: string[];
  /** The command's name (as in the table; `credential show` for a two-word command). */
  command?: string;
  /** The subset of `flags` that are config keys, ready for `loadConfig({ flags })`. */
  configFlags?: Record<string, string>;
}

/** One entry of a program's command table. */
export interface CommandSpec<R = unknown> {
  /** One line for `--help`. */
  describe: string;
  /** Positional arguments for the usage line, e.g. `<address>`; none are accepted when absent. */
  args?: string;
  flags?: Record<string, FlagSpec>;
  run(line: ParsedCommandLine): R | Promise<R>;
}

/** A whole command-line program: its commands (one table entry each) and the config schema its flags set. */
export interface CommandLineSpec<R = unknown> {
  /** Program name for the usage line, e.g. `nym-validator`. */
  name: string;
  /** One paragraph under the usage line. */
  about?: string;
  /** Names may have two words (`credential show`); the longest match wins. */
  commands: Record<string, CommandSpec<R>>;
  /** Run when no command is given (daemons: `run`); without one, the help is printed. */
  defaultCommand?: string;
  /** Every leaf key becomes a flag `--section.key` of every command and a line of `--help`. */
  schema?: z.ZodType;
  /** e.g. `NYM_VALIDATOR_`: `--help` names each key's variable. */
  envPrefix?: string;
  /** Takes `--config <file>` and `--validate-only`. */
  configFile?: boolean;
  /** Takes `--version` (or `-V`) and prints this. */
  version?: string;
  /** Heading of the config keys in `--help`; the precedence of the sources by default. */
  configHeading?: string;
}

export type CommandLine<R = unknown> =
  | { kind: "help"; text: string; command: string | undefined }
  | { kind: "version"; text: string }
  | { kind: "command"; name: string; command: CommandSpec<R>; line: ParsedCommandLine };

/** A bad command line: unknown command or flag, missing value or required flag. Programs exit 2 on it. */
export class UsageError extends NymError<"CLI_ERROR_USAGE"> {
  constructor(message: string) {
    super("CLI_ERROR_USAGE", message);
  }
}

interface GlobalFlag extends FlagSpec {
  short?: string;
}

function globalFlags(spec: CommandLineSpec<unknown>): Record<string, GlobalFlag> {
  const flags: Record<string, GlobalFlag> = {};
  if (spec.configFile) {
    flags.config = {
      type: "string",
      value: "file",
      describe: "TOML or JSON config file (defaults < file < environment < flags)",
    };
    flags["validate-only"] = {
      type: "boolean",
      describe: "validate the configuration and exit: 0 when valid, 2 naming every bad key",
    };
  }
  if (spec.version !== undefined) {
    flags.version = { type: "boolean", short: "V", describe: "print the version and exit" };
  }
  flags.help = { type: "boolean", short: "h", describe: "print this help (`<command> --help`: one command's)" };
  return flags;
}

/**
 * Parses argv (without node and the script) against the command table and the config schema, with `node:util`
 * `parseArgs` underneath. Flags may come before or after the command, as `--key value` or `--key=value`; `--` ends
 * the flags. `--help`/`-h` anywhere, or the command `help [command]`, yields the help text whatever else is wrong.
 * Throws `UsageError` for an unknown command or flag, a flag the command does not take, a missing value or a missing
 * required flag.
 */
export function parseCommandLine<R>(spec: CommandLineSpec<R>, argv: readonly string[]): CommandLine<R> {
  const keys = spec.schema ? configKeys(spec.schema, spec.envPrefix) : [];
  const keyNames = new Set(keys.map((key) => key.path));
  const globals = globalFlags(spec as CommandLineSpec<unknown>);
  // Every flag any command takes, with its type (the first declaration wins when two commands share a name).
  const known = new Map<string, FlagSpec>();
  for (const [name, flag] of Object.entries(globals)) known.set(name, flag);
  for (const command of Object.values(spec.commands)) {
    for (const [name, flag] of Object.entries(command.flags ?? {})) if (!known.has(name)) known.set(name, flag);
  }
  for (const key of keys) {
    if (!known.has(key.path)) known.set(key.path, { type: isBooleanKey(key) ? "boolean" : "string", describe: "" });
  }
  const args = normaliseBooleans(argv, known);
  const options: Record<string, { type: "string"; short?: string }> = {};
  for (const name of known.keys()) options[name] = { type: "string" };
  options.help = { type: "string", short: "h" };

  // First a lenient pass: whatever else is wrong, --help and --version answer.
  const loose = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const loosePositionals = loose.tokens.filter((t) => t.kind === "positional").map((t) => t.value);
  if (loose.values.help !== undefined || loosePositionals[0] === "help") {
    const words = loosePositionals[0] === "help" ? loosePositionals.slice(1) : loosePositionals;
    const found = findCommand(spec, words);
    return { kind: "help", text: formatHelp(spec, found?.name), command: found?.name };
  }
  if (spec.version !== undefined && loose.values.version === "true") return { kind: "version", text: spec.version };

  const parsed = (() => {
    try {
      return parseArgs({ args, options, strict: true, allowPositionals: true, tokens: true });
    } catch (error) {
      throw new UsageError(usageMessage(spec.name, error, known));
    }
  })();
  const positionals = parsed.tokens.filter((t) => t.kind === "positional").map((t) => t.value);
  let found = findCommand(spec, positionals);
  if (found === undefined) {
    if (positionals.length > 0) {
      throw new UsageError(`unknown command ${positionals[0]}\n\n${commandList(spec)}`);
    }
    if (spec.defaultCommand === undefined) return { kind: "help", text: formatHelp(spec), command: undefined };
    const command = spec.commands[spec.defaultCommand];
    if (command === undefined) throw new Error(`default command ${spec.defaultCommand} is not in the table`);
    found = { name: spec.defaultCommand, command, rest: [] };
  }
  const { name, command, rest } = found;
  if (rest.length > 0 && command.args === undefined) {
    throw new UsageError(`${spec.name} ${name} takes no arguments (got ${rest.join(" ")}); see ${spec.name} --help`);
  }

  const flags: Record<string, string> = {};
  const configFlags: Record<string, string> = {};
  let configFile: string | undefined;
  let validateOnly = false;
  const own = command.flags ?? {};
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    const value = token.value ?? "true";
    if (globals[token.name] !== undefined) {
      if (token.name === "config") configFile = value;
      else if (token.name === "validate-only") validateOnly = value === "true";
      continue;
    }
    const flag = own[token.name];
    if (flag === undefined && !keyNames.has(token.name)) {
      throw new UsageError(
        `${spec.name} ${name} does not take --${token.name} (${spec.name} ${name} --help lists its flags)`,
      );
    }
    if (flag?.type === "boolean" && value !== "true" && value !== "false") {
      throw new UsageError(`--${token.name} is true or false, not ${value}`);
    }
    flags[token.name] = value;
    if (keyNames.has(token.name)) configFlags[token.name] = value;
  }
  for (const [flagName, flag] of Object.entries(own)) {
    if (flag.required && flags[flagName] === undefined) {
      throw new UsageError(`${spec.name} ${name} needs --${flagName} (${spec.name} ${name} --help lists its flags)`);
    }
  }
  return {
    kind: "command",
    name,
    command,
    line: { flags, configFlags, configFile, validateOnly, args: rest, command: name },
  };
}

/**
 * Runs a program: the help or version on stdout (0), a usage error on stderr (2), otherwise the command, whose
 * number result is the exit status (0 for none). A `UsageError` thrown by the command is a usage error too; other
 * errors propagate to the caller.
 */
export async function runCommandLine(spec: CommandLineSpec<unknown>, argv: readonly string[]): Promise<number> {
  let parsed: CommandLine<unknown>;
  try {
    parsed = parseCommandLine(spec, argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${spec.name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (parsed.kind !== "command") {
    process.stdout.write(`${parsed.text}\n`);
    return 0;
  }
  try {
    const result = await parsed.command.run(parsed.line);
    return typeof result === "number" ? result : 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${spec.name}: ${error.message}\n`);
    return 2;
  }
}

/**
 * The `--help` text: usage line, commands, options, then every config key as
 * `--section.key <type>  description (default: x) [env PREFIX_SECTION__KEY]`, walked from the schema. With a command
 * name, that command's usage and flags instead of the command list.
 */
export function formatHelp(spec: CommandLineSpec<unknown>, commandName?: string): string {
  const command = commandName !== undefined ? spec.commands[commandName] : undefined;
  const keys = spec.schema ? configKeys(spec.schema, spec.envPrefix) : [];
  const keyPart = keys.length > 0 ? " [--section.key value ...]" : "";
  const lines: string[] = [];
  if (command !== undefined && commandName !== undefined) {
    lines.push(`usage: ${spec.name} ${commandUsage(commandName, command)}${keyPart}`, "", command.describe);
    if (command.flags && Object.keys(command.flags).length > 0) {
      lines.push("", "flags:", ...table(Object.entries(command.flags).map(([n, f]) => flagRow(n, f))));
    }
  } else {
    const commandPart = spec.defaultCommand !== undefined ? "[command]" : "<command>";
    lines.push(`usage: ${spec.name} ${commandPart} [flags]${keyPart}`);
    if (spec.about) lines.push("", spec.about);
    lines.push("", commandList(spec));
  }
  const globals = globalFlags(spec);
  lines.push("", "options:", ...table(Object.entries(globals).map(([n, f]) => flagRow(n, f))));
  if (keys.length > 0) {
    const heading =
      spec.configHeading ??
      (spec.envPrefix !== undefined
        ? "configuration (defaults < --config file < environment < flags):"
        : "configuration (defaults < flags):");
    lines.push("", heading, ...table(keys.map(keyRow)));
  }
  return lines.join("\n");
}

function commandList(spec: CommandLineSpec<unknown>): string {
  const rows = Object.entries(spec.commands).map(([name, command]): [string, string] => [
    name,
    `${command.describe}${name === spec.defaultCommand ? " (the default)" : ""}`,
  ]);
  const out = ["commands:", ...table(rows)];
  const withFlags = Object.entries(spec.commands).filter(([, c]) => c.flags && Object.keys(c.flags).length > 0);
  if (withFlags.length > 0) {
    out.push("", `command flags (\`${spec.name} <command> --help\` describes them):`);
    for (const [name, command] of withFlags) out.push(`  ${spec.name} ${commandUsage(name, command)}`);
  }
  return out.join("\n");
}

function commandUsage(name: string, command: CommandSpec<unknown>): string {
  const parts = [name];
  for (const [flagName, flag] of Object.entries(command.flags ?? {})) {
    const text = flag.type === "boolean" ? `--${flagName}` : `--${flagName} <${flag.value ?? flag.type}>`;
    parts.push(flag.required ? text : `[${text}]`);
  }
  if (command.args !== undefined) parts.push(command.args);
  return parts.join(" ");
}

function flagRow(name: string, flag: GlobalFlag): [string, string] {
  const short = flag.short !== undefined ? `-${flag.short}, ` : "";
  const value = flag.type === "boolean" ? "" : ` <${flag.value ?? flag.type}>`;
  return [`${short}--${name}${value}`, `${flag.describe}${flag.required ? " (required)" : ""}`];
}

function keyRow(key: ConfigKey): [string, string] {
  let text = key.description ?? "";
  if (key.hasDefault && key.default !== undefined) text += ` (default: ${showDefault(key.default)})`;
  else if (key.required) text += " (required)";
  if (key.env !== undefined) text += ` [env ${key.env}]`;
  return [`--${key.path} <${key.type}>`, text.trim()];
}

function showDefault(value: unknown): string {
  return typeof value === "string" ? (value === "" ? '""' : value) : JSON.stringify(value);
}

/** Two columns, the second aligned; a first column over 44 characters pushes its own line only. */
function table(rows: [string, string][]): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length).filter((length) => length <= 44));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd());
}

function findCommand<R>(
  spec: CommandLineSpec<R>,
  words: readonly string[],
): { name: string; command: CommandSpec<R>; rest: string[] } | undefined {
  let best: { name: string; command: CommandSpec<R>; rest: string[] } | undefined;
  let bestLength = 0;
  for (const [name, command] of Object.entries(spec.commands)) {
    const parts = name.split(" ");
    if (parts.length <= bestLength || parts.length > words.length) continue;
    if (parts.every((part, i) => words[i] === part)) {
      best = { name, command, rest: words.slice(parts.length) };
      bestLength = parts.length;
    }
  }
  return best;
}

function isBooleanKey(key: ConfigKey): boolean {
  return key.jsonTypes.length === 1 && key.jsonTypes[0] === "boolean";
}

/**
 * Boolean flags become `--x=true|false` before parsing, so every option is a string option to `parseArgs`:
 * `--x` -> `--x=true`, `--x false` -> `--x=false`, `--no-x` -> `--x=false`.
 */
function normaliseBooleans(argv: readonly string[], known: Map<string, FlagSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : undefined;
    if (name !== undefined && known.get(name)?.type === "boolean") {
      const next = argv[i + 1];
      if (next === "true" || next === "false") {
        out.push(`--${name}=${next}`);
        i++;
      } else out.push(`--${name}=true`);
      continue;
    }
    if (name?.startsWith("no-") && known.get(name.slice(3))?.type === "boolean") {
      out.push(`--${name.slice(3)}=false`);
      continue;
    }
    if (arg === "-h") {
      out.push("--help=true");
      continue;
    }
    if (arg === "-V" && known.has("version")) {
      out.push("--version=true");
      continue;
    }
    out.push(arg);
  }
  return out;
}

function usageMessage(program: string, error: unknown, known: Map<string, FlagSpec>): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
    const suggestion = closest(flag.replace(/^-+/, ""), [...known.keys()]);
    return `unknown flag ${flag}${suggestion ? ` (did you mean --${suggestion}?)` : ""}; ${program} --help lists every flag`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && message.includes("argument missing")) {
    const flag = /'(--[^' ]+)/.exec(message)?.[1] ?? "a flag";
    return `${flag} needs a value`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && message.includes("ambiguous")) {
    return `${message.split("\n")[0]} (give a value that starts with a dash as --flag=value)`;
  }
  return message.split("\n")[0] ?? message;
}

/** A known flag within two edits of the unknown one, for a hint. */
function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

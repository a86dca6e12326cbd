/**
 * The documentation as the docs tests read it: README.md and docs/*.md, their fenced blocks, the `docs-check` markers
 * before them, headings and table rows. The rules (docs/development.md, "Documentation checks"):
 *
 * - A fenced block tagged `sh`, `bash`, `shell`, `zsh` or `console` is shell. In `console` blocks only lines starting
 *   with `$ ` are commands (the rest is output); elsewhere every line is a command, except blank lines and `#`
 *   comments, and a line ending in `\` continues on the next.
 * - Every command runs, in page order, unless a marker before its block says otherwise. A marker is one line
 *   `<!-- docs-check: DIRECTIVE -->` and applies to the next fenced block:
 *   - `not run: REASON`: no command of the block runs;
 *   - `not run "PREFIX", "PREFIX": REASON`: the commands that start with a PREFIX do not run;
 *   - `validate only "PREFIX", ...: REASON`: those commands (daemons' `run`) run with `--validate-only` appended, so
 *     their flags and config are checked without starting the daemon;
 *   - `scratch /abs/path ...`: those absolute paths are taken inside the page's scratch directory;
 *   - `file NAME`: the (non-shell) block is written to NAME in the scratch directory before the page's commands run.
 *   A REASON is required; an exemption of a long-running daemon names the e2e test that runs it instead. A PREFIX
 *   that matches no command of its block, a marker with no block after it, or an unknown directive is an error.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..", "..", "..", "..");

const SHELL_LANGUAGES = new Set(["sh", "bash", "shell", "zsh", "console"]);

export type CommandMode = "run" | "validate" | "skip";

export interface DocCommand {
  /** Repository-relative file and the 1-based line the command starts on. */
  file: string;
  line: number;
  /** The command as written (continuation lines joined with their backslashes and newlines). */
  text: string;
  mode: CommandMode;
  /** Why it is not run (skip), or how it is checked instead (validate). */
  reason?: string;
}

export interface DocBlock {
  file: string;
  /** Line of the opening fence. */
  line: number;
  language: string;
  shell: boolean;
  body: string;
  commands: DocCommand[];
  /** Absolute paths taken inside the scratch directory (`scratch` marker). */
  scratchPaths: string[];
  /** `file NAME` marker: the block's contents are written to NAME. */
  writeTo?: string;
}

export interface DocHeading {
  level: number;
  text: string;
  line: number;
}

/** A data row of a Markdown table (header and separator rows are left out). */
export interface DocTableRow {
  cells: string[];
  line: number;
}

export interface DocPage {
  file: string;
  text: string;
  blocks: DocBlock[];
  headings: DocHeading[];
  rows: DocTableRow[];
}

/** The pages the docs test reads: README.md, then docs/*.md in name order. */
export function docPages(root = ROOT): DocPage[] {
  const files = [
    "README.md",
    ...readdirSync(join(root, "docs"))
      .filter((name) => name.endsWith(".md"))
      .sort()
      .map((name) => `docs/${name}`),
  ];
  return files.map((file) => parseDocPage(file, readFileSync(join(root, file), "utf8")));
}

interface Marker {
  line: number;
  directive: string;
}

/** A page's blocks with their markers applied, its headings and table rows. Throws on a bad marker. */
export function parseDocPage(file: string, text: string): DocPage {
  const lines = text.split("\n");
  const blocks: DocBlock[] = [];
  const headings: DocHeading[] = [];
  const rows: DocTableRow[] = [];
  let pending: Marker[] = [];
  const fail = (line: number, message: string): never => {
    throw new Error(`${file}:${line}: ${message}`);
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const lineNo = i + 1;
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(raw);
    if (fence) {
      const [, indent, ticks, language = ""] = fence as unknown as [string, string, string, string];
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const inner = lines[j] as string;
        if (inner.trim().startsWith(ticks) && inner.trim().replace(/[`~]/g, "") === "") break;
        body.push(inner.startsWith(indent) ? inner.slice(indent.length) : inner);
      }
      if (j === lines.length) fail(lineNo, "a fenced block that is never closed");
      const block: DocBlock = {
        file,
        line: lineNo,
        language: language.toLowerCase(),
        shell: SHELL_LANGUAGES.has(language.toLowerCase()),
        body: body.join("\n"),
        commands: [],
        scratchPaths: [],
      };
      if (block.shell) block.commands = shellCommands(file, lineNo + 1, body, block.language === "console");
      applyMarkers(block, pending, fail);
      pending = [];
      blocks.push(block);
      i = j;
      continue;
    }
    const marker = /^\s*<!--\s*docs-check:\s*(.*?)\s*-->\s*$/.exec(raw);
    if (marker) {
      pending.push({ line: lineNo, directive: marker[1] as string });
      continue;
    }
    if (/^\s*<!--\s*docs-check/.test(raw))
      fail(lineNo, "a docs-check marker must be one line: <!-- docs-check: ... -->");
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading) {
      headings.push({ level: (heading[1] as string).length, text: heading[2] as string, line: lineNo });
      continue;
    }
    if (/^\s*\|/.test(raw)) {
      const cells = tableCells(raw);
      // The separator row makes the row above it the table's header, which is no data row.
      if (cells.every((cell) => /^:?-{3,}:?$/.test(cell))) rows.pop();
      else rows.push({ cells, line: lineNo });
    }
  }
  if (pending.length > 0) fail((pending[0] as Marker).line, "a docs-check marker with no fenced block after it");
  return { file, text, blocks, headings, rows };
}

function applyMarkers(block: DocBlock, markers: Marker[], fail: (line: number, message: string) => never): void {
  for (const { line, directive } of markers) {
    const file = /^file\s+(\S+)$/.exec(directive);
    if (file) {
      if (block.shell) fail(line, "`file` applies to a non-shell block (a config example)");
      block.writeTo = file[1] as string;
      continue;
    }
    const scratch = /^scratch\s+(.+)$/.exec(directive);
    if (scratch) {
      const paths = (scratch[1] as string).split(/\s+/);
      for (const path of paths) if (!path.startsWith("/")) fail(line, `scratch takes absolute paths, not ${path}`);
      block.scratchPaths.push(...paths);
      continue;
    }
    const exemption = /^(not run|validate only)\s*((?:"[^"]+"\s*,?\s*)*):\s*(.*)$/.exec(directive);
    if (!exemption) {
      fail(
        line,
        `unknown docs-check directive "${directive}" (not run[ "PREFIX", ...]: REASON | validate only "PREFIX", ...: REASON | scratch /PATH ... | file NAME)`,
      );
    }
    const [, kind, prefixList = "", reason = ""] = exemption as RegExpExecArray;
    if (reason.trim().length < 10) fail(line, `"${kind}" needs a reason after the colon`);
    if (!block.shell) fail(line, `"${kind}" applies to a shell block, not a ${block.language || "plain"} block`);
    const prefixes = [...prefixList.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
    if (kind === "validate only" && prefixes.length === 0) fail(line, "validate only names the commands it applies to");
    const mode: CommandMode = kind === "not run" ? "skip" : "validate";
    const matches = (command: DocCommand) =>
      prefixes.length === 0 || prefixes.some((prefix) => command.text.trimStart().startsWith(prefix));
    for (const prefix of prefixes) {
      if (!block.commands.some((c) => c.text.trimStart().startsWith(prefix))) {
        fail(line, `no command of the block at line ${block.line} starts with "${prefix}"`);
      }
    }
    for (const command of block.commands) {
      // The first marker that applies decides: "not run" before "validate only" lets a page exempt one of them.
      if (command.mode !== "run" || !matches(command)) continue;
      command.mode = mode;
      command.reason = reason.trim();
    }
  }
}

/**
 * The commands of a shell block's lines (`first` is the line number of the block's first line). A command goes on
 * over the next lines while a line ends in `\\`, a quote is open, or a here-document (`<<EOF`) has not ended.
 */
export function shellCommands(file: string, first: number, body: string[], console: boolean): DocCommand[] {
  const commands: DocCommand[] = [];
  let i = 0;
  while (i < body.length) {
    let text = body[i] as string;
    const line = first + i;
    i++;
    if (console) {
      if (!text.startsWith("$ ")) continue;
      text = text.slice(2);
    }
    if (text.trim() === "" || text.trim().startsWith("#")) continue;
    let state = scanLine(text, { quote: undefined, heredocs: [], continued: false });
    while (i < body.length && (state.quote !== undefined || state.continued || state.heredocs.length > 0)) {
      const next = body[i] as string;
      i++;
      text = `${text}\n${next}`;
      if (state.quote === undefined && !state.continued) {
        // In a here-document: only its terminator line matters.
        if (next.replace(/^\t+/, "") === state.heredocs[0]) state.heredocs.shift();
        continue;
      }
      state = scanLine(next, state);
    }
    commands.push({ file, line, text, mode: "run" });
  }
  return commands;
}

interface ScanState {
  quote: string | undefined;
  heredocs: string[];
  continued: boolean;
}

/** Quotes, here-documents and a trailing backslash of one line, carrying an open quote from the line before. */
function scanLine(text: string, before: ScanState): ScanState {
  let quote = before.quote;
  const heredocs = [...before.heredocs];
  let continued = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"') i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "\\") {
      if (i === text.length - 1) continued = true;
      i++;
    } else if (c === "#" && (i === 0 || /\s/.test(text[i - 1] as string))) break;
    else if (c === "<" && text.startsWith("<<", i) && !text.startsWith("<<<", i)) {
      const here = /^<<-?\s*(['"]?)([\w.-]+)\1/.exec(text.slice(i));
      if (here) {
        heredocs.push(here[2] as string);
        i += here[0].length - 1;
      }
    }
  }
  return { quote, heredocs, continued };
}

/** A command without its trailing `# comment` (outside quotes), for appending flags. */
export function withoutComment(command: string): string {
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"') i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "\\") i++;
    else if (c === "#" && (i === 0 || /\s/.test(command[i - 1] as string))) return command.slice(0, i).trimEnd();
  }
  return command.trimEnd();
}

/** The cells of a Markdown table row, trimmed (`\|` inside a cell stays). */
export function tableCells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, "").replace(/\|$/, "");
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

/**
 * One bash script running a page's commands in order in one shell (as a reader's terminal would: `export` and `cd`
 * carry over), each preceded by a `+ file:line` line in the output and recorded in `statusFile` as `ok LINE` or
 * `fail LINE STATUS`; the script stops at the first failure.
 */
export function pageScript(page: DocPage, statusFile: string, scratch: string): string {
  const out = ["#!/usr/bin/env bash", "set -u", `__status=${quote(statusFile)}`];
  for (const block of page.blocks) {
    for (const command of block.commands) {
      if (command.mode === "skip") continue;
      let text = command.text;
      for (const path of block.scratchPaths) text = text.split(path).join(`${scratch}${path}`);
      if (command.mode === "validate" && !/--validate-only\b/.test(text))
        text = `${withoutComment(text)} --validate-only`;
      const where = `${command.file}:${command.line}`;
      out.push(
        `printf '%s\\n' ${quote(`+ ${where}: ${text.split("\n").join(" ")}`)} >&2`,
        `{ ${text}\n} </dev/null`,
        `__s=$?; if [ $__s -ne 0 ]; then printf 'fail %s %s\\n' ${command.line} $__s >>"$__status"; exit $__s; fi`,
        `printf 'ok %s\\n' ${command.line} >>"$__status"`,
      );
    }
  }
  return `${out.join("\n")}\n`;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `docs/x.md` relative to the repository root, for messages. */
export function repoPath(path: string): string {
  return relative(ROOT, path);
}

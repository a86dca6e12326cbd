import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBins } from "../../src/bins.js";
import { type DocPage, docPages, ROOT } from "../helpers/docs.js";

/**
 * The operator pages against the programs they document (docs/development.md, "Documentation checks"): for each bin,
 * what its `--help` prints (the config keys walked from its zod schema, with their defaults; its commands and their
 * flags) must be on its page, and the page must have the sections an operator looks for. The bins run from
 * .tools/bin, as the docs tell operators to run them.
 */

interface OperatorPage {
  bin: string;
  /** The package whose version `--version` prints. */
  packageDir: string;
  /** The pages that document it; config keys and flags may be on any of them. */
  pages: string[];
  /** When a page documents several bins: the heading whose section holds this bin's configuration table. */
  configUnder?: string;
  /** Words that must start a word of some `##`/`###` heading of the pages. */
  sections: string[];
}

const DAEMON_SECTIONS = ["init", "run", "config", "port", "log"];

const OPERATOR_PAGES: OperatorPage[] = [
  { bin: "nym-validator", packageDir: "chain", pages: ["docs/validator.md"], sections: DAEMON_SECTIONS },
  { bin: "nym-directory", packageDir: "directory", pages: ["docs/directory.md"], sections: DAEMON_SECTIONS },
  {
    bin: "nym-ethereum-watcher",
    packageDir: "ethereum-watcher",
    pages: ["docs/ethereum-watcher.md"],
    sections: DAEMON_SECTIONS,
  },
  {
    bin: "nym-mixnode",
    packageDir: "mixnode",
    pages: ["docs/mixnet.md"],
    configUnder: "Configuration of nym-mixnode",
    sections: DAEMON_SECTIONS,
  },
  {
    bin: "nym-gateway",
    packageDir: "gateway",
    pages: ["docs/mixnet.md"],
    configUnder: "Configuration of nym-gateway",
    sections: DAEMON_SECTIONS,
  },
  { bin: "nym-issuer", packageDir: "issuer", pages: ["docs/issuer.md"], sections: DAEMON_SECTIONS },
  { bin: "nym-verifier", packageDir: "verifier", pages: ["docs/verifier.md"], sections: DAEMON_SECTIONS },
  {
    bin: "nym-service-provider",
    packageDir: "service-provider",
    pages: ["docs/service-provider.md"],
    sections: DAEMON_SECTIONS,
  },
  {
    bin: "nymclient",
    packageDir: "client",
    pages: ["docs/client.md", "docs/mixnet.md"],
    configUnder: "Configuration of nymclient",
    sections: ["init", "config", "log"],
  },
  { bin: "nym-localnet", packageDir: "localnet", pages: ["docs/localnet.md"], sections: ["command", "port", "log"] },
];

/** Bins with no operator page, and where they are documented instead. */
const NOT_OPERATED: Record<string, string> = {
  "nym-privacy": "a measurement tool for developers, documented in docs/privacy.md",
};

const execFileAsync = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), "nym-operator-pages-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** At most this many bins run at once (each is a Node.js process loading its daemon's modules). */
const CONCURRENCY = 4;
let running = 0;
const waiting: (() => void)[] = [];

/** Runs a bin from .tools/bin with a scratch HOME and no NYM_* variables; its stdout. */
async function bin(name: string, args: string[]): Promise<string> {
  if (running >= CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await runBin(name, args);
  } finally {
    running--;
    waiting.shift()?.();
  }
}

async function runBin(name: string, args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { HOME: home, PATH: `${join(ROOT, ".tools", "bin")}:${process.env.PATH ?? ""}` };
  for (const [key, value] of Object.entries(process.env))
    if (!(key in env) && !key.startsWith("NYM_")) env[key] = value;
  const { stdout } = await execFileAsync(join(ROOT, ".tools", "bin", name), args, { env, timeout: 90_000 });
  return stdout;
}

/** A config key as `--help` prints it: its default as shown, or required, or neither. */
interface HelpKey {
  path: string;
  default?: string;
  required: boolean;
}

interface Help {
  keys: HelpKey[];
  commands: string[];
  flags: string[];
}

/** The config keys (from the line after the configuration heading on), commands and command flags of a `--help`. */
function parseHelp(text: string): Help {
  const lines = text.split("\n");
  const keys: HelpKey[] = [];
  const commands: string[] = [];
  const flags = new Set<string>();
  let section = "";
  for (const line of lines) {
    if (/^\S/.test(line)) {
      section = /^(configuration|client\.json keys)/.test(line)
        ? "config"
        : /^commands:/.test(line)
          ? "commands"
          : /^command flags/.test(line)
            ? "flags"
            : "other";
      continue;
    }
    if (section === "config") {
      const key = /^ {2}--(\S+) <[^>]*>\s*(.*)$/.exec(line);
      if (!key) continue;
      const text = (key[2] as string).replace(/\s*\[env [A-Z0-9_]+\]$/, "");
      const dflt = /\(default: (.*)\)$/.exec(text);
      keys.push({
        path: key[1] as string,
        ...(dflt ? { default: dflt[1] as string } : {}),
        required: /\(required\)$/.test(text),
      });
    } else if (section === "commands") {
      const command = /^ {2}(\S+(?: [a-z]+)?)\s{2,}/.exec(line);
      if (command) commands.push(command[1] as string);
    } else if (section === "flags") {
      for (const flag of line.matchAll(/--([a-z][\w.-]*)/g)) flags.add(flag[1] as string);
    }
  }
  return { keys, commands, flags: [...flags] };
}

/** A default as the docs write it: backticks off, `~` for the home directory, numbers without thousands commas. */
function normalise(value: string): string {
  let text = value.replace(/`/g, "").trim();
  if (text.startsWith(home)) text = `~${text.slice(home.length)}`;
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, "");
  return text;
}

/** The table rows of a page, or of the section under `heading` (to the next heading of its level or above). */
function rowsOf(page: DocPage, heading?: string): DocPage["rows"] {
  if (heading === undefined) return page.rows;
  const start = page.headings.find((h) => h.text.replace(/`/g, "") === heading);
  if (start === undefined) return [];
  const end = page.headings.find((h) => h.line > start.line && h.level <= start.level);
  return page.rows.filter((row) => row.line > start.line && (end === undefined || row.line < end.line));
}

/** `key -> defaults documented for it` from rows whose first cell names config keys in backticks. */
function documentedKeys(rows: DocPage["rows"]): Map<string, { value: string; line: number }[]> {
  const found = new Map<string, { value: string; line: number }[]>();
  for (const row of rows) {
    const [first = "", second = ""] = row.cells;
    const names = [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    if (names.length === 0 || !names.every((name) => /^[a-zA-Z][\w]*(\.[a-zA-Z][\w]*)*$/.test(name))) continue;
    // `a`, `b` | 1, 2: one default each, in order (split on ", " or " / "); else the whole cell for each.
    const parts = second.split(/,\s+|\s+\/\s+/);
    names.forEach((name, i) => {
      const value = names.length > 1 && parts.length === names.length ? (parts[i] as string) : second;
      found.set(name, [...(found.get(name) ?? []), { value, line: row.line }]);
    });
  }
  return found;
}

const pages = new Map(docPages().map((page) => [page.file, page]));
const versions = new Map<string, Promise<[string, string]>>();
const helps = new Map<string, Promise<Help>>();
/** A bin's parsed `--help`, run once. */
function helpOf(name: string): Promise<Help> {
  let help = helps.get(name);
  if (help === undefined) {
    help = bin(name, ["--help"]).then(parseHelp);
    helps.set(name, help);
  }
  return help;
}

/** The rows holding a bin's config: on each page, the section under `configUnder` when the page has it, else all. */
function configRows(entry: OperatorPage, docs: DocPage[]): { page: DocPage; rows: DocPage["rows"] }[] {
  const has = (page: DocPage) => page.headings.some((h) => h.text.replace(/`/g, "") === entry.configUnder);
  if (entry.configUnder !== undefined && !docs.some(has)) {
    throw new Error(`no heading "${entry.configUnder}" on ${entry.pages.join(" or ")}`);
  }
  return docs.map((page) => ({ page, rows: has(page) ? rowsOf(page, entry.configUnder) : page.rows }));
}

describe("operator pages: every config key with its default, every command and flag, the sections", () => {
  // Every bin's --help, --version and -V start now, CONCURRENCY at a time; the tests wait for theirs.
  beforeAll(() => {
    for (const entry of OPERATOR_PAGES) {
      void helpOf(entry.bin).catch(() => {});
      const answers = Promise.all([bin(entry.bin, ["--version"]), bin(entry.bin, ["-V"])]);
      answers.catch(() => {});
      versions.set(entry.bin, answers);
    }
  });

  it("every bin of the workspace has an operator page in this list (or a line in NOT_OPERATED saying why not)", () => {
    const listed = new Set([...OPERATOR_PAGES.map((entry) => entry.bin), ...Object.keys(NOT_OPERATED)]);
    expect([...findBins(ROOT).keys()].filter((name) => !listed.has(name))).toEqual([]);
  });

  for (const entry of OPERATOR_PAGES) {
    const docs = entry.pages.map((file) => pages.get(file) as DocPage);

    it(`${entry.bin}: every config key of its --help is a table row of ${entry.pages.join(" or ")} with the default --help prints`, {
      timeout: 120_000,
    }, async () => {
      const { keys } = await helpOf(entry.bin);
      if (entry.bin !== "nym-localnet")
        expect(keys.length, `${entry.bin} --help lists no config key`).toBeGreaterThan(0);
      const documented = new Map<string, { value: string; line: number; file: string }[]>();
      for (const { page, rows } of configRows(entry, docs)) {
        for (const [key, values] of documentedKeys(rows)) {
          documented.set(key, [...(documented.get(key) ?? []), ...values.map((v) => ({ ...v, file: page.file }))]);
        }
      }
      const problems: string[] = [];
      for (const key of keys) {
        const rows = documented.get(key.path);
        if (rows === undefined) {
          problems.push(
            `\`${key.path}\` is not in a table (default ${key.default ?? (key.required ? "(required)" : "none")})`,
          );
          continue;
        }
        for (const row of rows) {
          const value = normalise(row.value);
          const expected = key.default !== undefined ? normalise(key.default) : key.required ? "(required)" : undefined;
          if (expected !== undefined ? value !== expected : value === "") {
            problems.push(
              `${row.file}:${row.line}: \`${key.path}\` default "${row.value}", --help says ${expected ?? "none"}`,
            );
          }
        }
      }
      expect(problems, `${entry.bin}: ${problems.join("; ")}`).toEqual([]);
    });

    it(`${entry.bin}: every command and command flag of its --help is named on ${entry.pages.join(" or ")}`, {
      timeout: 120_000,
    }, async () => {
      const { commands, flags } = await helpOf(entry.bin);
      const text = docs.map((page) => page.text).join("\n");
      const missing = [
        ...commands
          .filter(
            (c) => c !== "run" && c !== "help" && !text.includes(`${entry.bin} ${c}`) && !text.includes(`\`${c}\``),
          )
          .map((c) => `command ${c}`),
        ...flags.filter((f) => !text.includes(`--${f}`)).map((f) => `flag --${f}`),
      ];
      expect(missing, `${entry.bin}: not on its page: ${missing.join(", ")}`).toEqual([]);
    });

    it(`${entry.bin}: ${entry.pages[0]} has headings for ${entry.sections.join(", ")}`, () => {
      const headings = docs.flatMap((page) => page.headings.filter((h) => h.level === 2 || h.level === 3));
      const missing = entry.sections.filter(
        (word) => !headings.some((h) => new RegExp(`(^|[^a-z])${word}`, "i").test(h.text.replace(/`/g, ""))),
      );
      expect(missing, `${entry.bin}: no ##/### heading starting a word with ${missing.join(", ")}`).toEqual([]);
    });

    it(`${entry.bin} --version and -V print the version of packages/${entry.packageDir}`, {
      timeout: 120_000,
    }, async () => {
      const manifest = JSON.parse(readFileSync(join(ROOT, "packages", entry.packageDir, "package.json"), "utf8")) as {
        version: string;
      };
      const [long, short] = await (versions.get(entry.bin) as Promise<[string, string]>);
      expect(long).toBe(`${manifest.version}\n`);
      expect(short).toBe(`${manifest.version}\n`);
    });
  }
});

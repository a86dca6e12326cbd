import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DocBlock, type DocPage, docPages, pageScript, ROOT } from "../helpers/docs.js";

/**
 * Every shell command of README.md and docs/*.md runs as written, or its block carries a `docs-check` marker saying
 * why not (docs/development.md, "Documentation checks"; the rules are in ../helpers/docs.ts). Each page runs in its
 * own scratch directory (symlinks to the repository's top-level entries, so `packages/...`, `.tools/bin` and pnpm
 * work; everything written lands in the scratch directory), with a scratch HOME, `.tools/bin` first on PATH, no
 * NYM_* variables, stdin closed, and a time limit. The bins in .tools/bin run their package's build when there is
 * one (make test type-checks, which builds, before the tests), else its sources.
 */

const PAGE_LIMIT_MS = 150_000;
const CONCURRENCY = 2;

interface PageRun {
  scratch: string;
  status: Map<number, { ok: boolean; exit?: number }>;
  output: string;
  timedOut: boolean;
  ms: number;
}

let pages: DocPage[] = [];
let parseError: unknown;
try {
  pages = docPages();
} catch (error) {
  parseError = error;
}
const runnable = pages.filter((page) => page.blocks.some((b) => b.commands.some((c) => c.mode !== "skip")));
const runs = new Map<string, Promise<PageRun>>();
const scratchDirs: string[] = [];
let failed = false;

/** A directory that looks like the checkout to the commands, but keeps what they write. */
function scratchCheckout(page: DocPage): string {
  const scratch = mkdtempSync(join(tmpdir(), `nym-docs-${page.file.replace(/[/.]/g, "-")}-`));
  scratchDirs.push(scratch);
  for (const entry of readdirSync(ROOT)) {
    if (entry === "build" || entry === ".git") continue;
    symlinkSync(join(ROOT, entry), join(scratch, entry));
  }
  mkdirSync(join(scratch, "home"));
  for (const block of page.blocks) {
    if (block.writeTo !== undefined) writeFileSync(join(scratch, block.writeTo), `${block.body}\n`);
  }
  return scratch;
}

function environment(scratch: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(NYM_|npm_|PNPM_|INIT_CWD$|VITEST|NODE_OPTIONS$)/.test(key)) continue;
    env[key] = value;
  }
  env.HOME = join(scratch, "home");
  env.PATH = `${join(ROOT, ".tools", "bin")}:${process.env.PATH ?? ""}`;
  return env;
}

async function runPage(page: DocPage): Promise<PageRun> {
  const started = Date.now();
  const scratch = scratchCheckout(page);
  const statusFile = join(scratch, ".docs-status");
  const logFile = join(scratch, ".docs-output");
  writeFileSync(statusFile, "");
  writeFileSync(join(scratch, ".docs-script.sh"), pageScript(page, statusFile, scratch));
  const log = openSync(logFile, "w");
  const child = spawn("bash", [join(scratch, ".docs-script.sh")], {
    cwd: scratch,
    env: environment(scratch),
    detached: true,
    stdio: ["ignore", log, log],
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, PAGE_LIMIT_MS);
  await new Promise<void>((resolve) => child.once("exit", () => resolve()));
  clearTimeout(timer);
  killGroup(child.pid); // anything a command left running in the background
  const status = new Map<number, { ok: boolean; exit?: number }>();
  for (const line of readFileSync(statusFile, "utf8").split("\n")) {
    const [kind, at, exit] = line.split(" ");
    if (kind === "ok") status.set(Number(at), { ok: true });
    if (kind === "fail") status.set(Number(at), { ok: false, exit: Number(exit) });
  }
  return { scratch, status, output: readFileSync(logFile, "utf8"), timedOut, ms: Date.now() - started };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

let active = 0;
const queue: (() => void)[] = [];
function next(): void {
  if (active >= CONCURRENCY) return;
  const start = queue.shift();
  if (start === undefined) return;
  active++;
  start();
}

/**
 * A page's run, queued on first request (CONCURRENCY pages at a time), with the next page's queued behind it so the
 * pages overlap; a test filter (`-t`) thus runs only the pages it selects and their neighbours.
 */
function runOf(index: number): Promise<PageRun> {
  const page = runnable[index] as DocPage;
  let run = runs.get(page.file);
  if (run === undefined) {
    run = new Promise<PageRun>((resolve, reject) => {
      queue.push(() => {
        runPage(page)
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
    runs.set(page.file, run);
  }
  if (index + 1 < runnable.length && !runs.has((runnable[index + 1] as DocPage).file))
    void runOf(index + 1).catch(() => {});
  return run;
}

/** What one command printed: from its `+ file:line` line to the next one. */
function outputOf(run: PageRun, file: string, line: number): string {
  const start = run.output.indexOf(`+ ${file}:${line}: `);
  if (start < 0) return "";
  const end = run.output.indexOf("\n+ ", start + 1);
  const text = run.output.slice(start, end < 0 ? undefined : end);
  const lines = text.split("\n");
  return lines.length > 40 ? [...lines.slice(0, 2), "...", ...lines.slice(-38)].join("\n") : text;
}

function checkBlock(block: DocBlock, run: PageRun): void {
  for (const command of block.commands) {
    if (command.mode === "skip") continue;
    const where = `${command.file}:${command.line}`;
    const result = run.status.get(command.line);
    if (result?.ok) continue;
    const output = outputOf(run, command.file, command.line);
    if (result === undefined) {
      const why = run.timedOut
        ? `the page hit its ${PAGE_LIMIT_MS / 1000} s limit`
        : "an earlier command of the page failed";
      throw new Error(`${where}: \`${command.text}\` did not finish: ${why} (scratch ${run.scratch})\n${output}`);
    }
    throw new Error(`${where}: \`${command.text}\` exited ${result.exit} (scratch ${run.scratch})\n${output}`);
  }
}

describe("the shell blocks of README.md and docs/*.md", () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, ".tools", "bin", "nym-mixnode"))) {
      throw new Error(".tools/bin has no workspace bins: run `make install` (scripts/bootstrap.sh links them)");
    }
  });
  afterAll(async () => {
    const settled = await Promise.allSettled(runs.values());
    const times = [...runs.keys()].map((file, i) => {
      const result = settled[i];
      return `${file} ${result?.status === "fulfilled" ? `${(result.value.ms / 1000).toFixed(1)} s` : "failed"}`;
    });
    console.log(`docs pages run: ${times.join(", ")}`);
    // Kept when something failed, so the scratch directory named in the failure can be looked at.
    if (!failed) for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("every docs-check marker is well formed and applies to a block", () => {
    expect(parseError).toBeUndefined();
    expect(pages.length).toBeGreaterThan(5);
  });

  it("every test an exemption names exists", () => {
    const missing: string[] = [];
    for (const command of pages.flatMap((page) => page.blocks.flatMap((block) => block.commands))) {
      for (const [path] of (command.reason ?? "").matchAll(/packages\/[\w./-]+\.test\.ts/g)) {
        if (!existsSync(join(ROOT, path))) missing.push(`${command.file}:${command.line}: ${path}`);
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  runnable.forEach((page, index) => {
    for (const block of page.blocks.filter((b) => b.commands.some((c) => c.mode !== "skip"))) {
      const ran = block.commands.filter((c) => c.mode === "run").length;
      const validated = block.commands.filter((c) => c.mode === "validate").length;
      const exempt = block.commands.filter((c) => c.mode === "skip").length;
      const counts = [
        `${ran} run`,
        validated ? `${validated} with --validate-only` : "",
        exempt ? `${exempt} exempt` : "",
      ];
      it(`${block.file}:${block.line} (${counts.filter(Boolean).join(", ")})`, {
        timeout: 4 * PAGE_LIMIT_MS,
      }, async () => {
        const run = await runOf(index);
        try {
          checkBlock(block, run);
        } catch (error) {
          failed = true;
          throw error;
        }
      });
    }
  });
});

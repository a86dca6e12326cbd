#!/usr/bin/env node
// What a newcomer's `make install` prints on a fresh clone, checked: `pnpm install` from scratch must print no
// "Failed to create bin" warning, no "Ignored build scripts" box and no other WARN line than those allowed below.
//
// It installs the workspace's manifests alone (every package.json, pnpm-workspace.yaml, the lockfile and the
// packages' committed bin launchers; what a fresh clone has before anything is built) into a scratch directory,
// offline from pnpm's store, as `make install` runs it: about 10 s. It also checks that every package.json "bin"
// names a launcher bin/<command>.js equal to scripts/bin-launcher.js, since pointing a bin at dist/ brings the
// warnings back (pnpm links bins before anything is built: https://github.com/pnpm/pnpm/issues/1801).
//
// Usage: node scripts/check-install.mjs [--keep]   (run by `make test`; --keep leaves the scratch directory)
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** WARN lines a fresh install may print, each with the reason it is harmless. None today. */
const ALLOWED_WARNINGS = [
  // { pattern: /…/, why: "…" },
];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const keep = process.argv.includes("--keep");
const problems = [];

// 1. Every bin is the committed launcher.
const launcher = readFileSync(join(root, "scripts", "bin-launcher.js"), "utf8");
const packages = readdirSync(join(root, "packages")).filter((d) =>
  existsSync(join(root, "packages", d, "package.json")),
);
for (const dir of packages) {
  const manifest = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));
  for (const [cmd, target] of Object.entries(manifest.bin ?? {})) {
    const path = join(root, "packages", dir, target);
    if (target !== `./bin/${cmd}.js`) problems.push(`packages/${dir}: bin ${cmd} is ${target}, not ./bin/${cmd}.js`);
    else if (!existsSync(path)) problems.push(`packages/${dir}/bin/${cmd}.js is missing (cp scripts/bin-launcher.js)`);
    else {
      if (readFileSync(path, "utf8") !== launcher) {
        problems.push(`packages/${dir}/bin/${cmd}.js differs from scripts/bin-launcher.js`);
      }
      if ((statSync(path).mode & 0o111) === 0) problems.push(`packages/${dir}/bin/${cmd}.js is not executable`);
    }
    if (!(manifest.files ?? ["bin"]).includes("bin")) problems.push(`packages/${dir}: "files" lacks "bin"`);
  }
}

// 2. A scratch install of the manifests.
const scratch = mkdtempSync(join(tmpdir(), "nym-check-install-"));
let output = "";
try {
  for (const file of ["package.json", "pnpm-workspace.yaml", "pnpm-lock.yaml", ".npmrc"]) {
    if (existsSync(join(root, file))) copyFileSync(join(root, file), join(scratch, file));
  }
  for (const dir of packages) {
    mkdirSync(join(scratch, "packages", dir), { recursive: true });
    copyFileSync(join(root, "packages", dir, "package.json"), join(scratch, "packages", dir, "package.json"));
    const bin = join(root, "packages", dir, "bin");
    if (existsSync(bin)) cpSync(bin, join(scratch, "packages", dir, "bin"), { recursive: true });
  }
  const started = Date.now();
  const run = spawnSync("pnpm", ["install", "--frozen-lockfile", "--offline", "--reporter=append-only"], {
    cwd: scratch,
    encoding: "utf8",
    env: { ...process.env, CI: "1", FORCE_COLOR: "0" },
  });
  output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) {
    problems.push(`pnpm install failed (${run.error?.message ?? `status ${run.status}`}); its output:\n${output}`);
  } else {
    console.log(
      `[check-install] fresh pnpm install of the manifests in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
} finally {
  if (keep) console.log(`[check-install] kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

for (const line of output.split("\n")) {
  if (/Failed to create bin/.test(line)) problems.push(`install: ${line.trim()}`);
  else if (/Ignored build scripts/.test(line)) {
    problems.push(`install: ${line.replace(/[│╭╮╰╯─]/g, "").trim()} (decide each in pnpm-workspace.yaml)`);
  } else if (/\bWARN\b/.test(line) && !ALLOWED_WARNINGS.some((a) => a.pattern.test(line))) {
    problems.push(`install: ${line.trim()}`);
  }
}

if (problems.length > 0) {
  console.error(`[check-install] ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
console.log("[check-install] no unexpected warning; every bin is the committed launcher");

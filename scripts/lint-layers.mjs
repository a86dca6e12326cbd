#!/usr/bin/env node
/**
 * `pnpm lint:layers`: fails when a package breaks the layer rule (scripts/layers.mjs, docs/development.md "Layers").
 * Three checks: every workspace package declares `nym.layer`; no production dependency in a package.json breaks a
 * rule; no import in a production `src/` breaks one (dependency-cruiser, with the rules of `.dependency-cruiser.mjs`).
 * Each violation is printed as `<rule>: <where>: <why>`; the exit status is 1 when there is any.
 *
 * Usage: node scripts/lint-layers.mjs [--root <repository root>]   (default: this script's repository)
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise } from "dependency-cruiser";
import { dependencyCruiserConfig, manifestViolations, readWorkspace } from "./layers.mjs";

function parseRoot(argv) {
  const index = argv.indexOf("--root");
  if (index === -1) return resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const value = argv[index + 1];
  if (value === undefined) throw new Error("--root needs a directory");
  return resolve(value);
}

async function importViolations(root, workspace) {
  const config = dependencyCruiserConfig(root, workspace);
  const sources = workspace.packages.map((p) => `packages/${p.dir}/src`).filter((dir) => existsSync(join(root, dir)));
  if (sources.length === 0) return [];
  const previous = process.cwd();
  // dependency-cruiser resolves the files to cruise against the working directory.
  process.chdir(root);
  try {
    const { output } = await cruise(sources, {
      ...config.options,
      validate: true,
      ruleSet: { forbidden: config.forbidden },
    });
    if (typeof output === "string") throw new Error("dependency-cruiser returned a report, not a result");
    const byName = new Map(config.forbidden.map((rule) => [rule.name, rule]));
    return output.summary.violations.map((violation) => {
      const rule = byName.get(violation.rule.name);
      return `${violation.rule.name}: ${violation.from} imports ${violation.to}: ${rule?.comment ?? ""}`;
    });
  } finally {
    process.chdir(previous);
  }
}

const root = parseRoot(process.argv.slice(2));
const workspace = readWorkspace(root);
const problems = [...workspace.errors, ...manifestViolations(workspace), ...(await importViolations(root, workspace))];
if (problems.length > 0) {
  for (const problem of problems) console.error(`layers: ${problem}`);
  console.error(`layers: ${problems.length} violation(s) of the layer rule (docs/development.md, "Layers")`);
  process.exit(1);
}
console.log(`layers: ${workspace.packages.length} packages, no violation of the layer rule`);

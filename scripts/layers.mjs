/**
 * The layer rule, as data. Every workspace package declares its layer in its package.json
 * (`"nym": { "layer": "pure" | "runtime" | "client" | "daemon" | "cli" | "testkit" }`); the rules below say which
 * layers a package's production code (`src/` and the package.json `dependencies`) may use. The same rules feed
 * dependency-cruiser (imports, `.dependency-cruiser.mjs`) and the manifest check (declared dependencies), so a new
 * package needs one line and a new rule is written once. See docs/development.md, "Layers".
 *
 * Plain ESM JavaScript so that dependency-cruiser can load it from its config file without a TypeScript loader.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The layers, lowest first: dependencies point from right to left. */
export const LAYERS = ["pure", "runtime", "client", "daemon", "cli", "testkit"];

/** Keys allowed in a package.json's `nym` field. */
const NYM_KEYS = new Set(["layer", "usesTestkit"]);

/** Manifest fields whose entries are installed with the package, i.e. production dependencies. */
const PRODUCTION_DEPENDENCY_FIELDS = ["dependencies", "optionalDependencies", "peerDependencies"];

/**
 * @typedef {{ dir: string, name: string, layer: string, usesTestkit: boolean,
 *   productionDependencies: string[] }} WorkspacePackage
 * @typedef {{ packages: WorkspacePackage[], errors: string[] }} Workspace
 * @typedef {{ name: string, comment: string, from: (p: WorkspacePackage) => boolean,
 *   to: (p: WorkspacePackage) => boolean, sameDirAllowed?: boolean }} LayerRule
 */

const LIBRARIES = new Set(["pure", "runtime", "client"]);

/**
 * The rules. A dependency from package A to package B (A != B) breaks a rule when `from(A)` and `to(B)` hold.
 * @type {LayerRule[]}
 */
export const RULES = [
  {
    name: "testkit-only-in-tests",
    comment:
      "@nym-ts/testkit (test and localnet harnesses) is used by tests and benches, never by production src/ or a production dependency (only a cli package with nym.usesTestkit may)",
    from: (p) => p.layer !== "testkit" && !p.usesTestkit,
    to: (p) => p.layer === "testkit",
  },
  {
    name: "daemon-to-daemon",
    comment: "a daemon never uses another daemon package: share code through a client library or common",
    from: (p) => p.layer === "daemon",
    to: (p) => p.layer === "daemon",
  },
  {
    name: "library-to-daemon-or-cli",
    comment: "a library (pure, runtime or client) never uses a daemon or a CLI package",
    from: (p) => LIBRARIES.has(p.layer),
    to: (p) => p.layer === "daemon" || p.layer === "cli",
  },
  {
    name: "pure-to-non-pure",
    comment: "a pure library (no I/O, no logging) uses only other pure libraries",
    from: (p) => p.layer === "pure",
    to: (p) => p.layer !== "pure",
  },
  {
    name: "runtime-to-client",
    comment: "the runtime (common) sits below the client libraries and never uses one",
    from: (p) => p.layer === "runtime",
    to: (p) => p.layer === "client",
  },
  {
    name: "cli-to-daemon",
    comment: "a daemon package is never a production dependency: a CLI uses client libraries (tests may use a daemon)",
    from: (p) => p.layer === "cli",
    to: (p) => p.layer === "daemon",
  },
];

/**
 * Reads `packages/*\/package.json` under `root` (the pnpm workspace's only glob) and validates each `nym` field.
 * @param {string} root the repository root
 * @returns {Workspace}
 */
export function readWorkspace(root) {
  const packagesDir = join(root, "packages");
  /** @type {WorkspacePackage[]} */
  const packages = [];
  /** @type {string[]} */
  const errors = [];
  const dirs = readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, "package.json")))
    .map((entry) => entry.name)
    .sort();
  for (const dir of dirs) {
    const where = `packages/${dir}/package.json`;
    /** @type {any} */
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(packagesDir, dir, "package.json"), "utf8"));
    } catch (error) {
      errors.push(`${where}: cannot be read as JSON (${/** @type {Error} */ (error).message})`);
      continue;
    }
    const nym = manifest.nym;
    const layer = nym?.layer;
    if (layer === undefined) {
      errors.push(
        `missing-layer: ${where} has no layer: add "nym": { "layer": "<${LAYERS.join("|")}>" } (see docs/development.md, "Layers")`,
      );
      continue;
    }
    if (typeof nym !== "object" || nym === null || !LAYERS.includes(layer)) {
      errors.push(
        `invalid-layer: ${where}: nym.layer is ${JSON.stringify(layer)}; expected one of ${LAYERS.join(", ")}`,
      );
      continue;
    }
    const unknown = Object.keys(nym).filter((key) => !NYM_KEYS.has(key));
    if (unknown.length > 0) {
      errors.push(`invalid-layer: ${where}: unknown key(s) in "nym": ${unknown.join(", ")}`);
      continue;
    }
    if (nym.usesTestkit !== undefined && (nym.usesTestkit !== true || layer !== "cli")) {
      errors.push(`invalid-layer: ${where}: nym.usesTestkit may only be true, and only on a cli package`);
      continue;
    }
    const productionDependencies = PRODUCTION_DEPENDENCY_FIELDS.flatMap((field) => Object.keys(manifest[field] ?? {}));
    packages.push({
      dir,
      name: String(manifest.name),
      layer,
      usesTestkit: nym.usesTestkit === true,
      productionDependencies,
    });
  }
  return { packages, errors };
}

/**
 * Production dependencies declared in package.json that break a rule (devDependencies are free).
 * @param {Workspace} workspace
 * @returns {string[]} one line per violation, starting with the rule's name
 */
export function manifestViolations(workspace) {
  const byName = new Map(workspace.packages.map((p) => [p.name, p]));
  /** @type {string[]} */
  const violations = [];
  for (const from of workspace.packages) {
    for (const dependency of from.productionDependencies) {
      const to = byName.get(dependency);
      if (to === undefined || to === from) continue;
      for (const rule of RULES) {
        if (rule.from(from) && rule.to(to)) {
          violations.push(
            `${rule.name}: packages/${from.dir}/package.json (${from.layer}) has a production dependency on ${to.name} (${to.layer}): ${rule.comment}; make it a devDependency or move the code`,
          );
        }
      }
    }
  }
  return violations;
}

/** @param {string} text */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** @param {WorkspacePackage[]} packages */
function dirsPattern(packages) {
  return `(${packages.map((p) => escapeRegExp(p.dir)).join("|")})`;
}

/**
 * dependency-cruiser's `forbidden` rules for imports in production `src/`, one per layer rule, over the
 * workspace's current packages (paths are relative to the repository root; workspace imports resolve through the
 * `@nym-ts/source` export condition to `packages/<dir>/src/…`, relative imports across packages to the same paths).
 * @param {Workspace} workspace
 */
export function forbiddenRules(workspace) {
  /** @type {object[]} */
  const forbidden = [];
  for (const rule of RULES) {
    const from = workspace.packages.filter(rule.from);
    const to = workspace.packages.filter(rule.to);
    if (from.length === 0 || to.length === 0) continue;
    forbidden.push({
      name: rule.name,
      comment: rule.comment,
      severity: "error",
      from: { path: `^packages/${dirsPattern(from)}/src/` },
      // $1 is the importing package: imports inside one package are never a layer question.
      to: { path: `^packages/${dirsPattern(to)}/`, pathNot: "^packages/$1/" },
    });
  }
  forbidden.push({
    name: "unresolved-workspace-import",
    comment:
      "an @nym-ts/ import that resolves to no workspace package (a typo, a missing package.json dependency, or no `pnpm install` since it was added)",
    severity: "error",
    from: { path: "^packages/[^/]+/src/" },
    to: { couldNotResolve: true, path: "^@nym-ts/" },
  });
  return forbidden;
}

/**
 * The whole dependency-cruiser configuration for `root`: rules plus the options our workspace needs.
 * @param {string} root
 * @param {Workspace} [workspace]
 */
export function dependencyCruiserConfig(root, workspace = readWorkspace(root)) {
  return {
    forbidden: forbiddenRules(workspace),
    options: {
      baseDir: root,
      // The rules only look at imports from `src/`: tests and benches may use testkit and daemons.
      exclude: { path: "(^|/)(node_modules|dist)/" },
      doNotFollow: { path: "node_modules" },
      // Type-only imports count: they are a dependency on the package all the same.
      tsPreCompilationDeps: true,
      moduleSystems: ["es6", "cjs"],
      enhancedResolveOptions: {
        exportsFields: ["exports"],
        conditionNames: ["@nym-ts/source", "import", "node", "default", "types"],
        mainFields: ["module", "main", "types"],
      },
    },
  };
}

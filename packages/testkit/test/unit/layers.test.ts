/**
 * The layer lint (`pnpm lint:layers`, scripts/lint-layers.mjs): the real tree passes, and each kind of violation,
 * planted in a fixture workspace or in a temporary copy of the real packages, makes it exit non-zero naming the rule.
 * The lint runs as a child process, as `make test` runs it.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const lintScript = join(repoRoot, "scripts/lint-layers.mjs");

interface LintRun {
  status: number | null;
  output: string;
}

function lint(root: string): LintRun {
  const run = spawnSync(process.execPath, [lintScript, "--root", root], { encoding: "utf8", timeout: 60_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

interface FixturePackage {
  layer?: string;
  usesTestkit?: boolean;
  dependencies?: string[];
  devDependencies?: string[];
  /** path inside the package -> file text */
  files?: Record<string, string>;
}

const scope = "@nym-ts/fx-";
const INDEX = "export type Thing = string;\nexport const value = 1;\n";

/** Writes a pnpm-like workspace: packages/<dir> plus node_modules/@nym-ts/fx-<dir> links, as pnpm lays them out. */
function writeWorkspace(packages: Record<string, FixturePackage>): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "nym-layers-")));
  mkdirSync(join(root, "node_modules/@nym-ts"), { recursive: true });
  for (const [dir, spec] of Object.entries(packages)) {
    const packageDir = join(root, "packages", dir);
    mkdirSync(join(packageDir, "src"), { recursive: true });
    const manifest: Record<string, unknown> = {
      name: `${scope}${dir}`,
      type: "module",
      exports: { ".": { "@nym-ts/source": "./src/index.ts", default: "./dist/index.js" } },
    };
    if (spec.layer !== undefined) {
      manifest.nym = spec.usesTestkit ? { layer: spec.layer, usesTestkit: true } : { layer: spec.layer };
    }
    const versions = (names: string[] = []) => Object.fromEntries(names.map((n) => [`${scope}${n}`, "workspace:*"]));
    manifest.dependencies = versions(spec.dependencies);
    manifest.devDependencies = versions(spec.devDependencies);
    writeFileSync(join(packageDir, "package.json"), JSON.stringify(manifest, null, 2));
    const files = { "src/index.ts": INDEX, ...spec.files };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(packageDir, path)), { recursive: true });
      writeFileSync(join(packageDir, path), text);
    }
    symlinkSync(`../../packages/${dir}`, join(root, "node_modules/@nym-ts", `fx-${dir}`));
  }
  return root;
}

const use = (dir: string) => `import { value } from "${scope}${dir}";\nexport const used = value;\n`;

/** A workspace that follows every rule, including what tests, benches, devDependencies and usesTestkit may do. */
function cleanWorkspace(): Record<string, FixturePackage> {
  return {
    "pure-a": { layer: "pure", dependencies: ["pure-b"], files: { "src/uses.ts": use("pure-b") } },
    "pure-b": { layer: "pure" },
    runtime: { layer: "runtime", dependencies: ["pure-a"], files: { "src/uses.ts": use("pure-a") } },
    "client-a": {
      layer: "client",
      dependencies: ["runtime", "pure-a"],
      files: { "src/uses.ts": `${use("runtime")}export { value as pure } from "${scope}pure-a";\n` },
    },
    "daemon-a": {
      layer: "daemon",
      dependencies: ["client-a", "runtime"],
      devDependencies: ["daemon-b", "kit"],
      files: {
        "src/uses.ts": use("client-a"),
        "test/unit/a.test.ts": `${use("kit")}export { value as other } from "${scope}daemon-b";\n`,
        "bench/a.bench.ts": use("kit"),
      },
    },
    "daemon-b": { layer: "daemon", dependencies: ["runtime"], files: { "src/uses.ts": use("runtime") } },
    "cli-a": { layer: "cli", dependencies: ["client-a"], files: { "src/uses.ts": use("client-a") } },
    "cli-lab": { layer: "cli", usesTestkit: true, dependencies: ["kit"], files: { "src/uses.ts": use("kit") } },
    kit: {
      layer: "testkit",
      dependencies: ["daemon-a", "client-a"],
      files: { "src/uses.ts": `${use("daemon-a")}export { value as client } from "${scope}client-a";\n` },
    },
  };
}

/** The clean workspace with one planted violation per rule, each in its own file or manifest entry. */
function violatingWorkspace(): Record<string, FixturePackage> {
  const w = cleanWorkspace();
  const plant = (dir: string, path: string, text: string) => {
    w[dir] = { ...w[dir], files: { ...w[dir]!.files, [path]: text } };
  };
  plant("pure-a", "src/planted.ts", use("runtime"));
  plant("runtime", "src/planted.ts", use("client-a"));
  plant("client-a", "src/planted-daemon.ts", use("daemon-a"));
  plant("client-a", "src/planted-cli.ts", use("cli-a"));
  plant("daemon-a", "src/planted-type.ts", `import type { Thing } from "${scope}daemon-b";\nexport type T = Thing;\n`);
  plant("daemon-b", "src/planted-relative.ts", `export { value } from "../../daemon-a/src/index.js";\n`);
  plant("daemon-b", "src/planted-kit.ts", use("kit"));
  plant("cli-a", "src/planted-dynamic.ts", `export const load = () => import("${scope}daemon-b");\n`);
  plant("cli-a", "src/planted-typo.ts", `export { value } from "${scope}no-such-package";\n`);
  w["cli-a"] = { ...w["cli-a"], dependencies: [...(w["cli-a"]!.dependencies ?? []), "kit"] };
  w.runtime = { ...w.runtime, dependencies: [...(w.runtime!.dependencies ?? []), "daemon-b"] };
  w.newcomer = {};
  w["bad-flag"] = { layer: "daemon", usesTestkit: true };
  return w;
}

describe("layer lint on fixture workspaces", () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it("passes a workspace that follows the rules (tests, benches and devDependencies may use testkit and daemons)", () => {
    const root = writeWorkspace(cleanWorkspace());
    roots.push(root);
    const run = lint(root);
    expect(run.output).toContain("layers: 9 packages, no violation of the layer rule");
    expect(run.status).toBe(0);
  });

  describe("with one planted violation per rule", () => {
    let run: LintRun;
    beforeAll(() => {
      const root = writeWorkspace(violatingWorkspace());
      roots.push(root);
      run = lint(root);
    });
    const line = (text: string) => expect(run.output.split("\n")).toContainEqual(expect.stringContaining(text));

    it("exits non-zero and counts the violations", () => {
      expect(run.status).toBe(1);
      expect(run.output).toMatch(/layers: 1[0-9] violation\(s\) of the layer rule/);
    });
    it("pure-to-non-pure: a pure library importing the runtime", () => {
      line("pure-to-non-pure: packages/pure-a/src/planted.ts imports packages/runtime/src/index.ts");
    });
    it("runtime-to-client: the runtime importing a client library", () => {
      line("runtime-to-client: packages/runtime/src/planted.ts imports packages/client-a/src/index.ts");
    });
    it("library-to-daemon-or-cli: a client library importing a daemon, and a CLI", () => {
      line("library-to-daemon-or-cli: packages/client-a/src/planted-daemon.ts imports packages/daemon-a/src/index.ts");
      line("library-to-daemon-or-cli: packages/client-a/src/planted-cli.ts imports packages/cli-a/src/index.ts");
    });
    it("daemon-to-daemon: a type-only import and a relative import into another daemon", () => {
      line("daemon-to-daemon: packages/daemon-a/src/planted-type.ts imports packages/daemon-b/src/index.ts");
      line("daemon-to-daemon: packages/daemon-b/src/planted-relative.ts imports packages/daemon-a/src/index.ts");
    });
    it("testkit-only-in-tests: production src importing testkit", () => {
      line("testkit-only-in-tests: packages/daemon-b/src/planted-kit.ts imports packages/kit/src/index.ts");
    });
    it("cli-to-daemon: a dynamic import of a daemon from a CLI", () => {
      line("cli-to-daemon: packages/cli-a/src/planted-dynamic.ts imports packages/daemon-b/src/index.ts");
    });
    it("unresolved-workspace-import: an @nym-ts import that is no workspace package", () => {
      line("unresolved-workspace-import: packages/cli-a/src/planted-typo.ts imports @nym-ts/fx-no-such-package");
    });
    it("package.json: production dependencies on testkit and on a daemon, with no import", () => {
      line(
        "testkit-only-in-tests: packages/cli-a/package.json (cli) has a production dependency on @nym-ts/fx-kit (testkit)",
      );
      line(
        "library-to-daemon-or-cli: packages/runtime/package.json (runtime) has a production dependency on @nym-ts/fx-daemon-b (daemon)",
      );
    });
    it("missing-layer: a package without nym.layer is told to add one", () => {
      line('missing-layer: packages/newcomer/package.json has no layer: add "nym": { "layer": ');
    });
    it("invalid-layer: usesTestkit on a daemon", () => {
      line(
        "invalid-layer: packages/bad-flag/package.json: nym.usesTestkit may only be true, and only on a cli package",
      );
    });
    it("reports nothing about what the clean workspace does", () => {
      expect(run.output).not.toContain("cli-lab");
      expect(run.output).not.toContain("/test/");
      expect(run.output).not.toContain("/bench/");
      expect(run.output).not.toContain("packages/kit/src/uses.ts");
    });
  });
});

describe("layer lint on the real tree", () => {
  it("passes the repository as it is", () => {
    const run = lint(repoRoot);
    expect(run.output).toMatch(/layers: \d+ packages, no violation of the layer rule/);
    expect(run.status).toBe(0);
  });

  describe("a temporary copy with violations planted in real packages", () => {
    let copy: string;
    let run: LintRun;
    beforeAll(() => {
      copy = realpathSync(mkdtempSync(join(tmpdir(), "nym-layers-copy-")));
      mkdirSync(join(copy, "node_modules/@nym-ts"), { recursive: true });
      for (const dir of readdirSync(join(repoRoot, "packages"))) {
        const from = join(repoRoot, "packages", dir);
        if (!existsSync(join(from, "package.json"))) continue; // not a package (yet)
        cpSync(join(from, "package.json"), join(copy, "packages", dir, "package.json"));
        if (existsSync(join(from, "src")))
          cpSync(join(from, "src"), join(copy, "packages", dir, "src"), { recursive: true });
        const { name } = JSON.parse(readFileSync(join(from, "package.json"), "utf8")) as { name: string };
        mkdirSync(dirname(join(copy, "node_modules", name)), { recursive: true });
        symlinkSync(join(copy, "packages", dir), join(copy, "node_modules", name));
      }
      writeFileSync(
        join(copy, "packages/gateway/src/planted.ts"),
        'export { createMixnode } from "@nym-ts/mixnode";\n',
      );
      writeFileSync(join(copy, "packages/sphinx/src/planted.ts"), 'export { NymError } from "@nym-ts/common";\n');
      writeFileSync(join(copy, "packages/chain/src/planted.ts"), 'export * from "@nym-ts/testkit";\n');
      run = lint(copy);
    });
    afterAll(() => {
      rmSync(copy, { recursive: true, force: true });
    });

    it("fails naming daemon-to-daemon, pure-to-non-pure and testkit-only-in-tests", () => {
      expect(run.status).toBe(1);
      expect(run.output).toContain(
        "daemon-to-daemon: packages/gateway/src/planted.ts imports packages/mixnode/src/index.ts",
      );
      expect(run.output).toContain(
        "pure-to-non-pure: packages/sphinx/src/planted.ts imports packages/common/src/index.ts",
      );
      expect(run.output).toContain(
        "testkit-only-in-tests: packages/chain/src/planted.ts imports packages/testkit/src/index.ts",
      );
      expect(run.output).toMatch(/layers: 3 violation\(s\)/);
    });
  });
});

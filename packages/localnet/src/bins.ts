import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** This module's directory: src/ when run from source (tsx), dist/ when built. */
const here = dirname(fileURLToPath(import.meta.url));

/** True when nym-localnet itself runs from its TypeScript sources: the daemons then run from theirs too. */
export const RUNNING_FROM_SOURCE = import.meta.url.endsWith(".ts");

/** The repository root this package sits in (packages/localnet/{src,dist} -> ../../..), if it is one. */
export function repositoryRoot(): string | undefined {
  const root = resolve(here, "..", "..", "..");
  return existsSync(join(root, "pnpm-workspace.yaml")) && existsSync(join(root, "packages")) ? root : undefined;
}

/** One bin of a workspace package (`nym-issuer` of packages/issuer). */
export interface BinLocation {
  name: string;
  packageDir: string;
  /** `src/bin.ts`, when the sources are there. */
  source: string | undefined;
  /** `dist/bin.js`, when the package is built. */
  built: string | undefined;
  /** Where the build puts the bin (`dist/bin.js`), built or not. */
  builtPath: string;
}

/**
 * Every bin of the workspace's packages, by name, read from their package.json files: the localnet runs what is in
 * the tree and skips a daemon whose package is missing.
 */
export function findBins(root: string | undefined = repositoryRoot()): Map<string, BinLocation> {
  const bins = new Map<string, BinLocation>();
  if (root === undefined) return bins;
  const packages = join(root, "packages");
  for (const entry of readdirSync(packages, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const packageDir = join(packages, entry.name);
    const manifestPath = join(packageDir, "package.json");
    if (!existsSync(manifestPath)) continue;
    let manifest: { bin?: Record<string, string> };
    try {
      manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as typeof manifest;
    } catch {
      continue;
    }
    for (const name of Object.keys(manifest.bin ?? {})) {
      // package.json's bin is a committed launcher (bin/<name>.js, scripts/bin-launcher.js) that runs one of these:
      // the build, or the sources through tsx; the localnet runs them itself, with its own Node.js flags.
      const built = join(packageDir, "dist", "bin.js");
      const source = join(packageDir, "src", "bin.ts");
      bins.set(name, {
        name,
        packageDir,
        source: existsSync(source) ? source : undefined,
        built: existsSync(built) ? built : undefined,
        builtPath: built,
      });
    }
  }
  return bins;
}

/** The tsx loader, resolved from here, so a daemon run from source finds it whatever its working directory. */
function tsxLoader(): string {
  return import.meta.resolve("tsx");
}

/**
 * The command that runs a workspace bin: from its sources through tsx when nym-localnet runs from source or the
 * package is not built, else its dist/bin.js. Undefined when the package has neither.
 */
export function binCommand(
  bin: BinLocation | undefined,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): { command: string; args: string[] } | undefined {
  if (bin === undefined) return undefined;
  const useSource = bin.source !== undefined && (RUNNING_FROM_SOURCE || bin.built === undefined);
  if (useSource) {
    return {
      command: process.execPath,
      args: [...nodeFlags, "--conditions=@nym-ts/source", "--import", tsxLoader(), bin.source as string, ...args],
    };
  }
  if (bin.built === undefined) return undefined;
  return { command: process.execPath, args: [...nodeFlags, bin.built, ...args] };
}

/**
 * A POSIX shell wrapper that runs `bin` from anywhere (written into `<build>/bin` for the user's PATH): the package's
 * build when there is one when it runs, else its sources through tsx.
 */
export function wrapperScript(bin: BinLocation): string | undefined {
  if (bin.source === undefined && bin.built === undefined) return undefined;
  const q = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  const built = bin.builtPath;
  const lines = [`#!/bin/sh`, `# ${bin.name} from ${bin.packageDir} (written by nym-localnet build)`];
  if (bin.source !== undefined) {
    lines.push(
      `[ -f ${q(built)} ] || exec ${q(process.execPath)} --conditions=@nym-ts/source --import ${q(tsxLoader())} ${q(bin.source)} "$@"`,
    );
  }
  lines.push(`exec ${q(process.execPath)} ${q(built)} "$@"`);
  return `${lines.join("\n")}\n`;
}

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const versions = new Map<string, string>();

/**
 * The `version` of the package a module belongs to: the nearest `package.json` above the module's file, read once.
 * Pass `import.meta.url`; it works from `src/` (tsx, vitest) and from `dist/` (the built package and its image),
 * since both sit under the package root.
 */
export function packageVersion(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const file = join(dir, "package.json");
    const known = versions.get(file);
    if (known !== undefined) return known;
    if (existsSync(file)) {
      const { version } = JSON.parse(readFileSync(file, "utf8")) as { version?: unknown };
      if (typeof version !== "string") throw new Error(`${file} has no version`);
      versions.set(file, version);
      return version;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${moduleUrl}`);
    dir = parent;
  }
}

/**
 * The version a daemon reports (health, registration, ABCI info): its package version plus the commit an image was
 * built from (`NYM_BUILD_COMMIT`), e.g. `0.1.0+3f2c1ab`. The default is @nym-ts/common's own package version.
 */
export function daemonVersion(version = packageVersion(import.meta.url)): string {
  const commit = process.env.NYM_BUILD_COMMIT;
  return commit ? `${version}+${commit}` : version;
}

#!/usr/bin/env node
// This package's command (package.json "bin"). It runs the build, dist/bin.js; in a checkout without a build, the
// TypeScript sources (src/bin.ts) through tsx, in this process. It is committed, and "bin" names it rather than
// dist/bin.js, so that `pnpm install` on a fresh clone links every command without a "Failed to create bin" warning.
// Every package's copy is the same file (scripts/check-install.mjs checks it; scripts/bin-launcher.js is the master).
import { existsSync } from "node:fs";
import { register } from "node:module";

const built = new URL("../dist/bin.js", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  // As `node --conditions=@nym-ts/source --import tsx src/bin.ts`: workspace packages resolve to their sources.
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
  register(
    "data:text/javascript,export const resolve = (s, c, next) => next(s, { ...c, conditions: [...c.conditions, '@nym-ts/source'] });",
  );
  await import(new URL("../src/bin.ts", import.meta.url).href);
}

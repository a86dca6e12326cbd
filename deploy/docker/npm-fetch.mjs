// Fetches one npm package tarball from the registry, checks it against its published integrity (the sha512 in the
// registry's `dist.integrity`, pinned in the Dockerfile) and unpacks it into a directory: how the images get pnpm
// (without corepack, whose signature check fails behind some registries and proxies) and anvil.
//
//   node npm-fetch.mjs <name> <version> <sha512-integrity> <dest-dir>
//
// The registry is $NPM_REGISTRY (default https://registry.npmjs.org). Unpacking uses the image's `tar`.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [name, version, integrity, dest] = process.argv.slice(2);
if (!name || !version || !integrity?.startsWith("sha512-") || !dest) {
  console.error("usage: node npm-fetch.mjs <name> <version> <sha512-integrity> <dest-dir>");
  process.exit(2);
}
const registry = (process.env.NPM_REGISTRY || "https://registry.npmjs.org").replace(/\/+$/, "");
const url = `${registry}/${name}/-/${name.split("/").pop()}-${version}.tgz`;

let body;
for (let attempt = 1; ; attempt++) {
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = Buffer.from(await response.arrayBuffer());
    break;
  } catch (error) {
    if (attempt >= 4) {
      console.error(`npm-fetch: ${url}: ${error.cause?.message ?? error.message}`);
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000 * attempt));
  }
}
const actual = `sha512-${createHash("sha512").update(body).digest("base64")}`;
if (actual !== integrity) {
  console.error(`npm-fetch: ${name}@${version}: integrity ${actual}, expected ${integrity}`);
  process.exit(1);
}
const tmp = mkdtempSync(join(tmpdir(), "npm-fetch-"));
try {
  writeFileSync(join(tmp, "package.tgz"), body);
  mkdirSync(dest, { recursive: true });
  execFileSync("tar", ["-xzf", join(tmp, "package.tgz"), "-C", dest, "--strip-components=1", "--no-same-owner"]);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`npm-fetch: ${name}@${version} in ${dest}`);

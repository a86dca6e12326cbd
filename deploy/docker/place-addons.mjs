// Puts the Rust N-API addons built in the image's `addons` stage where their packages load them from, in a tree
// written by `pnpm deploy` (whose package copies hold only each package's `files`, so not native/build/), and loads
// each one once so an addon that cannot load (wrong libc, wrong architecture) fails the build, not the daemon. Where
// @nym-ts/coconut is deployed, its `fastestBackend()` must then be blst: without the addon it would silently fall
// back to mcl-wasm (about 2-4 times slower per pairing); where @nym-ts/sphinx is, its key derivation must be native.
//
//   node place-addons.mjs <addons-dir> <deployed-dir>
//
// @nym-ts/coconut loads native/build/nym_coconut_native.node (blst) and @nym-ts/chain native/build/nym_chain_native.node
// (libsecp256k1, keccak256), @nym-ts/sphinx native/build/nym_sphinx_native.node (per-hop HKDFs), all relative to their
// package directory.
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const ADDONS = {
  "@nym-ts/coconut": "nym_coconut_native",
  "@nym-ts/chain": "nym_chain_native",
  "@nym-ts/sphinx": "nym_sphinx_native",
};
const [addonsDir, root] = process.argv.slice(2);
if (!addonsDir || !root) {
  console.error("usage: node place-addons.mjs <addons-dir> <deployed-dir>");
  process.exit(2);
}

/** The deployed package itself and every real (not symlinked) @nym-ts package copy in its virtual store. */
function packageDirs() {
  const dirs = [root];
  const store = join(root, "node_modules", ".pnpm");
  if (!existsSync(store)) return dirs;
  for (const entry of readdirSync(store)) {
    const scope = join(store, entry, "node_modules", "@nym-ts");
    if (!entry.startsWith("@nym-ts+") || !existsSync(scope)) continue;
    for (const name of readdirSync(scope)) {
      const dir = join(scope, name);
      if (!lstatSync(dir).isSymbolicLink()) dirs.push(dir);
    }
  }
  return dirs;
}

const require = createRequire(import.meta.url);
let placed = 0;
for (const dir of packageDirs()) {
  const { name } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const lib = ADDONS[name];
  if (lib === undefined) continue;
  const target = join(dir, "native", "build", `${lib}.node`);
  mkdirSync(join(dir, "native", "build"), { recursive: true });
  copyFileSync(join(addonsDir, `${lib}.node`), target);
  require(target);
  if (name === "@nym-ts/coconut") {
    const coconut = await import(pathToFileURL(join(dir, "dist", "index.js")).href);
    const backend = await coconut.fastestBackend();
    if (backend.name !== "blst") throw new Error(`${dir}: fastestBackend() is ${backend.name}, not blst`);
  }
  if (name === "@nym-ts/sphinx") {
    const sphinx = await import(pathToFileURL(join(dir, "dist", "index.js")).href);
    const kdf = sphinx.getSphinxKeyDerivation();
    if (kdf !== "native") throw new Error(`${dir}: getSphinxKeyDerivation() is ${kdf}, not native`);
  }
  console.log(`place-addons: ${name} -> ${target}`);
  placed++;
}
if (placed === 0) console.log("place-addons: no package here loads a native addon");

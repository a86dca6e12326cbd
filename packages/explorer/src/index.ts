/**
 * @nym-ts/explorer: the network explorer page. Its sources (`src/web`, Preact and uPlot, bundled by Vite) show the
 * live mixnet by layer, the validators and the chain's height, the issuers, verifiers and service providers, and the
 * credential activity, refreshed from the directory's API and, through the directory, a validator's CometBFT RPC.
 *
 * `pnpm build` bundles them into static assets (`dist/web`, no CDN at run time) that the directory serves at
 * `/explorer`; this module only tells where those assets are. See docs/explorer.md.
 *
 * @example
 * const dir = explorerAssetsDir();
 * if (explorerAssetsBuilt(dir)) app.register(fastifyStatic, { root: dir, prefix: "/explorer/" });
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The directory the built page is in (`packages/explorer/dist/web`), whether or not it has been built yet. */
export function explorerAssetsDir(): string {
  // From src/index.ts (sources) and dist/index.js (build) alike, ../dist/web is the package's dist/web.
  return fileURLToPath(new URL("../dist/web/", import.meta.url));
}

/** Whether `dir` holds a built page (its index.html). */
export function explorerAssetsBuilt(dir: string = explorerAssetsDir()): boolean {
  return existsSync(join(dir, "index.html"));
}

/** What to run to build the page, for messages that say why it is missing. */
export const EXPLORER_BUILD_HINT = "pnpm build (or pnpm --filter @nym-ts/explorer build)";

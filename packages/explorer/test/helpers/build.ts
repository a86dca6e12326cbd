import { fileURLToPath } from "node:url";
import { build } from "vite";

/** Builds the page into dist/web as `pnpm build` does, so the browser test always sees the current sources. */
export async function buildExplorer(): Promise<void> {
  await build({ configFile: fileURLToPath(new URL("../../vite.config.ts", import.meta.url)), logLevel: "warn" });
}

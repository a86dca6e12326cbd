import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * Bundles the page (src/web) into dist/web: relative asset URLs, so the directory can serve it under /explorer/ (or
 * a proxy under any prefix), and nothing loaded from elsewhere at run time. Workspace imports resolve to their
 * TypeScript sources, so the page builds without a build of directory-client.
 */
export default defineConfig({
  root: fileURLToPath(new URL("./src/web", import.meta.url)),
  base: "./",
  resolve: { conditions: ["@nym-ts/source", "browser", "import", "module", "default"] },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("./dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 600,
  },
  logLevel: "warn",
});

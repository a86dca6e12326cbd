/**
 * dependency-cruiser configuration, generated from the `nym.layer` field of every packages/*\/package.json by
 * scripts/layers.mjs (the rules live there). `pnpm lint:layers` runs the full check; this file lets the
 * dependency-cruiser CLI be used directly, e.g. `pnpm exec depcruise packages/*\/src --output-type err-long`.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { dependencyCruiserConfig } from "./scripts/layers.mjs";

export default dependencyCruiserConfig(dirname(fileURLToPath(import.meta.url)));

/** Regenerates coconut-v1.json with the reference (noble) backend: `npx tsx test/vectors/generate.ts`. */
import { writeFileSync } from "node:fs";
import { setup } from "../../src/index.js";
import { computeVectors } from "./compute.js";

const out = new URL("./coconut-v1.json", import.meta.url);
writeFileSync(out, `${JSON.stringify(computeVectors(setup(3)), null, 2)}\n`);
console.log(`wrote ${out.pathname}`);

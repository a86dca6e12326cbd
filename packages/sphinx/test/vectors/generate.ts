/** Writes sphinx-vectors.json. Run once after a deliberate format change: `npx tsx test/vectors/generate.ts`. */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { allCases } from "./cases.js";

const cases = allCases().map(({ decoded: _decoded, ...rest }) => rest);
const file = fileURLToPath(new URL("./sphinx-vectors.json", import.meta.url));
writeFileSync(file, `${JSON.stringify({ format: "nym sphinx v258", cases }, null, 1)}\n`);
console.log(`wrote ${cases.length} cases to ${file}`);

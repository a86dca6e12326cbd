/**
 * Writes the golden vectors of every version (sphinx-vectors.json for 258, sphinx-vectors-259.json,
 * sphinx-vectors-260.json). Run once after a deliberate format change: `npx tsx test/vectors/generate.ts`.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SPHINX_VERSIONS } from "../../src/index.js";
import { allCases, VECTOR_FILES } from "./cases.js";

for (const version of SPHINX_VERSIONS) {
  const cases = allCases(version).map(({ decoded: _decoded, ...rest }) => rest);
  const { file: name, format } = VECTOR_FILES[version];
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  writeFileSync(file, `${JSON.stringify({ format, cases }, null, 1)}\n`);
  console.log(`wrote ${cases.length} cases to ${file}`);
}

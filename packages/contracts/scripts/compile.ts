/**
 * Compiles the Solidity sources under `contracts/` with solc-js. The compiler is `soljson.js` inside the `solc` npm
 * package, so this never touches the network (`solc.loadRemoteVersion` is never called). Settings are pinned here and
 * recorded in the artifact, so recompiling the same source with the same solc gives the same bytecode.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CONTRACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "contracts");

export const COMPILER_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "cancun",
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
} as const;

export interface CompiledContract {
  contractName: string;
  sourceName: string;
  compiler: { version: string; settings: typeof COMPILER_SETTINGS };
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}

interface Solc {
  version(): string;
  compile(input: string): string;
}

export function loadSolc(): Solc {
  // solc is CommonJS; loading it through require keeps its 9 MB Emscripten module out of the ESM loader.
  return createRequire(import.meta.url)("solc") as Solc;
}

/** Compiles `contracts/<sourceName>` and returns `contractName` from it; throws with solc's messages on any error. */
export function compileContract(sourceName: string, contractName: string, solc: Solc = loadSolc()): CompiledContract {
  const content = readFileSync(join(CONTRACTS_DIR, sourceName), "utf8");
  const input = { language: "Solidity", sources: { [sourceName]: { content } }, settings: COMPILER_SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) {
    throw new Error(`solc failed on ${sourceName}:\n${errors.map((e) => e.formattedMessage).join("\n")}`);
  }
  const compiled = output.contracts?.[sourceName]?.[contractName];
  if (!compiled) throw new Error(`solc produced no contract ${contractName} in ${sourceName}`);
  return {
    contractName,
    sourceName,
    compiler: { version: solc.version(), settings: COMPILER_SETTINGS },
    abi: compiled.abi,
    bytecode: `0x${compiled.evm.bytecode.object}`,
    deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
  };
}

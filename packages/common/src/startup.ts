/**
 * Checks a daemon runs first, before any of its modules load (import it alone, then the rest with `await import`):
 * its dependency graph includes `node:sqlite`, which Node.js older than 24 does not have, and a missing builtin fails at
 * link time with ERR_UNKNOWN_BUILTIN_MODULE, before any code of ours could explain what to do.
 */
export const REQUIRED_NODE_MAJOR = 24;

/** What is wrong with running `name` on Node.js `version`, or undefined when nothing is. */
export function nodeVersionProblem(name: string, version: string = process.versions.node): string | undefined {
  const major = Number(version.split(".")[0]);
  if (major >= REQUIRED_NODE_MAJOR) return undefined;
  return (
    `${name} needs Node.js ${REQUIRED_NODE_MAJOR} or newer (it uses node:sqlite); this is Node.js ${version}.\n` +
    "From a checkout: run `make bootstrap` (it installs Node 24 into .tools/bin when the machine's node is older), " +
    'then `export PATH="$PWD/.tools/bin:$PATH"` and try again.'
  );
}

/** Prints the problem and exits with status 1 when this Node.js is too old for `name`. */
export function exitUnlessSupportedNode(name: string): void {
  const problem = nodeVersionProblem(name);
  if (problem === undefined) return;
  console.error(problem);
  process.exit(1);
}

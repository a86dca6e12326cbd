#!/usr/bin/env node
/** nym-localnet build | up | status | logs NAME | down | compose | fund | demo; `--help` lists every flag. */

// The daemons keep their state in node:sqlite (Node.js >= 22.13): say so plainly instead of failing deep inside one.
try {
  await import("node:sqlite");
} catch {
  console.error(
    `nym-localnet: Node.js ${process.version} has no node:sqlite, which the daemons need. Use Node.js 24: ` +
      "`make bootstrap` puts it in .tools/bin (export PATH=$PWD/.tools/bin:$PATH).",
  );
  process.exit(1);
}

const { isNymError } = await import("@nym-ts/common");
const { runCli } = await import("./cli.js");

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      isNymError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : error,
    );
    process.exit(1);
  },
);

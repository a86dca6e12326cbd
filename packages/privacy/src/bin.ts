#!/usr/bin/env node
import { isNymError } from "@nym-ts/common";
import { runCli } from "./cli.js";

/** nym-privacy run | analyze; `--help` lists every flag. */
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      isNymError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : error,
    );
    process.exit(1);
  },
);

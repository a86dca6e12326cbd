#!/usr/bin/env node
import { createLogger, loadConfig, parseFlags, runService } from "@nym-ts/common";
import { createValidator, validatorConfigSchema } from "./validator.js";

const { flags, configFile, validateOnly } = parseFlags(process.argv.slice(2));
let config: ReturnType<typeof validatorConfigSchema.parse>;
try {
  config = loadConfig({ schema: validatorConfigSchema, file: configFile, envPrefix: "NYM_VALIDATOR_", flags });
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
if (validateOnly) {
  console.log("configuration is valid");
  process.exit(0);
}
const log = createLogger({ name: "nym-validator", level: config.log.level });
await runService(createValidator(config, { log }), { log });

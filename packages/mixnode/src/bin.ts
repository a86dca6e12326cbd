#!/usr/bin/env node
import { runDaemonMain } from "@nym-ts/common";
import { initKeysCommand } from "@nym-ts/mixnet-node";
import { MixnodeConfig } from "./config.js";
import { createMixnode } from "./mixnode.js";

await runDaemonMain({
  name: "nym-mixnode",
  envPrefix: "NYM_MIXNODE_",
  schema: MixnodeConfig,
  create: createMixnode,
  runNeeds: "mixnode.layer, directory.url, storage.dataDir",
  commands: { init: initKeysCommand },
});

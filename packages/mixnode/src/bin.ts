#!/usr/bin/env node
import { exitUnlessSupportedNode } from "@nym-ts/common/startup";
import { reexecWithMallocTuning } from "@nym-ts/mixnet-node/malloc-tuning";

exitUnlessSupportedNode("nym-mixnode");
// First, before the daemon's modules load: may replace this process with one whose allocator returns freed
// buffers to the system (see malloc-tuning.ts; NYM_MALLOC_TUNING=off to skip).
reexecWithMallocTuning();
const { runDaemonMain } = await import("@nym-ts/common");
const { initKeysCommand } = await import("@nym-ts/mixnet-node");
const { MixnodeConfig } = await import("./config.js");
const { createMixnode, MIXNODE_VERSION } = await import("./mixnode.js");

/**
 * nym-mixnode init --storage.dataDir DIR, then nym-mixnode [--config file.toml] [--section.key value ...];
 * `--help` lists every key and its NYM_MIXNODE_* variable.
 */
await runDaemonMain({
  name: "nym-mixnode",
  about: "A Loopix mix node: Sphinx processing, replay protection, exponential delays, loop cover traffic.",
  envPrefix: "NYM_MIXNODE_",
  schema: MixnodeConfig,
  version: MIXNODE_VERSION,
  create: createMixnode,
  runNeeds: "mixnode.layer, directory.url, storage.dataDir",
  commands: { init: initKeysCommand },
});

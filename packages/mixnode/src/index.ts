/**
 * @nym-ts/mixnode: the `nym-mixnode` daemon, a Loopix mix node (ARCHITECTURE.md section 6; docs/mixnet.md).
 *
 * @example
 * const mixnode = createMixnode(
 *   { mixnode: { layer: 1, port: 1789 }, directory: { url: "http://127.0.0.1:8080" }, storage: { dataDir } },
 *   { log },
 * );
 * await mixnode.start();
 */
export { MixnodeConfig, type MixnodeConfigInput } from "./config.js";
export { createMixnode, MIXNODE_VERSION, type Mixnode, type MixnodeModules } from "./mixnode.js";

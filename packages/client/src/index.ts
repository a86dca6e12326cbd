/**
 * @nym-ts/client: the `nymclient` CLI (the Loopix client library `MixClient` it drives lives in @nym-ts/mixnet-node and
 * is re-exported here). Messaging: send, receive, listen,
 * SURB replies (docs/mixnet.md). Credential commands plug into the same CLI (`registerCommand`).
 *
 * @example
 * const client = new MixClient({ identitySeed, encryptionSecret, gateway, directoryUrl }, { log });
 * await client.start();
 * client.onMessage((m) => console.log(new TextDecoder().decode(m.data)));
 * await client.send(recipientAddress, new TextEncoder().encode("hello"));
 */
export { type Command, commands, registerCommand, runCli } from "./cli.js";
export { ClientConfig } from "./config.js";
export { initClientDir, readClientKeys } from "./keys.js";
export {
  type ClientStats,
  DEFAULT_TRAFFIC,
  MixClient,
  type MixClientModules,
  type MixClientOptions,
  type ReceivedMessage,
  type ReceivedReply,
  type SendOptions,
  type TrafficOptions,
} from "@nym-ts/mixnet-node";

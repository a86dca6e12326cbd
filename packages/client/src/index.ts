/**
 * @nym-ts/client: the `nymclient` CLI (the Loopix client library `MixClient` it drives lives in @nym-ts/mixnet-node and
 * is re-exported here). Messaging: send, receive, listen,
 * SURB replies (docs/mixnet.md). Credentials (docs/client.md): pay, balance, credential init|request|collect|spend|list,
 * demo, also as a library (credentials/index.ts).
 *
 * @example
 * const client = new MixClient({ identitySeed, encryptionSecret, gateway, directoryUrl }, { log });
 * await client.start();
 * client.onMessage((m) => console.log(new TextDecoder().decode(m.data)));
 * await client.send(recipientAddress, new TextEncoder().encode("hello"));
 */

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
export { type Command, commands, registerCommand, runCli } from "./cli.js";
export { ClientConfig } from "./config.js";
export {
  balance,
  ClientCredentialError,
  type ClientCredentialErrorCode,
  CredentialClientConfig,
  CredentialContext,
  CredentialStore,
  collectCredential,
  credentialCommands,
  initCredentialClient,
  pay,
  requestCredential,
  runDemo,
  spendCredential,
} from "./credentials/index.js";
export { initClientDir, readClientKeys } from "./keys.js";

/**
 * @nym-ts/gateway: the `nym-gateway` daemon, a Loopix provider: first hop for its clients (who register a key once
 * and are authenticated by the Noise handshake on every connection) and last hop into per-client SQLite mailboxes
 * that survive restarts, delivered by push or pull and deleted on the client's confirmation. See docs/mixnet.md.
 *
 * @example
 * const gateway = createGateway({ gateway: { port: 1790 }, directory: { url }, storage: { dataDir } }, { log });
 * await gateway.start();
 */
export { GatewayConfig, type GatewayConfigInput } from "./config.js";
export { createGateway, GATEWAY_VERSION, type Gateway, type GatewayCounters, type GatewayModules } from "./gateway.js";
export { MailboxStore } from "./mailbox.js";

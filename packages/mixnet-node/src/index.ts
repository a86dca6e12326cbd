/**
 * @nym-ts/mixnet-node: what mixnodes, gateways and clients share at run time on top of the pure @nym-ts/mixnet
 * library: the libp2p transport (TCP + Noise + Yamux, one long-lived stream per neighbour, node:crypto for Noise),
 * Ed25519 node identities, the SQLite replay cache, `MixCore` (unwrap, delay, forward, loop cover), the node's HTTP
 * surface (/health, /metrics), its start-up runtime (keys, directory registration, topology refresh), and `MixClient`,
 * the Loopix client (sending with acks and retransmission, receiving and reassembly, SURB replies, cover traffic) that
 * nymclient and the service provider's mixnet endpoint both use.
 *
 * @example
 * const transport = createLibp2pTransport({ identitySeed, listen: ["/ip4/127.0.0.1/tcp/1789"] });
 * transport.onFrame((frame, from) => handle(frame, from));
 * await transport.start();
 * transport.send({ id: neighbourKey, address: "/ip4/127.0.0.1/tcp/1790" }, encodeMixPacket(packet));
 */

export * from "./caught-errors.js";
export {
  type ClientStats,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_TRAFFIC,
  type DeliveryState,
  MixClient,
  type MixClientModules,
  type MixClientOptions,
  type ReceivedMessage,
  type ReceivedReply,
  type SendOptions,
  type SendProgress,
  type TrafficOptions,
} from "./client/mix-client.js";
export * from "./directory-topology.js";
export * from "./identity.js";
export * from "./libp2p-transport.js";
export * from "./mix-core.js";
export * from "./node-http.js";
export * from "./node-runtime.js";
export * from "./noise-crypto.js";
export * from "./observe.js";
export * from "./peer-penalties.js";
export * from "./replay-cache.js";

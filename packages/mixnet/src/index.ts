/**
 * @nym-ts/mixnet: the Loopix protocol as a pure library (Piotrowska et al., "The Loopix Anonymity System", USENIX
 * Security 2017; docs/mixnet.md). No I/O and no logging: randomness comes from an injectable `RandomSource`, time
 * from the caller, and the network is the small `MixTransport` interface that @nym-ts/mixnet-node implements.
 *
 * - `TimerQueue`: per-packet mixing delays in one binary heap drained by one timer.
 * - `PoissonStream`, `sampleExponential`: the lambdaP / lambdaD / lambdaL / lambdaM streams and delays of mean mu.
 * - `splitMessage`, `Reassembler`: chunking of long messages; `RetransmitQueue`: acks with retransmission.
 * - `chooseRoute`, `chooseMixLoopRoute`, `TopologyIndex`: one node per layer; `LoopStats`: who drops packets.
 * - frames (`encodeMixPacket`, `FrameDecoder`): the wire frames between nodes; `nymSphinx`: Sphinx as a codec.
 * - `sealTo`, `openSealed`: end-to-end encryption of packet contents to the recipient.
 * - `encodeEnvelope`, `decodeEnvelope`, `STORED_ACK`: the gateway-ack SURB in front of a forward message.
 * - `PayloadSize`, `DEFAULT_PAYLOAD_SIZE`: Sphinx's payload size classes, re-exported for configs and nodes.
 *
 * @example
 * const index = new TopologyIndex(topology);
 * const route = chooseRoute(index, recipientGateway, random);
 * const frame = encodeMixPacket(nymSphinx.createPacket(route, payload, delays));
 */

export { DEFAULT_PAYLOAD_SIZE, isPayloadSize, PayloadSize } from "@nym-ts/sphinx";
export * from "./address.js";
export * from "./e2e.js";
export * from "./errors.js";
export * from "./fragment.js";
export * from "./frame-decoder.js";
export * from "./frames.js";
export * from "./gateway-ack.js";
export * from "./guard.js";
export * from "./loop-stats.js";
export * from "./poisson.js";
export * from "./random.js";
export * from "./retransmit.js";
export * from "./sphinx-adapter.js";
export * from "./sphinx-codec.js";
export * from "./timer-queue.js";
export * from "./topology.js";
export * from "./transport.js";

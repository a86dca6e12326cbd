/**
 * @nym-ts/mixnet: the Loopix machinery shared by mixnodes, gateways and clients (Piotrowska et al., "The Loopix
 * Anonymity System", USENIX Security 2017; ARCHITECTURE.md section 6).
 *
 * - `MixTransport` and `createLibp2pTransport`: TCP + Noise + Yamux, one long-lived stream per neighbour, 4-byte
 *   length-prefixed frames, bounded per-neighbour queues.
 * - `TimerQueue`: per-packet mixing delays in one binary heap drained by one timer.
 * - `PoissonStream`, `sampleExponential`: the lambdaP / lambdaD / lambdaL / lambdaM streams and delays of mean mu.
 * - `splitMessage`, `Reassembler`: chunking of long messages; `RetransmitQueue`: acks with retransmission.
 * - `chooseRoute`, `chooseMixLoopRoute`, `TopologyIndex`: one node per layer; `LoopStats`: who drops packets.
 * - `sealTo`, `openSealed`: end-to-end encryption of packet contents to the recipient.
 *
 * @example
 * const transport = createLibp2pTransport({ identitySeed, listen: ["/ip4/127.0.0.1/tcp/1789"] });
 * transport.onFrame((frame, from) => handle(frame, from));
 * await transport.start();
 * transport.send({ id: neighbourKey, address: "/ip4/127.0.0.1/tcp/1790" }, encodeMixPacket(packet));
 */

export * from "./address.js";
export * from "./directory-topology.js";
export * from "./e2e.js";
export * from "./errors.js";
export * from "./fragment.js";
export * from "./frames.js";
export * from "./identity.js";
export * from "./libp2p-transport.js";
export * from "./loop-stats.js";
export * from "./mix-core.js";
export * from "./node-http.js";
export * from "./node-runtime.js";
export * from "./poisson.js";
export * from "./random.js";
export * from "./replay-cache.js";
export * from "./retransmit.js";
export * from "./sphinx-adapter.js";
export * from "./sphinx-codec.js";
export * from "./timer-queue.js";
export * from "./topology.js";
export * from "./transport.js";

import { join } from "node:path";
import { daemonVersion, type Logger, packageVersion, type Service } from "@nym-ts/common";
import type { DirectoryClient } from "@nym-ts/directory-client";
import {
  createNymSphinx,
  DEFAULT_PAYLOAD_SIZE,
  DROPPED_ACK,
  decodeClientForward,
  decodeDelivered,
  decodeEnvelope,
  decodePull,
  decodeRegister,
  encodeDeliver,
  encodeError,
  encodeRegistered,
  FrameType,
  guarded,
  isPayloadSize,
  type MailboxMode,
  type MixTransport,
  type SphinxCodec,
  STORED_ACK,
} from "@nym-ts/mixnet";
import {
  type MixCore,
  NodeRuntime,
  nodeNetworkOptions,
  nodeRuntimeModules,
  observeOptions,
  startNodeHttp,
} from "@nym-ts/mixnet-node";
import { GatewayConfig, type GatewayConfigInput } from "./config.js";
import { MailboxStore } from "./mailbox.js";

/** package.json's version + NYM_BUILD_COMMIT: registered with the directory, reported by /health. */
export const GATEWAY_VERSION = daemonVersion(packageVersion(import.meta.url));

export interface GatewayModules {
  log: Logger;
  transport?: MixTransport;
  sphinx?: SphinxCodec;
  directory?: DirectoryClient;
}

export interface GatewayCounters {
  clientPacketsForwarded: number;
  clientPacketsRefused: number;
  stored: number;
  /** Final-hop packets for no registered client: drop cover lands here, as do misaddressed packets. */
  droppedUnknownRecipient: number;
  droppedMailboxFull: number;
  pushed: number;
  pulled: number;
  deleted: number;
  badClientFrames: number;
  unauthenticatedFrames: number;
  /** Client packets over the client's rate. */
  clientPacketsRateLimited: number;
  registrationsRefused: number;
  /** Stored acks sent back through a packet's gateway-ack SURB (docs/mixnet.md, "Acks and retransmission"). */
  storedAcksSent: number;
  /** Dropped acks: a forward packet for no registered client (drop cover, say) or a full mailbox, answered too. */
  droppedAcksSent: number;
  /** Gateway-ack SURBs that could not be used (malformed, or their first hop no layer-1 mix). */
  gatewayAcksFailed: number;
}

export interface Gateway extends Service {
  readonly identityKey: string;
  readonly sphinxKey: string;
  readonly core: MixCore;
  readonly transport: MixTransport;
  readonly counters: GatewayCounters;
  /** Messages waiting in a client's mailbox. */
  stored(clientIdentityKey: Uint8Array): number;
  refreshTopology(): Promise<void>;
  /** `http://host:port` of /health and /metrics once started (undefined when disabled). */
  httpUrl(): string | undefined;
}

interface Session {
  mode: MailboxMode;
  /** Highest message id pushed on this connection. */
  pushedUpTo: bigint;
  pushing: boolean;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/**
 * A Loopix provider. Clients register their identity key once (CLIENT_REGISTER) and are authenticated on every
 * connection by the libp2p Noise handshake, which proves possession of that Ed25519 key; only registered,
 * authenticated clients may send into the mixnet or read a mailbox. Final-hop packets for a registered client are
 * written to SQLite first, then pushed over the client's connection (push mode) or handed over on PULL, and deleted
 * only when the client confirms them (DELIVERED).
 */
export function createGateway(options: GatewayConfigInput, modules: GatewayModules): Gateway {
  const config = GatewayConfig.parse(options);
  const log = modules.log.child({ module: "gateway" });
  const runtimeModules = nodeRuntimeModules(log, modules, createNymSphinx({ version: config.sphinx.version }));
  const headerLength = runtimeModules.sphinx.headerLength;
  const runtime = new NodeRuntime(
    {
      ...nodeNetworkOptions({
        listen: config.gateway,
        directory: config.directory,
        dataDir: config.storage.dataDir,
        maxQueuedFramesPerLink: config.mixing.maxQueuedFramesPerLink,
      }),
      metricsIntervalMs: 60_000,
      mix: {
        layer: "gateway",
        maxDelayMs: config.mixing.maxDelayMs,
        delayQueueCapacity: config.mixing.delayQueueCapacity,
        loopRate: 0,
        loopMeanDelayMs: 0,
        payloadSize: DEFAULT_PAYLOAD_SIZE,
        loopTimeoutMs: 60_000,
      },
      observe: observeOptions(config.observe, config.storage.dataDir),
      registration: (k, announced) => ({
        kind: "gateway",
        payload: { ...k, mixnetAddress: announced, clientAddress: announced, version: GATEWAY_VERSION },
      }),
    },
    runtimeModules,
  );
  const { core, transport } = runtime;
  const counters: GatewayCounters = {
    clientPacketsForwarded: 0,
    clientPacketsRefused: 0,
    stored: 0,
    droppedUnknownRecipient: 0,
    droppedMailboxFull: 0,
    pushed: 0,
    pulled: 0,
    deleted: 0,
    badClientFrames: 0,
    unauthenticatedFrames: 0,
    clientPacketsRateLimited: 0,
    registrationsRefused: 0,
    storedAcksSent: 0,
    droppedAcksSent: 0,
    gatewayAcksFailed: 0,
  };
  /** Token buckets per client: `clientPacketsPerSecond`, burst twice that. */
  const buckets = new Map<string, { tokens: number; at: number }>();
  const rate = config.mailbox.clientPacketsPerSecond;
  const allow = (client: string): boolean => {
    const now = performance.now();
    let bucket = buckets.get(client);
    if (!bucket) {
      bucket = { tokens: 2 * rate, at: now };
      buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(2 * rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens--;
    return true;
  };
  const sessions = new Map<string, Session>();
  const registered = new Set<string>();
  let mailbox: MailboxStore | undefined;

  const isRegistered = (client: Uint8Array): boolean => {
    const key = hex(client);
    if (registered.has(key)) return true;
    if (mailbox?.isRegistered(client)) {
      registered.add(key);
      return true;
    }
    return false;
  };

  /** Pushes everything stored above the session's mark, in frames of `pushBatch`. */
  const push = (client: Uint8Array, session: Session): void => {
    if (session.pushing || !mailbox) return;
    session.pushing = true;
    // A failure for one client (its mailbox unreadable, say) is counted and logged, never thrown from the callback.
    setImmediate(
      guarded(() => {
        session.pushing = false;
        const key = hex(client);
        if (sessions.get(key) !== session || !mailbox) return;
        for (;;) {
          const batch = mailbox.fetch(client, config.mailbox.pushBatch, session.pushedUpTo);
          if (batch.length === 0) return;
          if (!transport.send({ id: client }, encodeDeliver(batch))) {
            // The client's link is full: try again shortly instead of growing a queue.
            setTimeout(() => push(client, session), 50).unref();
            return;
          }
          observeDelivered(client, batch);
          session.pushedUpTo = batch[batch.length - 1]!.id;
          counters.pushed += batch.length;
          if (batch.length < config.mailbox.pushBatch) return;
        }
      }, core.errors.at("gateway.push")),
    );
  };

  /** What a global passive adversary sees of a delivery: one packet per message of the frame (docs/privacy.md). */
  const observeDelivered = (client: Uint8Array, batch: readonly { data: Uint8Array }[]): void => {
    if (core.observer) for (const m of batch) core.observer.packet(true, client, 10 + m.data.length, true);
  };

  /**
   * The sender learns what became of its packet: a forward message (data, loop or drop cover: SURB replies carry no
   * envelope and fail `decodePayload`) starts with the sender's gateway-ack SURB, through which `STORED_ACK` (or
   * `DROPPED_ACK` when it was not stored) goes back in a packet of the same size class. Every forward packet is
   * answered, so an observer learns nothing from the answer's presence. The gateway learns nothing of the sender: the
   * SURB's first hop is a layer-1 mix the sender chose, the rest is encrypted for the mixes.
   */
  const sendGatewayAck = (payload: Uint8Array, stored: boolean): void => {
    let surb: Uint8Array;
    try {
      surb = decodeEnvelope(runtimeModules.sphinx.decodePayload(payload)).surb;
    } catch {
      return; // a SURB reply (an ack, a reply): nothing to acknowledge
    }
    if (surb.length === 0) return;
    try {
      const ack = stored ? STORED_ACK : DROPPED_ACK;
      const { firstHop, packet } = runtimeModules.sphinx.packetFromSurb(surb, ack, payload.length);
      if (core.topology.get(firstHop)?.layer !== 1 || !core.forward(firstHop, packet)) {
        counters.gatewayAcksFailed++;
        return;
      }
      if (stored) counters.storedAcksSent++;
      else counters.droppedAcksSent++;
    } catch (error) {
      counters.gatewayAcksFailed++;
      log.debug({ err: (error as Error).message }, "gateway-ack SURB unusable");
    }
  };

  core.onFinal = (result) => {
    if (!mailbox || !isRegistered(result.destination)) {
      counters.droppedUnknownRecipient++;
      core.drop("not_for_us");
      sendGatewayAck(result.payload, false);
      return;
    }
    if (mailbox.count(result.destination) >= config.mailbox.maxMessagesPerClient) {
      counters.droppedMailboxFull++;
      sendGatewayAck(result.payload, false);
      return;
    }
    const data = new Uint8Array(16 + result.payload.length);
    data.set(result.identifier, 0);
    data.set(result.payload, 16);
    mailbox.store(result.destination, data);
    counters.stored++;
    sendGatewayAck(result.payload, true);
    const session = sessions.get(hex(result.destination));
    if (session?.mode === "push") push(result.destination, session);
  };

  const handleClientFrame = (frame: Uint8Array, from: Uint8Array): void => {
    const type = frame[0];
    if (type === FrameType.CLIENT_REGISTER) {
      const mode = decodeRegister(frame);
      if (!isRegistered(from) && (mailbox?.clientCount() ?? 0) >= config.mailbox.maxClients) {
        counters.registrationsRefused++;
        transport.send({ id: from }, encodeError(2, "gateway full: no more client registrations"));
        return;
      }
      if (mailbox?.register(from)) log.debug("client registered");
      registered.add(hex(from));
      const session: Session = { mode, pushedUpTo: 0n, pushing: false };
      sessions.set(hex(from), session);
      transport.send({ id: from }, encodeRegistered(mailbox?.count(from) ?? 0));
      if (mode === "push") push(from, session);
      return;
    }
    if (!isRegistered(from)) {
      counters.unauthenticatedFrames++;
      transport.send({ id: from }, encodeError(1, "not registered at this gateway"));
      return;
    }
    switch (type) {
      case FrameType.CLIENT_FORWARD: {
        core.observer?.packet(false, from, frame.length, true);
        const { firstHop, packet } = decodeClientForward(frame);
        if (!allow(hex(from))) {
          counters.clientPacketsRateLimited++;
          return;
        }
        const hop = core.topology.get(firstHop);
        // Only packets of a Sphinx size go on: mixnodes hold a packet of any other size against the gateway.
        if (hop?.layer !== 1 || !isPayloadSize(packet.length - headerLength)) {
          counters.clientPacketsRefused++;
          // A first hop we do not know may have registered after our last fetch (the client's topology is newer):
          // refused all the same (only layer-1 mixes of our topology are first hops), but the topology is fetched
          // now rather than at the next tick, so the client's next packets go through.
          if (hop === undefined) core.onUnknownNextHop?.();
          return;
        }
        if (core.forward(firstHop, packet.slice())) counters.clientPacketsForwarded++;
        else counters.clientPacketsRefused++;
        return;
      }
      case FrameType.PULL: {
        const max = Math.min(decodePull(frame), config.mailbox.maxPull);
        const batch = mailbox?.fetch(from, Math.min(max, config.mailbox.pushBatch)) ?? [];
        counters.pulled += batch.length;
        if (transport.send({ id: from }, encodeDeliver(batch))) observeDelivered(from, batch);
        return;
      }
      case FrameType.DELIVERED: {
        const ids = decodeDelivered(frame);
        counters.deleted += mailbox?.remove(from, ids) ?? 0;
        return;
      }
      default:
        counters.badClientFrames++;
    }
  };

  transport.onFrame((frame, from) => {
    if (core.handleFrame(frame, from)) return;
    try {
      handleClientFrame(frame, from);
    } catch (error) {
      counters.badClientFrames++;
      log.debug({ err: (error as Error).message }, "bad client frame");
    }
  });
  transport.onPeerDisconnected((peer) => {
    sessions.delete(hex(peer));
    buckets.delete(hex(peer));
  });

  let http: Awaited<ReturnType<typeof startNodeHttp>> | undefined;
  return {
    identityKey: runtime.identityKey,
    sphinxKey: runtime.sphinxPublicKey,
    core,
    transport,
    counters,
    stored: (client) => mailbox?.count(client) ?? 0,
    refreshTopology: () => runtime.refreshTopology(),
    httpUrl: () => http?.url,
    async start() {
      mailbox = new MailboxStore(join(config.storage.dataDir, "mailboxes.sqlite"));
      await runtime.start();
      if (config.http.enabled) {
        http = await startNodeHttp({
          // The root logger: the HTTP app adds its own `module` binding (one `module` key per log line).
          log: modules.log,
          service: "nym-gateway",
          version: GATEWAY_VERSION,
          host: config.http.host,
          port: config.http.port,
          core,
          transport,
          extraCounters: () => ({ ...counters }),
        });
      }
      log.info({ identityKey: runtime.identityKey, announce: runtime.announce }, "gateway running");
    },
    async stop() {
      await http?.app.close();
      http = undefined;
      await runtime.stop();
      sessions.clear();
      mailbox?.close();
      mailbox = undefined;
    },
  };
}

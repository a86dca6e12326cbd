import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type Logger } from "@nym-ts/common";
import {
  type ClientAddress,
  decodeDeliver,
  FrameType,
  generateX25519,
  type MixTransport,
  nymSphinx,
  type Random,
  type SphinxCodec,
  sampleExponential,
  seededRandom,
} from "@nym-ts/mixnet";
import { createLibp2pTransport, MixClient, type TrafficOptions } from "@nym-ts/mixnet-node";
import { startLoopbackMixnet } from "@nym-ts/testkit";
import { type LinkEvent, networkFromTraces, type ObservedNetwork, type RealMessage } from "./analysis.js";
import { readTraces } from "./traces.js";

/**
 * One run of the experiment: a loopback mixnet (@nym-ts/testkit) with observation on, `clients` real MixClients
 * sending real messages to each other at Poisson times with the chosen cover traffic, then the nodes' traces and the
 * truth (which packet was which real message, from the clients' side only) for the analysis.
 */
export interface ExperimentOptions {
  clients: number;
  durationMs: number;
  /** Mean per-hop delay at the mixes, ms (the clients' meanDelayMs; 1/mu). */
  meanDelayMs: number;
  /**
   * Cover traffic per client, packets per second: 0 turns every cover stream off (real packets leave at once, no
   * drops, no loops, no mix loops); c > 0 sets lambdaD = lambdaL = c, lambdaP = 2 x messageRate + c (room for the
   * real messages and the acks of received ones) and the mixes' loops to `mixLoopRate`.
   */
  cover: number;
  /** Real messages per client per second (Poisson), each to a uniformly chosen other client (default 1). */
  messageRate?: number;
  mixnodesPerLayer?: number;
  gateways?: number;
  /** Mix loops per mix per second when cover is on (default 0.5, the mixnode default). */
  mixLoopRate?: number;
  /** How long to wait for the last messages after the sending stops (default 3 s + 20 x meanDelayMs). */
  drainMs?: number;
  /** Keep the network's directory (traces included) here instead of a removed temporary one. */
  dir?: string;
  /** Mixnodes as child processes ("all") or in this process ("none", default). */
  processes?: "none" | "all";
  /** Seeds the message schedule and recipients (not the cryptography). */
  seed?: number;
  log?: Logger;
}

export interface ExperimentRun {
  options: Required<Omit<ExperimentOptions, "dir" | "log">>;
  network: ObservedNetwork;
  messages: RealMessage[];
  stats: {
    /** Real messages handed to the clients. */
    queued: number;
    /** Whose first packet left a client and was found at its gateway. */
    entered: number;
    /** Whose delivery reached the recipient and was found in the gateway's trace. */
    delivered: number;
    /** Packets of real messages whose trace record did not match the client's view (skipped). */
    unmatched: number;
    /** Sends rejected by a client (no route, given up). */
    failed: number;
    /** Clients replaced because their gateway did not answer the registration. */
    restarts: number;
    /** Times the client-side order had to be re-synchronized with the gateway's events (frames lost on a link). */
    resyncs: number;
    /** Median and mean time from a real message's first packet to its delivery, ms. */
    latencyP50Ms: number;
    latencyMeanMs: number;
    /** Packets per second into each mix, averaged over the mixes. */
    mixPacketsPerSecond: number;
    /** Link events the adversary saw. */
    events: number;
  };
}

interface Probe {
  /** Client-forward frames accepted so far (the k-th is the k-th packet the gateway records from this client). */
  sent: number;
  /** Messages delivered so far (the k-th is the gateway's k-th delivery to this client). */
  received: number;
  /** The message being sent right now (its packet is built synchronously in `send`). */
  tag: number | undefined;
  /** First bytes of a real message's packet -> message index. */
  packets: Map<string, number>;
}

interface Sent {
  sender: number;
  recipient: number;
  sendSeq?: number;
  sentAt?: number;
  recvSeq?: number;
  receivedAt?: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A packet's first 32 bytes (its Sphinx group element, fresh per packet) identify it among a client's packets. */
const head = (packet: Uint8Array): string => hex(packet.subarray(0, 32));

/** The client's traffic options for a cover level. */
export function trafficFor(meanDelayMs: number, cover: number, messageRate: number): Partial<TrafficOptions> {
  if (cover <= 0) return { lambdaP: 0, lambdaD: 0, lambdaL: 0, meanDelayMs };
  return { lambdaP: 2 * messageRate + cover, lambdaD: cover, lambdaL: cover, meanDelayMs };
}

/** A transport that tells the probe about the client's packets into the network and the deliveries out of it. */
function probedTransport(
  inner: MixTransport,
  probe: Probe,
  onSent: (message: number, seq: number) => void,
  onDelivered: (identifier: string, seq: number) => void,
): MixTransport {
  return {
    get localId() {
      return inner.localId;
    },
    start: () => inner.start(),
    stop: () => inner.stop(),
    listenAddresses: () => inner.listenAddresses(),
    send(peer, frame) {
      const ok = inner.send(peer, frame);
      if (ok && frame[0] === FrameType.CLIENT_FORWARD) {
        const seq = probe.sent++;
        const key = head(frame.subarray(33));
        const message = probe.packets.get(key);
        if (message !== undefined) {
          probe.packets.delete(key);
          onSent(message, seq);
        }
      }
      return ok;
    },
    onFrame(handler) {
      inner.onFrame((frame, from) => {
        if (frame[0] === FrameType.DELIVER) {
          try {
            for (const m of decodeDeliver(frame)) onDelivered(hex(m.data.subarray(0, 16)), probe.received++);
          } catch {
            // the client counts a bad frame itself
          }
        }
        handler(frame, from);
      });
    },
    onPeerConnected: (h) => inner.onPeerConnected(h),
    onPeerDisconnected: (h) => inner.onPeerDisconnected(h),
    isConnected: (p) => inner.isConnected(p),
    queuedFrames: (p) => inner.queuedFrames(p),
    stats: () => inner.stats(),
  };
}

/** A Sphinx codec that remembers the packets (and final identifiers) built while the probe's tag is set. */
function probedSphinx(probe: Probe, identifiers: Map<string, number>): SphinxCodec {
  return {
    ...nymSphinx,
    createPacket(args) {
      const packet = nymSphinx.createPacket(args);
      if (probe.tag !== undefined) {
        probe.packets.set(head(packet), probe.tag);
        identifiers.set(hex(args.identifier), probe.tag);
      }
      return packet;
    },
  };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** A client-side sighting is within this of its event at the gateway (the link, and the event loops in between). */
const MATCH_WINDOW_MS = 250;

/**
 * Matches a client's own view (the k-th packet it handed to its link, the k-th delivery it read) to the gateway's
 * events of that client: the event nearest in time on the right side of the sighting ("after": the gateway saw it
 * after the client sent it; "before": the gateway sent it before the client read it), within MATCH_WINDOW_MS, and
 * among events as near as that (a delivery frame carries several messages at one time) the k-th in order, the order
 * shifted by the frames lost so far on the link. Sightings with no such event stay unmatched. Returns how many times
 * the order had to shift.
 */
function matchInOrder<T>(
  items: T[],
  sighting: (item: T) => [number, number],
  events: number[],
  at: (event: number) => number,
  side: "after" | "before",
  out: Map<T, number>,
): number {
  let shift = 0;
  let resyncs = 0;
  const gap = (k: number, t: number) => (side === "after" ? at(events[k] as number) - t : t - at(events[k] as number));
  for (const item of items.sort((a, b) => sighting(a)[0] - sighting(b)[0])) {
    const [seq, t] = sighting(item);
    let lo = 0;
    let hi = events.length;
    const from = side === "after" ? t - 1 : t - MATCH_WINDOW_MS;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at(events[mid] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    const candidates: number[] = [];
    for (let k = lo; k < events.length && at(events[k] as number) <= t + MATCH_WINDOW_MS; k++) {
      const g = gap(k, t);
      if (g >= -1 && g <= MATCH_WINDOW_MS) candidates.push(k);
    }
    if (candidates.length === 0) continue;
    const nearest = Math.min(...candidates.map((k) => Math.abs(gap(k, t))));
    const near = candidates.filter((k) => Math.abs(gap(k, t)) <= nearest + 1);
    const expected = seq + shift;
    const chosen = near.includes(expected) ? expected : (near[0] as number);
    if (chosen !== expected) {
      shift = chosen - seq;
      resyncs++;
    }
    out.set(item, events[chosen] as number);
  }
  return resyncs;
}

export async function runExperiment(options: ExperimentOptions): Promise<ExperimentRun> {
  const o = {
    clients: options.clients,
    durationMs: options.durationMs,
    meanDelayMs: options.meanDelayMs,
    cover: options.cover,
    messageRate: options.messageRate ?? 1,
    mixnodesPerLayer: options.mixnodesPerLayer ?? 2,
    gateways: options.gateways ?? 2,
    mixLoopRate: options.cover > 0 ? (options.mixLoopRate ?? 0.5) : 0,
    drainMs: options.drainMs ?? 3000 + 20 * options.meanDelayMs,
    processes: options.processes ?? "none",
    seed: options.seed ?? 1,
  };
  if (!Number.isInteger(o.clients) || o.clients < 2) throw new RangeError("at least 2 clients");
  const log = options.log ?? createLogger({ name: "privacy", level: "silent" });
  const random: Random = seededRandom(o.seed);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "nym-privacy-"));
  const clients: MixClient[] = [];
  const sent: Sent[] = [];
  const identifiers = new Map<string, number>();
  const probes: Probe[] = [];
  let failed = 0;
  let restarts = 0;
  let stopping = false;
  const timers: NodeJS.Timeout[] = [];
  let network: ObservedNetwork;
  try {
    const net = await startLoopbackMixnet({
      dir,
      layers: 3,
      mixnodesPerLayer: o.mixnodesPerLayer,
      gateways: o.gateways,
      observe: true,
      processes: o.processes,
      mixing: { loopRate: o.mixLoopRate, loopMeanDelayMs: o.meanDelayMs, loopTimeoutMs: 30_000 },
    });
    try {
      const traffic = trafficFor(o.meanDelayMs, o.cover, o.messageRate);
      // Every client is made and started at once (the gateway's transport takes many clients dialling together),
      // and a client whose gateway does not answer its registration is replaced by a fresh one, up to three times.
      const startClient = async (k: number): Promise<void> => {
        const gateway = net.gateways[k % o.gateways];
        if (!gateway) throw new Error("no gateway");
        for (let attempt = 1; ; attempt++) {
          const probe: Probe = { sent: 0, received: 0, tag: undefined, packets: new Map() };
          const identitySeed = new Uint8Array(globalThis.crypto.getRandomValues(new Uint8Array(32)));
          const transport = probedTransport(
            createLibp2pTransport({ identitySeed, listen: [] }),
            probe,
            (message, seq) => {
              const s = sent[message];
              if (s && s.sendSeq === undefined) {
                s.sendSeq = seq;
                s.sentAt = now();
              }
            },
            (identifier, seq) => {
              const message = identifiers.get(identifier);
              const s = message === undefined ? undefined : sent[message];
              if (s && s.recipient === k && s.recvSeq === undefined) {
                s.recvSeq = seq;
                s.receivedAt = now();
              }
            },
          );
          const client = new MixClient(
            {
              identitySeed,
              encryptionSecret: generateX25519().secretKey,
              gateway: gateway.identityKey,
              directoryUrl: net.directoryUrl,
              mailboxMode: "push",
              topologyRefreshMs: 5000,
              traffic,
            },
            { log, transport, sphinx: probedSphinx(probe, identifiers) },
          );
          try {
            await client.start();
          } catch (error) {
            await client.stop().catch(() => {});
            restarts++;
            if (attempt < 3) continue;
            throw new Error(`client ${k} of ${o.clients} did not start: ${(error as Error).message}`);
          }
          probes[k] = probe;
          clients[k] = client;
          return;
        }
      };
      const started = await Promise.allSettled(Array.from({ length: o.clients }, (_, k) => startClient(k)));
      for (const result of started) if (result.status === "rejected") throw result.reason;
      const addresses: ClientAddress[] = clients.map((c) => c.address);
      // Warm-up, not scored: a few messages from every client open the links between the nodes (a first packet on a
      // link waits for its dial), and the cover streams get going.
      const warmUp = clients.flatMap((c, k) =>
        [1, 2, 3].map((j) => c.send(addresses[(k + j) % o.clients] as ClientAddress, Uint8Array.of(0))),
      );
      await Promise.race([Promise.allSettled(warmUp), sleep(10_000)]);
      await sleep(1000);

      // Real messages at Poisson times per client, each to another client chosen uniformly.
      const end = now() + o.durationMs;
      const schedule = (k: number): void => {
        const wait = sampleExponential(1000 / o.messageRate, random);
        if (now() + wait >= end) return;
        const timer = setTimeout(() => {
          let r = Math.floor(random() * (o.clients - 1));
          if (r >= k) r++;
          const index = sent.push({ sender: k, recipient: r }) - 1;
          const probe = probes[k] as Probe;
          probe.tag = index;
          try {
            (clients[k] as MixClient).send(addresses[r] as ClientAddress, Uint8Array.of(1, 2, 3, 4)).catch(() => {
              if (!stopping) failed++;
            });
          } catch {
            failed++;
          } finally {
            probe.tag = undefined;
          }
          schedule(k);
        }, wait);
        timers.push(timer);
      };
      for (let k = 0; k < o.clients; k++) schedule(k);
      await sleep(o.durationMs);
      const drainEnd = now() + o.drainMs;
      while (now() < drainEnd && sent.some((s) => s.sendSeq !== undefined && s.recvSeq === undefined)) await sleep(100);
    } finally {
      stopping = true;
      for (const t of timers) clearTimeout(t);
      await Promise.allSettled(clients.map((c) => c.stop()));
      await net.stop();
    }
    network = networkFromTraces(readTraces(dir));
  } finally {
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }

  // The truth, matched to the adversary's events by each client's own order of packets in and deliveries out.
  const clientKeys = clients.map((c) => hex(c.address.identityKey));
  const entries = new Map<string, number[]>();
  const deliveries = new Map<string, number[]>();
  const append = (map: Map<string, number[]>, key: string, index: number) => {
    const list = map.get(key);
    if (list) list.push(index);
    else map.set(key, [index]);
  };
  network.events.forEach((e: LinkEvent, index: number) => {
    if (!network.nodes.has(e.from)) append(entries, e.from, index);
    if (!network.nodes.has(e.to)) append(deliveries, e.to, index);
  });
  const at = (e: number) => (network.events[e] as LinkEvent).at;
  const entryOf = new Map<Sent, number>();
  const deliveryOf = new Map<Sent, number>();
  let resyncs = 0;
  for (let k = 0; k < clients.length; k++) {
    const key = clientKeys[k] as string;
    resyncs += matchInOrder(
      sent.filter((s) => s.sender === k && s.sendSeq !== undefined),
      (s) => [s.sendSeq as number, s.sentAt as number],
      entries.get(key) ?? [],
      at,
      "after",
      entryOf,
    );
    resyncs += matchInOrder(
      sent.filter((s) => s.recipient === k && s.recvSeq !== undefined),
      (s) => [s.recvSeq as number, s.receivedAt as number],
      deliveries.get(key) ?? [],
      at,
      "before",
      deliveryOf,
    );
  }
  const messages: RealMessage[] = [];
  let unmatched = 0;
  const latencies: number[] = [];
  for (const s of sent) {
    if (s.sendSeq === undefined) continue;
    const entry = entryOf.get(s);
    if (entry === undefined) {
      unmatched++;
      continue;
    }
    const delivery = deliveryOf.get(s);
    if (s.recvSeq !== undefined && delivery === undefined) unmatched++;
    if (delivery !== undefined) latencies.push(at(delivery) - at(entry));
    messages.push({
      sender: clientKeys[s.sender] as string,
      recipient: clientKeys[s.recipient] as string,
      entry,
      delivery,
    });
  }
  const mixes = [...network.nodes.entries()].filter(([, r]) => r !== "gateway").map(([id]) => id);
  const first = network.events[0]?.at ?? 0;
  const last = network.events.at(-1)?.at ?? first;
  const intoMixes = network.events.filter((e) => mixes.includes(e.to)).length;
  return {
    options: o,
    network,
    messages,
    stats: {
      queued: sent.length,
      entered: messages.length,
      delivered: messages.filter((m) => m.delivery !== undefined).length,
      unmatched,
      failed,
      restarts,
      resyncs,
      latencyP50Ms: median(latencies),
      latencyMeanMs: latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : 0,
      mixPacketsPerSecond: mixes.length > 0 && last > first ? intoMixes / mixes.length / ((last - first) / 1000) : 0,
      events: network.events.length,
    },
  };
}

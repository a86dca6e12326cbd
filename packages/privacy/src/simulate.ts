import { type Random, sampleExponential } from "@nym-ts/mixnet";
import type { LinkEvent, ObservedNetwork, RealMessage } from "./analysis.js";

/**
 * An ideal Loopix network as a discrete-event simulation, producing what the adversary would see (link events) and
 * the truth (real messages): the same stratified routes, Poisson streams and exponential delays as the real nodes,
 * with a fixed link latency and no processing time. The unit tests score the analysis on it (answers known), and a
 * report can put a measured run beside the ideal network at the same rates.
 */
export interface SimulationOptions {
  clients: number;
  gateways: number;
  layers: number;
  mixesPerLayer: number;
  durationMs: number;
  /** Mean per-hop delay at a mix, ms. */
  meanDelayMs: number;
  /** Real messages per client per second (Poisson), each to a uniformly chosen other client. */
  messageRate: number;
  /** Real-or-drop slots per second (lambdaP); 0 sends each real message at once and no drops. */
  lambdaP: number;
  /** Drop cover per client per second (lambdaD). */
  lambdaD: number;
  /** Loop cover per client per second (lambdaL). */
  lambdaL: number;
  /** Loops per mix per second (lambdaM). */
  mixLoopRate: number;
  /** One link's latency, ms. */
  latencyMs: number;
  /** Each delivered real message is acknowledged by a packet back to its sender, as MixClient does (default false). */
  acks?: boolean;
  /**
   * The final gateway answers every forward packet it receives for a client or drops (real messages, drop and loop
   * cover; not the recipients' acks, which are SURB replies) with a gateway ack through the three layers to the
   * sender's gateway and the sender, at once, as nym-gateway does (default false).
   */
  gatewayAcks?: boolean;
  /** Packet size on every link. */
  size?: number;
  random: Random;
}

/** Points of a Poisson process of `rate` per second over [0, durationMs). */
function poissonTimes(rate: number, durationMs: number, random: Random): number[] {
  const out: number[] = [];
  if (rate <= 0) return out;
  for (let t = sampleExponential(1000 / rate, random); t < durationMs; t += sampleExponential(1000 / rate, random)) {
    out.push(t);
  }
  return out;
}

const pick = <T>(list: readonly T[], random: Random): T => list[Math.floor(random() * list.length)] as T;

export function simulateNetwork(o: SimulationOptions): { network: ObservedNetwork; messages: RealMessage[] } {
  const { random } = o;
  const size = o.size ?? 2414;
  const nodes = new Map<string, number | "gateway">();
  const gateways = Array.from({ length: o.gateways }, (_, g) => `gw${g}`);
  for (const g of gateways) nodes.set(g, "gateway");
  const layers: string[][] = [];
  for (let l = 1; l <= o.layers; l++) {
    const layer = Array.from({ length: o.mixesPerLayer }, (_, k) => `mix${l}.${k}`);
    for (const m of layer) nodes.set(m, l);
    layers.push(layer);
  }
  const clients = Array.from({ length: o.clients }, (_, c) => `client${String(c).padStart(3, "0")}`);
  const gatewayOf = (c: number) => gateways[c % o.gateways] as string;

  const events: LinkEvent[] = [];
  const truth: { sender: string; recipient: string; entry: LinkEvent; delivery: LinkEvent }[] = [];
  /** A packet sent at `t` along `hops` (its origin first; no delay there); returns the events of each link. */
  const travel = (t: number, hops: string[]): LinkEvent[] => {
    const out: LinkEvent[] = [];
    let now = t;
    for (let h = 1; h < hops.length; h++) {
      const from = hops[h - 1] as string;
      const to = hops[h] as string;
      const fromRole = nodes.get(from);
      if (h > 1 && typeof fromRole === "number") now += sampleExponential(o.meanDelayMs, random);
      now += o.latencyMs;
      const ev = { at: now, from, to, size };
      out.push(ev);
      events.push(ev);
    }
    return out;
  };
  const route = () => layers.map((layer) => pick(layer, random));
  /** A forward packet from `me` (behind `gw`) that reached the final gateway at `arrival`: its gateway ack. */
  const gatewayAck = (arrival: LinkEvent, me: string, gw: string) => {
    if (o.gatewayAcks) travel(arrival.at, [arrival.to, ...route(), gw, me]);
  };
  /** The event of a forward packet's arrival at its final gateway (the last link into a gateway). */
  const atGateway = (evs: LinkEvent[]) => [...evs].reverse().find((e) => nodes.get(e.to) === "gateway") as LinkEvent;

  for (let c = 0; c < o.clients; c++) {
    const me = clients[c] as string;
    const gw = gatewayOf(c);
    const real = poissonTimes(o.messageRate, o.durationMs, random).map((t) => {
      let r = Math.floor(random() * (o.clients - 1));
      if (r >= c) r++;
      return { t, recipient: r };
    });
    const sendReal = (t: number, recipient: number) => {
      const to = clients[recipient] as string;
      const hops = [me, gw, ...route(), gatewayOf(recipient), to];
      const evs = travel(t, hops);
      gatewayAck(atGateway(evs), me, gw);
      const delivery = evs[evs.length - 1] as LinkEvent;
      truth.push({ sender: me, recipient: to, entry: evs[0] as LinkEvent, delivery });
      if (o.acks) {
        // The ack leaves at the recipient's next real-or-drop slot (at once without lambdaP); it takes no slot here.
        const wait = o.lambdaP > 0 ? sampleExponential(1000 / o.lambdaP, random) : 0;
        travel(delivery.at + wait, [to, gatewayOf(recipient), ...route(), gw, me]);
      }
    };
    if (o.lambdaP > 0) {
      // Real-or-drop: each slot sends the oldest waiting real message, or a drop.
      let next = 0;
      for (const slot of poissonTimes(o.lambdaP, o.durationMs, random)) {
        const waiting = real[next];
        if (waiting !== undefined && waiting.t <= slot) {
          sendReal(slot, waiting.recipient);
          next++;
        } else {
          gatewayAck(atGateway(travel(slot, [me, gw, ...route(), pick(gateways, random)])), me, gw);
        }
      }
    } else {
      for (const m of real) sendReal(m.t, m.recipient);
    }
    for (const t of poissonTimes(o.lambdaD, o.durationMs, random)) {
      gatewayAck(atGateway(travel(t, [me, gw, ...route(), pick(gateways, random)])), me, gw);
    }
    for (const t of poissonTimes(o.lambdaL, o.durationMs, random)) {
      gatewayAck(atGateway(travel(t, [me, gw, ...route(), gw, me])), me, gw);
    }
  }
  for (let l = 1; l <= o.layers; l++) {
    for (const mix of layers[l - 1] as string[]) {
      for (const t of poissonTimes(o.mixLoopRate, o.durationMs, random)) {
        // Through the later layers, a gateway, the earlier layers, back to the mix.
        const later = layers.slice(l).map((layer) => pick(layer, random));
        const earlier = layers.slice(0, l - 1).map((layer) => pick(layer, random));
        travel(t, [mix, ...later, pick(gateways, random), ...earlier, mix]);
      }
    }
  }
  events.sort((a, b) => a.at - b.at);
  const position = new Map<LinkEvent, number>();
  events.forEach((e, k) => {
    position.set(e, k);
  });
  const messages = truth
    .filter((m) => m.delivery.at < o.durationMs)
    .map((m) => ({
      sender: m.sender,
      recipient: m.recipient,
      entry: position.get(m.entry) as number,
      delivery: position.get(m.delivery) as number,
    }));
  return { network: { nodes, events }, messages };
}

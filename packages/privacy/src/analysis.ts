import type { ObservedRole, TraceSession } from "@nym-ts/mixnet-node";

/**
 * The global passive adversary, as pure functions over what it sees: packets on links (time, both ends, size),
 * never contents. It knows the public parameters (the mean delay per mix, the mixes' loop rate, the stratified
 * topology) and, per real message, when and where it entered the network; it does not know routes, delays or which
 * packets are cover.
 *
 * The per-hop model is the Loopix paper's: a mix holds each packet for an exponential delay of mean `m`, so an
 * output at `t_o` is input `i` (arrived at `t_i <= t_o`) with likelihood `exp(-(t_o - t_i) / m)` among the inputs
 * still possibly inside (memoryless: each packet in the mix is equally likely to be the next one out, and input `i`
 * is still inside with probability `exp(-(t_o - t_i) / m)`). Normalized over the candidate inputs this is
 * `P(i | o)`; with mix loops (rate lambdaM) an output is a fresh loop with probability
 * `lambdaM / (lambdaM + Z / m)`, `Z` the expected number of inputs still inside.
 *
 * - Sender anonymity (Loopix's per-hop model, over senders; the paper's Figure 4 metric, over past input messages, is
 *   `pool-entropy.ts`): each packet carries a distribution over who sent it, `D(o) = sum_i P(i | o) D(i)` (plus the
 *   fresh-loop share for the mix itself), computed for every packet in time order; its Shannon entropy in bits,
 *   averaged over a mix's outputs, is that mix's anonymity set.
 * - Recipient guess: from a real message's entry (client -> gateway), the adversary follows the message hop by hop
 *   with `P(i -> o)`, proportional to `P(i | o)` over the outputs after `i` (the chance that `o` is `i` and not one
 *   of the other inputs), along the stratified route (gateway, each layer, gateway, client), and guesses the client
 *   that receives the most of it.
 */

/** One packet on one link, as the adversary sees it. */
export interface LinkEvent {
  /** ms (any fixed origin). */
  at: number;
  /** Hex identity keys of the link's ends. */
  from: string;
  to: string;
  size: number;
}

/** What the adversary observed: the nodes (mixes by layer, gateways) and every link event, in time order. */
export interface ObservedNetwork {
  nodes: Map<string, ObservedRole>;
  events: LinkEvent[];
}

/** The adversary's knowledge of the public parameters. */
export interface AdversaryModel {
  /** Mean per-hop delay at a mix, ms (1/mu; 0 for no delay). */
  meanDelayMs: number;
  /** Processing and link latency added at every node (mixes and gateways), ms; the kernel's floor. */
  latencyMs: number;
  /** Loop cover packets per second each mix sends (lambdaM); 0 when mixes send none. */
  mixLoopRate: number;
  /**
   * Candidates are looked for within this many kernel means of a packet (default 12: e^-12 ~ 6e-6), and never less
   * than `minWindowMs` (default 1 s: a loaded node may hold a packet far longer than its mean, and a packet that
   * left during a stall is still followed, to the outputs after it).
   */
  window?: number;
  minWindowMs?: number;
  /**
   * Each node's mean holding time as the adversary measured it (`estimateHoldingTimes`), ms: the kernel mean of that
   * node instead of meanDelayMs + latencyMs (mixes) or latencyMs (gateways). A real node adds processing and queueing
   * time to the delay in the header, which the adversary sees in the counts.
   */
  holdingMs?: ReadonlyMap<string, number> | undefined;
}

/**
 * Each node's mean holding time from the counts alone (Little's law: the time-average of packets inside, inputs so
 * far less outputs so far, divided by the number of inputs). Mixes: every input and output (a mix's own loop leaves
 * before it comes back, so the count may dip below zero for a round trip: a small bias, lambdaM x round trip).
 * Gateways: packets from clients and their forwarding to the first layer, the count kept at zero or above (drop
 * cover is absorbed at a gateway, so the delivery side would count packets that never leave).
 */
export function estimateHoldingTimes(network: ObservedNetwork): Map<string, number> {
  const arrivals = new Map<string, number[]>();
  const departures = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, t: number) => {
    const list = map.get(key);
    if (list) list.push(t);
    else map.set(key, [t]);
  };
  for (const e of network.events) {
    const fromRole = network.nodes.get(e.from);
    const toRole = network.nodes.get(e.to);
    if (toRole !== undefined && (toRole !== "gateway" || fromRole === undefined)) add(arrivals, e.to, e.at);
    if (fromRole !== undefined && (fromRole !== "gateway" || toRole !== undefined)) add(departures, e.from, e.at);
  }
  const out = new Map<string, number>();
  for (const [id, role] of network.nodes) {
    const clamp = role === "gateway";
    const a = arrivals.get(id) ?? [];
    const d = departures.get(id) ?? [];
    if (a.length === 0) continue;
    // Integrate N(t) = arrivals - departures (never below 0) from the first arrival to the last event.
    let i = 0;
    let j = 0;
    let inside = 0;
    let area = 0;
    let t = a[0] as number;
    while (i < a.length || j < d.length) {
      const ta = i < a.length ? (a[i] as number) : Number.POSITIVE_INFINITY;
      const td = j < d.length ? (d[j] as number) : Number.POSITIVE_INFINITY;
      const next = Math.min(ta, td);
      if (next > t) {
        area += inside * (next - t);
        t = next;
      }
      if (ta <= td) {
        inside++;
        i++;
      } else {
        inside = clamp ? Math.max(0, inside - 1) : inside - 1;
        j++;
      }
    }
    out.set(id, Math.max(0, area / a.length));
  }
  return out;
}

/**
 * The adversary's view from the nodes' own recordings: a received packet is the link event (recorded by its
 * receiver); a sent packet counts only when its receiver records nothing (a client). Sessions of one node (restarts)
 * are merged.
 */
export function networkFromTraces(sessions: readonly TraceSession[]): ObservedNetwork {
  const nodes = new Map<string, ObservedRole>();
  for (const s of sessions) nodes.set(s.self, s.role);
  const events: LinkEvent[] = [];
  for (const s of sessions) {
    for (const p of s.packets) {
      if (!p.out) events.push({ at: p.at, from: p.peer, to: s.self, size: p.size });
      else if (!nodes.has(p.peer)) events.push({ at: p.at, from: s.self, to: p.peer, size: p.size });
    }
  }
  events.sort((a, b) => a.at - b.at);
  return { nodes, events };
}

/**
 * The nodes' typical processing and link latency as the adversary measures it: at the gateways, which add no delay
 * of their own, the median time from a packet in from a client to the next packet out to a mix (no contents needed;
 * the median ignores the stalls of a loaded machine, and mix loops crossing the gateway only shorten a few gaps).
 * Undefined without gateway traffic.
 */
export function estimateLatencyMs(network: ObservedNetwork): number | undefined {
  const diffs: number[] = [];
  for (const [id, role] of network.nodes) {
    if (role !== "gateway") continue;
    const pending: number[] = [];
    for (const e of network.events) {
      if (e.to === id && !network.nodes.has(e.from)) pending.push(e.at);
      else if (e.from === id && network.nodes.has(e.to)) {
        for (const t of pending) diffs.push(e.at - t);
        pending.length = 0;
      }
    }
  }
  if (diffs.length === 0) return undefined;
  diffs.sort((x, y) => x - y);
  return diffs[diffs.length >> 1] as number;
}

/** Shannon entropy in bits of a distribution (normalized here; zero and negative weights ignored). */
export function entropyBits(weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (w > 0) total += w;
  }
  if (total <= 0) return 0;
  let h = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (w > 0) {
      const p = w / total;
      h -= p * Math.log2(p);
    }
  }
  return h;
}

interface NodeIndex {
  /** Event indices arriving at the node, and their times (ascending). */
  inputs: Int32Array;
  inputTimes: Float64Array;
  /** Event indices leaving the node, and their times (ascending). */
  outputs: Int32Array;
  outputTimes: Float64Array;
  /** Kernel mean, ms. */
  mean: number;
  /** Fresh loops per ms (mixes' lambdaM). */
  loopRate: number;
}

/** First index of `times` with a value >= `t` (binary search). */
function lowerBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A sparse distribution over event indices. */
export interface EventWeights {
  events: number[];
  p: number[];
}

/** The per-hop likelihoods over an observed network (memoized per output packet). */
export class AdversaryView {
  readonly events: readonly LinkEvent[];
  readonly nodes: ReadonlyMap<string, ObservedRole>;
  /** Hex keys of every client seen (a link end that recorded nothing). */
  readonly clients: string[];
  /** Mix layers, 1..layers. */
  readonly layers: number;
  private readonly index = new Map<string, NodeIndex>();
  private readonly norm: Float64Array;
  private readonly near: Float64Array;
  private readonly fresh: Float64Array;
  private readonly window: number;
  private readonly minWindowMs: number;
  private readonly clientOf: Uint8Array;
  private readonly forwards = new Map<number, EventWeights>();
  private scratchArray: Float64Array | undefined;

  constructor(network: ObservedNetwork, model: AdversaryModel) {
    this.events = network.events;
    this.nodes = network.nodes;
    this.window = model.window ?? 12;
    this.minWindowMs = model.minWindowMs ?? 1000;
    const n = network.events.length;
    this.norm = new Float64Array(n).fill(Number.NaN);
    this.near = new Float64Array(n);
    this.fresh = new Float64Array(n);
    this.clientOf = new Uint8Array(n);
    let layers = 0;
    for (const role of network.nodes.values()) if (role !== "gateway") layers = Math.max(layers, role);
    this.layers = layers;
    const clients = new Set<string>();
    const ins = new Map<string, number[]>();
    const outs = new Map<string, number[]>();
    for (let e = 0; e < n; e++) {
      const ev = network.events[e] as LinkEvent;
      let kind = 0;
      if (!network.nodes.has(ev.from)) {
        clients.add(ev.from);
        kind |= 1;
      }
      if (!network.nodes.has(ev.to)) {
        clients.add(ev.to);
        kind |= 2;
      }
      this.clientOf[e] = kind;
      if (e > 0 && ev.at < (network.events[e - 1] as LinkEvent).at)
        throw new RangeError("events must be in time order");
      const input = ins.get(ev.to);
      if (input) input.push(e);
      else ins.set(ev.to, [e]);
      const output = outs.get(ev.from);
      if (output) output.push(e);
      else outs.set(ev.from, [e]);
    }
    this.clients = [...clients].sort();
    for (const [id, role] of network.nodes) {
      const inputs = Int32Array.from(ins.get(id) ?? []);
      const outputs = Int32Array.from(outs.get(id) ?? []);
      const mix = role !== "gateway";
      this.index.set(id, {
        inputs,
        inputTimes: Float64Array.from(inputs, (e) => (network.events[e] as LinkEvent).at),
        outputs,
        outputTimes: Float64Array.from(outputs, (e) => (network.events[e] as LinkEvent).at),
        mean: Math.max(model.holdingMs?.get(id) ?? (mix ? model.meanDelayMs : 0) + model.latencyMs, 0.25),
        loopRate: mix ? model.mixLoopRate / 1000 : 0,
      });
    }
  }

  private horizon(node: NodeIndex): number {
    return Math.max(node.mean * this.window, this.minWindowMs);
  }

  isClient(id: string): boolean {
    return !this.nodes.has(id);
  }

  /** Whether input `i` can be output `o` at their node: a client's packet never goes straight to a client. */
  private compatible(i: number, o: number): boolean {
    return !((this.clientOf[i] as number) & 1 && (this.clientOf[o] as number) & 2);
  }

  /**
   * The normalizer of output `o`, kept in a form that neither underflows nor overflows however far apart the times
   * are: `Z(o) = exp(-(t_o - near) / mean) * zRel`, `near` the latest candidate input's time and `zRel` the sum of
   * `exp(-(near - t_i) / mean)` over the candidates (>= 1 when there is one, 0 when none). Also sets the fresh-loop
   * share of `o`. Returns zRel.
   */
  private normalizer(o: number): number {
    const cached = this.norm[o] as number;
    if (!Number.isNaN(cached)) return cached;
    const ev = this.events[o] as LinkEvent;
    const node = this.index.get(ev.from);
    let zRel = 0;
    let near = Number.NaN;
    if (node) {
      const start = lowerBound(node.inputTimes, ev.at - this.horizon(node));
      let end = lowerBound(node.inputTimes, ev.at + 1e-9);
      // The latest compatible candidate sets the reference time.
      while (end > start) {
        const i = node.inputs[end - 1] as number;
        if (i < o && this.compatible(i, o)) break;
        end--;
      }
      if (end > start) {
        near = node.inputTimes[end - 1] as number;
        for (let k = start; k < end; k++) {
          const i = node.inputs[k] as number;
          if (i >= o || !this.compatible(i, o)) continue;
          zRel += Math.exp(-(near - (node.inputTimes[k] as number)) / node.mean);
        }
      }
      if (zRel === 0) this.fresh[o] = 1;
      else if (node.loopRate === 0) this.fresh[o] = 0;
      else {
        // lambdaM / (lambdaM + Z / mean), with Z in log form.
        const logHazard = -(ev.at - near) / node.mean + Math.log(zRel) - Math.log(node.mean);
        this.fresh[o] = 1 / (1 + Math.exp(logHazard - Math.log(node.loopRate)));
      }
    } else {
      this.fresh[o] = 1; // a client's packet: it starts here
    }
    this.norm[o] = zRel;
    this.near[o] = near;
    return zRel;
  }

  /** The probability that output `o` is a packet its node created (a mix loop); 1 for a client's packets. */
  freshShare(o: number): number {
    this.normalizer(o);
    return this.fresh[o] as number;
  }

  /** P(i | o) over the inputs of `o`'s node: which packet that came in is the one that went out. */
  posterior(o: number): EventWeights {
    const zRel = this.normalizer(o);
    const out: EventWeights = { events: [], p: [] };
    const ev = this.events[o] as LinkEvent;
    const node = this.index.get(ev.from);
    if (!node || zRel <= 0) return out;
    const near = this.near[o] as number;
    const scale = (1 - (this.fresh[o] as number)) / zRel;
    const start = lowerBound(node.inputTimes, ev.at - this.horizon(node));
    for (let k = start; k < node.inputs.length; k++) {
      const t = node.inputTimes[k] as number;
      if (t > near) break;
      const i = node.inputs[k] as number;
      if (i >= o || !this.compatible(i, o)) continue;
      out.events.push(i);
      out.p.push(Math.exp(-(near - t) / node.mean) * scale);
    }
    return out;
  }

  /**
   * P(i -> o): where input `i` went, over its node's outputs after it, proportional to P(i | o). `toClient` keeps
   * only outputs to clients (true) or only outputs to nodes (false); all when undefined.
   */
  forward(i: number, toClient?: boolean): EventWeights {
    const key = toClient === undefined ? i : toClient ? -1 - 2 * i : -2 - 2 * i;
    const cached = this.forwards.get(key);
    if (cached) return cached;
    const computed = this.computeForward(i, toClient);
    this.forwards.set(key, computed);
    return computed;
  }

  /** A zeroed array of one float per event, for accumulating (callers leave it zeroed). */
  scratch(): Float64Array {
    this.scratchArray ??= new Float64Array(this.events.length);
    return this.scratchArray;
  }

  private computeForward(i: number, toClient: boolean | undefined): EventWeights {
    const ev = this.events[i] as LinkEvent;
    const node = this.index.get(ev.to);
    const out: EventWeights = { events: [], p: [] };
    if (!node) return out;
    const start = lowerBound(node.outputTimes, ev.at);
    const end = ev.at + this.horizon(node);
    // log P(i | o) for each candidate output, then normalized from the largest (no underflow of the whole set).
    let best = Number.NEGATIVE_INFINITY;
    for (let k = start; k < node.outputs.length; k++) {
      const t = node.outputTimes[k] as number;
      if (t > end) break;
      const o = node.outputs[k] as number;
      if (o <= i || !this.compatible(i, o)) continue;
      if (toClient !== undefined && ((this.clientOf[o] as number) & 2) !== (toClient ? 2 : 0)) continue;
      const zRel = this.normalizer(o);
      const keep = 1 - (this.fresh[o] as number);
      const near = this.near[o] as number;
      if (zRel <= 0 || keep <= 0 || ev.at > near) continue;
      const logW = Math.log(keep) - (near - ev.at) / node.mean - Math.log(zRel);
      out.events.push(o);
      out.p.push(logW);
      if (logW > best) best = logW;
    }
    let total = 0;
    for (let k = 0; k < out.p.length; k++) {
      const w = Math.exp((out.p[k] as number) - best);
      out.p[k] = w;
      total += w;
    }
    if (total > 0) for (let k = 0; k < out.p.length; k++) out.p[k] = (out.p[k] as number) / total;
    return out;
  }
}

/** The adversary's belief about one real message's recipient. */
export interface RecipientGuess {
  /** Hex key of the most likely recipient (undefined when the trail was lost). */
  guess: string | undefined;
  /** Probability per candidate recipient (every client but the sender), summing to 1 (or empty when lost). */
  distribution: Map<string, number>;
  /** Entropy of `distribution`, bits. */
  entropy: number;
  /** Rank of `truth` in the distribution when given (1 = the guess). */
  rank: number | undefined;
}

/**
 * Follows a real message from its entry event (client -> gateway) along the stratified route: the gateway, each mix
 * layer, the recipient's gateway, the recipient; `steps` defaults to layers + 2. Mass below `prune` (relative) is
 * dropped at each step.
 */
export function traceRecipient(
  view: AdversaryView,
  entry: number,
  options: { sender?: string; truth?: string; steps?: number; prune?: number } = {},
): RecipientGuess {
  const steps = options.steps ?? view.layers + 2;
  const prune = options.prune ?? 1e-9;
  let events = [entry];
  let weights = [1];
  const acc = view.scratch();
  for (let s = 1; s <= steps; s++) {
    const touched: number[] = [];
    let total = 0;
    for (let k = 0; k < events.length; k++) {
      const m = weights[k] as number;
      const f = view.forward(events[k] as number, s === steps);
      for (let j = 0; j < f.events.length; j++) {
        const o = f.events[j] as number;
        const add = m * (f.p[j] as number);
        if (acc[o] === 0) touched.push(o);
        acc[o] = (acc[o] as number) + add;
        total += add;
      }
    }
    events = [];
    weights = [];
    for (const o of touched) {
      const m = acc[o] as number;
      acc[o] = 0;
      if (m >= prune * total) {
        events.push(o);
        weights.push(m);
      }
    }
  }
  const sender = options.sender ?? view.events[entry]?.from;
  const byClient = new Map<string, number>();
  for (const c of view.clients) if (c !== sender) byClient.set(c, 0);
  let total = 0;
  for (let k = 0; k < events.length; k++) {
    const m = weights[k] as number;
    const to = (view.events[events[k] as number] as LinkEvent).to;
    if (!byClient.has(to)) continue;
    byClient.set(to, (byClient.get(to) as number) + m);
    total += m;
  }
  if (total <= 0) {
    return { guess: undefined, distribution: new Map(), entropy: 0, rank: undefined };
  }
  const distribution = new Map<string, number>();
  for (const [c, m] of byClient) distribution.set(c, m / total);
  const ranked = [...distribution.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const truth = options.truth;
  return {
    guess: ranked[0]?.[0],
    distribution,
    entropy: entropyBits([...distribution.values()]),
    rank: truth === undefined ? undefined : ranked.findIndex(([c]) => c === truth) + 1 || undefined,
  };
}

/**
 * Who sent each packet, as the adversary can tell: per event a distribution over the senders (`labels`: every
 * client, then every mix as the origin of its own loops), computed in time order. Memory: events x labels floats.
 */
export class SenderDistributions {
  readonly labels: string[];
  private readonly labelIndex = new Map<string, number>();
  private readonly rows: Float32Array;

  constructor(readonly view: AdversaryView) {
    const mixes = [...view.nodes.entries()].filter(([, r]) => r !== "gateway").map(([id]) => id);
    this.labels = [...view.clients, ...mixes.sort()];
    this.labels.forEach((l, k) => {
      this.labelIndex.set(l, k);
    });
    const width = this.labels.length;
    const n = view.events.length;
    this.rows = new Float32Array(n * width);
    for (let e = 0; e < n; e++) {
      const ev = view.events[e] as LinkEvent;
      const row = e * width;
      if (view.isClient(ev.from)) {
        const k = this.labelIndex.get(ev.from) as number;
        this.rows[row + k] = 1;
        continue;
      }
      const fresh = view.freshShare(e);
      const own = this.labelIndex.get(ev.from);
      if (own !== undefined) this.rows[row + own] = fresh;
      const post = view.posterior(e);
      for (let j = 0; j < post.events.length; j++) {
        const src = (post.events[j] as number) * width;
        const p = post.p[j] as number;
        for (let k = 0; k < width; k++)
          this.rows[row + k] = (this.rows[row + k] as number) + p * (this.rows[src + k] as number);
      }
    }
  }

  /** The distribution of event `e` over `labels` (a view: copy before keeping). */
  of(e: number): Float32Array {
    const width = this.labels.length;
    return this.rows.subarray(e * width, (e + 1) * width);
  }

  /** Entropy in bits of event `e`'s sender distribution; `clientsOnly` conditions on a client having sent it. */
  entropy(e: number, clientsOnly = false): number {
    const row = this.of(e);
    return entropyBits(clientsOnly ? row.subarray(0, this.view.clients.length) : row);
  }

  /** The most likely client sender of event `e` (undefined when no client has any weight). */
  likeliestClient(e: number): string | undefined {
    const row = this.of(e);
    let best = -1;
    let bestP = 0;
    for (let k = 0; k < this.view.clients.length; k++) {
      if ((row[k] as number) > bestP) {
        bestP = row[k] as number;
        best = k;
      }
    }
    return best < 0 ? undefined : this.view.clients[best];
  }
}

/** A real message as the experiment knows it (the truth the adversary is scored against). */
export interface RealMessage {
  sender: string;
  recipient: string;
  /** Index of the link event where it entered the network (sender -> its gateway). */
  entry: number;
  /** Index of its delivery (gateway -> recipient), when it was delivered and matched. */
  delivery?: number | undefined;
}

/** Entropy of the packets leaving one mix layer (or the gateways' deliveries), bits. */
export interface LayerEntropy {
  /** 1..layers, or "delivery" for gateway -> client packets. */
  layer: number | "delivery";
  packets: number;
  /** Mean entropy of the sender distribution of the packets leaving the layer (Loopix's per-hop model, over senders). */
  senderEntropy: number;
  /** Mean entropy of P(. | o) over the layer's inputs (one hop's anonymity set). */
  hopEntropy: number;
}

export interface PrivacyResult {
  clients: number;
  messages: number;
  /** Messages whose trail the adversary lost entirely (counted as failures). */
  lost: number;
  /** Share of messages whose recipient the adversary guessed right. */
  recipientSuccess: number;
  /** The random guess: 1 / (clients - 1). */
  baseline: number;
  /** Mean entropy of the recipient distribution, bits (log2(clients - 1) at best). */
  recipientEntropy: number;
  /** Mean rank of the true recipient (1 = guessed). */
  meanRank: number;
  /** Delivered messages scored for sender anonymity. */
  delivered: number;
  /** Share of delivered messages whose sender the adversary names from the delivery. */
  senderSuccess: number;
  /** Mean entropy of the delivery's sender distribution over clients, bits. */
  senderEntropy: number;
  layers: LayerEntropy[];
}

/** Scores the adversary on `messages`: recipient guesses from each entry, sender anonymity at each delivery. */
export function analyzePrivacy(
  network: ObservedNetwork,
  messages: readonly RealMessage[],
  model: AdversaryModel,
): PrivacyResult {
  const view = new AdversaryView(network, model);
  const senders = new SenderDistributions(view);
  let hits = 0;
  let lost = 0;
  let entropy = 0;
  let rankSum = 0;
  let delivered = 0;
  let senderHits = 0;
  let senderEntropy = 0;
  for (const m of messages) {
    const g = traceRecipient(view, m.entry, { sender: m.sender, truth: m.recipient });
    if (g.guess === undefined) {
      lost++;
      rankSum += (view.clients.length - 1 + 1) / 2;
      entropy += Math.log2(Math.max(1, view.clients.length - 1));
    } else {
      if (g.guess === m.recipient) hits++;
      entropy += g.entropy;
      rankSum += g.rank ?? view.clients.length - 1;
    }
    if (m.delivery !== undefined) {
      delivered++;
      senderEntropy += senders.entropy(m.delivery, true);
      if (senders.likeliestClient(m.delivery) === m.sender) senderHits++;
    }
  }
  const n = Math.max(1, messages.length);
  return {
    clients: view.clients.length,
    messages: messages.length,
    lost,
    recipientSuccess: hits / n,
    baseline: 1 / Math.max(1, view.clients.length - 1),
    recipientEntropy: entropy / n,
    meanRank: rankSum / n,
    delivered,
    senderSuccess: delivered > 0 ? senderHits / delivered : 0,
    senderEntropy: delivered > 0 ? senderEntropy / delivered : 0,
    layers: layerEntropies(view, senders),
  };
}

/** Per mix layer (and the gateways' deliveries): the mean sender entropy and one-hop entropy of what leaves it. */
export function layerEntropies(view: AdversaryView, senders: SenderDistributions): LayerEntropy[] {
  const acc = new Map<number | "delivery", { packets: number; sender: number; hop: number }>();
  for (let e = 0; e < view.events.length; e++) {
    const ev = view.events[e] as LinkEvent;
    const role = view.nodes.get(ev.from);
    if (role === undefined) continue;
    let layer: number | "delivery";
    if (role === "gateway") {
      if (!view.isClient(ev.to)) continue;
      layer = "delivery";
    } else layer = role;
    const post = view.posterior(e);
    const hop = entropyBits([...post.p, view.freshShare(e)]);
    const a = acc.get(layer) ?? { packets: 0, sender: 0, hop: 0 };
    a.packets++;
    a.sender += senders.entropy(e, layer === "delivery");
    a.hop += hop;
    acc.set(layer, a);
  }
  const order = (l: number | "delivery") => (l === "delivery" ? 1e9 : l);
  return [...acc.entries()]
    .sort((a, b) => order(a[0]) - order(b[0]))
    .map(([layer, a]) => ({
      layer,
      packets: a.packets,
      senderEntropy: a.sender / a.packets,
      hopEntropy: a.hop / a.packets,
    }));
}

import {
  type GatewayRegistration,
  type IssuerRegistration,
  type MixnodeRegistration,
  NODE_KINDS,
  type NodeKind,
  NodeMetricsHistory,
  presenceList,
  type ServiceProviderRegistration,
  type ValidatorRegistration,
  type VerifierRegistration,
} from "@nym-ts/directory-client/schemas";
import { z } from "zod";
import {
  type ActivityBuckets,
  ActivityTracker,
  type ChainRpc,
  CometBlockchain,
  CometStatus,
  CometTxSearch,
  type ValidatorStatus,
  validatorStatus,
} from "./chain.js";
import { FetchFailure, fetchJson, mapLimited } from "./fetching.js";
import {
  type MixnodeStatus,
  mixnodeStatus,
  PresenceTracker,
  type RateSeries,
  type Rates,
  ReportStore,
  type TrackedNode,
} from "./network.js";

/**
 * The page's state machine, without the DOM: two polling loops (the directory: presence of every kind and the
 * mixnodes' metric reports; the chain: each validator's /status through the directory's RPC proxy and the credential
 * events), each with its own timeout, and a snapshot the view renders. A source that fails keeps its last data and
 * is reported stale with the reason; a node the directory stops listing stays on the page, down.
 */

/** Health of one source of data. */
export interface SourceHealth {
  ok: boolean;
  /** Directory-clock time of the last successful refresh. */
  updatedAt: number | undefined;
  /** Why the last refresh failed. */
  error: string | undefined;
  /** Whether a refresh is running now. */
  loading: boolean;
}

export interface MixnodeView {
  identityKey: string;
  layer: number;
  host: string;
  version: string;
  status: MixnodeStatus;
  rates: Rates | undefined;
  lastReportAt: number | undefined;
  goneAt: number | undefined;
}

export interface GatewayView {
  identityKey: string;
  mixnetAddress: string;
  clientAddress: string;
  version: string;
  status: "up" | "down";
  /** Packets per second the last mix layer delivered to it. */
  delivered: number;
  goneAt: number | undefined;
}

export interface ValidatorView {
  /** The identity key, or "configured" for the directory's configured RPC URL. */
  target: string;
  identityKey: string | undefined;
  rpcUrl: string | undefined;
  version: string | undefined;
  status: ValidatorStatus;
  moniker: string | undefined;
  network: string | undefined;
  height: number | undefined;
  blockTime: number | undefined;
  error: string | undefined;
  goneAt: number | undefined;
}

export interface ServiceView {
  kind: "issuer" | "verifier" | "service-provider";
  identityKey: string;
  url: string | undefined;
  ethereumAddress: string;
  detail: string | undefined;
  version: string;
  status: "up" | "down";
  lastSeen: number;
  expiresAt: number;
  goneAt: number | undefined;
}

export interface Snapshot {
  /** The directory's clock now (local clock plus the offset measured from its Date headers). */
  now: number;
  sources: { directory: SourceHealth; chain: SourceHealth; activity: SourceHealth };
  /** Layers 1..3. */
  layers: [MixnodeView[], MixnodeView[], MixnodeView[]];
  gateways: GatewayView[];
  validators: ValidatorView[];
  chain: { height: number | undefined; blockTime: number | undefined; network: string | undefined };
  issuers: ServiceView[];
  verifiers: ServiceView[];
  serviceProviders: ServiceView[];
  series: RateSeries;
  activity: ActivityBuckets | undefined;
  /** Packets per second into layer 1 (what entered the mix) and out of layer 3 (what left it). */
  throughput: { entering: number; leaving: number; dropped: number };
}

export interface ExplorerOptions {
  /** The directory's API root, e.g. `new URL("../api/v1/", location.href)`. */
  apiBase: URL;
  /** The directory's explorer root, e.g. `new URL("./", location.href)` (settings and rpc/ are under it). */
  explorerBase: URL;
  /** Time between the end of one refresh and the start of the next. */
  refreshMs: number;
  /** Per-request timeout; a slower answer counts as a failure and the last data is shown stale. */
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  /** Span of the plots. */
  spanMs?: number;
}

const Settings = z
  .object({
    chainRpcConfigured: z.boolean().describe("Whether the directory has a chain RPC URL of its own"),
    rpcTimeoutMs: z.int().describe("The directory's timeout towards a validator's RPC"),
  })
  .describe("Explorer settings");

const initialHealth = (): SourceHealth => ({ ok: false, updatedAt: undefined, error: undefined, loading: true });

const KINDS = Object.keys(NODE_KINDS) as NodeKind[];
/** Most mixnodes whose metric reports one refresh reads (one request each). */
const HISTORIES_PER_REFRESH = 48;

export class ExplorerController {
  readonly #options: Required<Omit<ExplorerOptions, "fetch">> & { fetch: typeof globalThis.fetch | undefined };
  readonly #presence = new PresenceTracker();
  readonly #reports = new ReportStore();
  readonly #activity: ActivityTracker;
  readonly #listeners = new Set<(snapshot: Snapshot) => void>();
  readonly #offsets: number[] = [];
  readonly #chainStatus = new Map<string, { status: CometStatus | undefined; reachable: boolean; error?: string }>();
  #settings: z.infer<typeof Settings> | undefined;
  #historyCursor = 0;
  #sources = { directory: initialHealth(), chain: initialHealth(), activity: initialHealth() };
  #timers: ReturnType<typeof setTimeout>[] = [];
  #running = false;

  constructor(options: ExplorerOptions) {
    this.#options = {
      ...options,
      fetch: options.fetch,
      now: options.now ?? Date.now,
      spanMs: options.spanMs ?? 10 * 60_000,
    };
    this.#activity = new ActivityTracker(this.#options.spanMs);
  }

  /** The directory's clock, by the median offset of its recent Date headers. */
  now(): number {
    const sorted = [...this.#offsets].sort((a, b) => a - b);
    const offset = sorted.length === 0 ? 0 : (sorted[Math.floor(sorted.length / 2)] as number);
    return this.#options.now() + offset;
  }

  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts both polling loops and a one-second tick (ages on the page keep counting between refreshes). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop(() => this.refreshDirectory());
    this.#loop(() => this.refreshChain());
    const tick = () => {
      if (!this.#running) return;
      this.#emit();
      this.#timers.push(setTimeout(tick, 1000));
    };
    tick();
  }

  stop(): void {
    this.#running = false;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
  }

  #loop(refresh: () => Promise<void>): void {
    const run = async () => {
      if (!this.#running) return;
      try {
        await refresh();
      } catch {
        // refresh records its own failures; nothing may stop the loop.
      }
      this.#emit();
      if (this.#running) this.#timers.push(setTimeout(run, this.#options.refreshMs));
    };
    void run();
  }

  #emit(): void {
    const snapshot = this.snapshot();
    for (const listener of this.#listeners) {
      try {
        listener(snapshot);
      } catch {
        // a view error must not stop the others
      }
    }
  }

  #get<S extends z.ZodType>(url: URL, schema: S) {
    return fetchJson(url, schema, {
      timeoutMs: this.#options.timeoutMs,
      now: this.#options.now,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
    });
  }

  #noteClock(serverDate: number | undefined, localMidpoint: number): void {
    if (serverDate === undefined) return;
    // The Date header has 1 s resolution: on average it is 0.5 s behind the instant it stands for.
    this.#offsets.push(serverDate + 500 - localMidpoint);
    if (this.#offsets.length > 9) this.#offsets.shift();
  }

  #succeeded(source: SourceHealth): void {
    Object.assign(source, { ok: true, updatedAt: this.now(), error: undefined, loading: false });
  }

  #failed(source: SourceHealth, error: unknown): void {
    const message = error instanceof FetchFailure ? error.message : "failed";
    Object.assign(source, { ok: false, error: message, loading: false });
  }

  /** One refresh of the directory's data: every kind's presence, then the metric reports of the listed mixnodes. */
  async refreshDirectory(): Promise<void> {
    const source = this.#sources.directory;
    source.loading = true;
    const answers = await Promise.allSettled(
      KINDS.map(async (kind) => {
        const answer = await this.#get(
          new URL(`presence/${NODE_KINDS[kind].path}`, this.#options.apiBase),
          presenceList(NODE_KINDS[kind].schema),
        );
        this.#noteClock(answer.serverDate, answer.localMidpoint);
        return { kind, nodes: answer.data.nodes };
      }),
    );
    const now = this.now();
    let failure: unknown;
    for (const answer of answers) {
      if (answer.status === "fulfilled") this.#presence.update(answer.value.kind, answer.value.nodes, now);
      else failure ??= answer.reason;
    }
    const listed = this.#presence.nodes("mixnode").filter((n) => n.listed);
    // A large network is read in turns: at most HISTORIES_PER_REFRESH nodes' reports per refresh.
    const mixnodes =
      listed.length <= HISTORIES_PER_REFRESH
        ? listed
        : Array.from(
            { length: HISTORIES_PER_REFRESH },
            (_, i) => listed[(this.#historyCursor + i) % listed.length] as (typeof listed)[number],
          );
    this.#historyCursor = listed.length === 0 ? 0 : (this.#historyCursor + mixnodes.length) % listed.length;
    const histories = await mapLimited(mixnodes, 6, async (node) => {
      const limit = this.#reports.knows(node.identityKey) ? 20 : 500;
      const url = new URL(`metrics/mixnodes/${node.identityKey}?limit=${limit}`, this.#options.apiBase);
      const answer = await this.#get(url, NodeMetricsHistory);
      this.#reports.merge(node.identityKey, answer.data.reports);
      return true;
    });
    if (mixnodes.length > 0 && histories.every((h) => h === undefined))
      failure ??= new FetchFailure("http", "no mixnode's metrics could be read");
    this.#reports.prune(this.now());
    if (failure === undefined) this.#succeeded(source);
    else this.#failed(source, failure);
  }

  #rpc(target: string): ChainRpc {
    const call = <S extends z.ZodType>(method: string, params: Record<string, string | number>, schema: S) => {
      const url = new URL(`rpc/${encodeURIComponent(target)}/${method}`, this.#options.explorerBase);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
      return this.#get(url, schema).then((a) => a.data);
    };
    return {
      status: () => call("status", {}, CometStatus),
      blockchain: (minHeight, maxHeight) => call("blockchain", { minHeight, maxHeight }, CometBlockchain),
      txSearch: (query, page, perPage) =>
        call("tx_search", { query, page, per_page: perPage, order_by: "asc" }, CometTxSearch),
    };
  }

  #chainTargets(): string[] {
    const targets = this.#presence
      .nodes("validator")
      .filter((v) => v.listed)
      .map((v) => v.identityKey);
    if (this.#settings?.chainRpcConfigured) targets.push("configured");
    return targets;
  }

  /** One refresh of the chain: every validator's /status, then the credential events from the highest one. */
  async refreshChain(): Promise<void> {
    const chain = this.#sources.chain;
    chain.loading = true;
    if (this.#settings === undefined) {
      try {
        this.#settings = (await this.#get(new URL("settings", this.#options.explorerBase), Settings)).data;
      } catch (error) {
        this.#failed(chain, error);
        return;
      }
    }
    const targets = this.#chainTargets();
    for (const key of [...this.#chainStatus.keys()]) if (!targets.includes(key)) this.#chainStatus.delete(key);
    if (targets.length === 0) {
      Object.assign(chain, { ok: true, updatedAt: this.now(), error: "no validator registered", loading: false });
      this.#sources.activity.loading = false;
      return;
    }
    const statuses = await Promise.all(
      targets.map(async (target) => {
        try {
          const status = await this.#rpc(target).status();
          this.#chainStatus.set(target, { status, reachable: true });
          return { target, status };
        } catch (error) {
          const previous = this.#chainStatus.get(target)?.status;
          this.#chainStatus.set(target, {
            status: previous,
            reachable: false,
            error: error instanceof FetchFailure ? error.message : "failed",
          });
          return undefined;
        }
      }),
    );
    const reachable = statuses.filter((s) => s !== undefined);
    if (reachable.length === 0) {
      this.#failed(chain, new FetchFailure("network", "no validator's RPC answered"));
      this.#failed(this.#sources.activity, new FetchFailure("network", "no validator's RPC answered"));
      return;
    }
    this.#succeeded(chain);
    const best = reachable.reduce((a, b) =>
      b.status.result.sync_info.latest_block_height > a.status.result.sync_info.latest_block_height ? b : a,
    );
    try {
      await this.#activity.poll(this.#rpc(best.target), {
        height: best.status.result.sync_info.latest_block_height,
        time: best.status.result.sync_info.latest_block_time,
      });
      this.#succeeded(this.#sources.activity);
    } catch (error) {
      this.#failed(this.#sources.activity, error);
    }
  }

  snapshot(): Snapshot {
    const now = this.now();
    const reports = this.#reports;
    const mixnodes = this.#presence.nodes("mixnode");
    const layers: Snapshot["layers"] = [[], [], []];
    const layerOf = new Map<string, number>();
    for (const tracked of mixnodes) {
      const node = tracked.node as MixnodeRegistration;
      layerOf.set(tracked.identityKey, node.layer);
      const last = reports.lastReport(tracked.identityKey);
      const status = mixnodeStatus(tracked, last, now);
      layers[node.layer - 1]?.push({
        identityKey: tracked.identityKey,
        layer: node.layer,
        host: node.host,
        version: node.version,
        status,
        rates: status === "down" ? undefined : reports.rates(tracked.identityKey, now),
        lastReportAt: last?.receivedAt,
        goneAt: tracked.goneAt,
      });
    }
    const gatewayNodes = this.#presence.nodes("gateway");
    const delivered = reports.ratesInto(
      gatewayNodes.map((g) => g.identityKey),
      now,
    );
    const gateways = gatewayNodes.map((tracked): GatewayView => {
      const node = tracked.node as GatewayRegistration;
      return {
        identityKey: tracked.identityKey,
        mixnetAddress: node.mixnetAddress,
        clientAddress: node.clientAddress,
        version: node.version,
        status: tracked.listed ? "up" : "down",
        delivered: delivered.get(tracked.identityKey) ?? 0,
        goneAt: tracked.goneAt,
      };
    });

    const validatorNodes = this.#presence.nodes("validator");
    const heights = [...this.#chainStatus.values()]
      .filter((s) => s.reachable && s.status !== undefined)
      .map((s) => s.status as CometStatus);
    const best = heights.reduce<CometStatus | undefined>(
      (a, b) =>
        a === undefined || b.result.sync_info.latest_block_height > a.result.sync_info.latest_block_height ? b : a,
      undefined,
    );
    const bestHeight = best?.result.sync_info.latest_block_height ?? 0;
    const validatorView = (
      target: string,
      tracked: TrackedNode<"validator"> | undefined,
      listed: boolean,
    ): ValidatorView => {
      const chain = this.#chainStatus.get(target);
      const node = tracked?.node as ValidatorRegistration | undefined;
      return {
        target,
        identityKey: tracked?.identityKey,
        rpcUrl: node?.rpcUrl,
        version: node?.version,
        status: validatorStatus(listed, chain?.status, chain?.reachable ?? false, bestHeight),
        moniker: chain?.status?.result.node_info.moniker,
        network: chain?.status?.result.node_info.network,
        height: chain?.status?.result.sync_info.latest_block_height,
        blockTime: chain?.status?.result.sync_info.latest_block_time,
        error: chain?.reachable === false ? chain.error : undefined,
        goneAt: tracked?.goneAt,
      };
    };
    const validators = validatorNodes.map((v) => validatorView(v.identityKey, v, v.listed));
    if (this.#settings?.chainRpcConfigured) validators.push(validatorView("configured", undefined, true));

    const service = <K extends "issuer" | "verifier" | "service-provider">(kind: K): ServiceView[] =>
      this.#presence.nodes(kind).map((tracked) => {
        const node = tracked.node as IssuerRegistration | VerifierRegistration | ServiceProviderRegistration;
        let detail: string | undefined;
        if (kind === "issuer") detail = `index ${(node as IssuerRegistration).issuerIndex}`;
        if (kind === "service-provider") {
          detail = (node as ServiceProviderRegistration).mixnetAddress ? "HTTP + mixnet" : "HTTP";
        }
        return {
          kind,
          identityKey: tracked.identityKey,
          url: node.apiUrl,
          ethereumAddress: node.ethereumAddress,
          detail,
          version: node.version,
          status: tracked.listed ? "up" : "down",
          lastSeen: tracked.lastSeen,
          expiresAt: tracked.expiresAt,
          goneAt: tracked.goneAt,
        };
      });

    const upRates = (layer: MixnodeView[], pick: (r: Rates) => number) =>
      layer.reduce((total, n) => total + (n.rates ? pick(n.rates) : 0), 0);
    return {
      now,
      sources: {
        directory: { ...this.#sources.directory },
        chain: { ...this.#sources.chain },
        activity: { ...this.#sources.activity },
      },
      layers,
      gateways,
      validators,
      chain: {
        height: best?.result.sync_info.latest_block_height,
        blockTime: best?.result.sync_info.latest_block_time,
        network: best?.result.node_info.network,
      },
      issuers: service("issuer"),
      verifiers: service("verifier"),
      serviceProviders: service("service-provider"),
      series: reports.series(layerOf, new Set(gatewayNodes.map((g) => g.identityKey)), now, this.#options.spanMs),
      activity: this.#activity.scanned === undefined ? undefined : this.#activity.buckets(now),
      throughput: {
        entering: upRates(layers[0], (r) => r.received),
        leaving: upRates(layers[2], (r) => r.sent),
        dropped: layers.flat().reduce((t, n) => t + (n.rates?.dropped ?? 0), 0),
      },
    };
  }
}

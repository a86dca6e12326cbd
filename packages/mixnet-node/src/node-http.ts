import { createHttpApp, type HttpApp, type Logger } from "@nym-ts/common";
import type { MixTransport } from "@nym-ts/mixnet";
import { Counter, Gauge } from "prom-client";
import type { MixCore } from "./mix-core.js";

export interface NodeHttpOptions {
  log: Logger;
  /** `nym-mixnode` or `nym-gateway`: the /health service name and the metrics prefix. */
  service: string;
  version: string;
  host: string;
  port: number;
  core: MixCore;
  transport: MixTransport;
  /** More counters to export, read at scrape time (a gateway's mailbox counters). */
  extraCounters?: () => Record<string, number>;
}

/**
 * The operator's HTTP side of a mix daemon: GET /health (listening, topology known) and Prometheus GET /metrics,
 * read from the engine's counters at scrape time so the packet path never touches prom-client.
 */
export async function startNodeHttp(options: NodeHttpOptions): Promise<{ app: HttpApp; url: string }> {
  const { core, transport } = options;
  const { app, registry } = await createHttpApp({
    log: options.log,
    service: options.service,
    version: options.version,
    healthChecks: {
      listening: () => ({ ok: transport.listenAddresses().length > 0 }),
      topology: () => {
        const n = core.topology.topology.mixnodes.length + core.topology.topology.gateways.length;
        return n > 0 ? { ok: true, detail: `${n} nodes` } : { ok: false, detail: "no topology from the directory yet" };
      },
    },
  });
  const prefix = `${options.service.replace(/[^A-Za-z0-9]+/g, "_")}_`;
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name: `${prefix}${name}`,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter("packets_received_total", "Sphinx packets received", () => core.counters.received);
  counter("packets_forwarded_total", "Packets sent on to the next hop", () => core.counters.forwarded);
  counter("loops_sent_total", "Own loop cover packets sent", () => core.counters.loopsSent);
  counter("loops_returned_total", "Own loop cover packets that came back", () => core.counters.loopsReturned);
  counter(
    "link_frames_dropped_total",
    "Frames refused by full or unreachable links",
    () => transport.stats().framesDropped,
  );
  counter("link_bad_frames_total", "Links torn down for malformed frames", () => transport.stats().badFrames);
  counter(
    "packets_held_for_topology_total",
    "Packets whose next hop was not in the topology yet, held for an on-demand topology fetch (then sent, or dropped as unknown_next_hop)",
    () => core.counters.heldForTopology,
  );
  counter(
    "topology_nodes_skipped_total",
    "Directory topology entries left out because their keys or address did not load (counted per refresh)",
    () => core.counters.topologySkipped,
  );
  counter(
    "peers_refused_total",
    "Neighbours whose link was refused for a while after too many malformed packets or unexpected frames",
    () => core.counters.peersRefused,
  );
  counter(
    "refused_peer_chunks_total",
    "Chunks and streams from refused neighbours, ignored or closed",
    () => transport.stats().refusedChunks ?? 0,
  );
  counter(
    "frame_handler_errors_total",
    "Frames whose handler threw (caught and counted; the link and the process run on)",
    () => transport.stats().handlerErrors ?? 0,
  );
  new Counter({
    name: `${prefix}callback_errors_total`,
    help: "Errors thrown by timer and stream callbacks (loops, delayed forwards, periodic tasks), caught, by site",
    labelNames: ["site"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [site, n] of Object.entries(core.errors.bySite)) this.inc({ site }, n);
    },
  });
  new Counter({
    name: `${prefix}packets_dropped_total`,
    help: "Packets dropped, by reason",
    labelNames: ["reason"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(core.counters.dropped)) this.inc({ reason }, n);
    },
  });
  new Gauge({
    name: `${prefix}delay_queue_packets`,
    help: "Packets held for their mixing delay",
    registers: [registry],
    collect() {
      this.set(core.queued);
    },
  });
  new Counter({
    name: `${prefix}link_frames_dropped_by_cause_total`,
    help: "Frames the links dropped, by cause (queueFull, unreachable, dialFailed, refused, stopped); they sum to link_frames_dropped_total",
    labelNames: ["cause"] as const,
    registers: [registry],
    collect() {
      this.reset();
      // The libp2p transport splits its drops by cause; another MixTransport may not.
      const dropped = (transport.stats() as { dropped?: Record<string, number> }).dropped ?? {};
      for (const [cause, n] of Object.entries(dropped)) this.inc({ cause }, n);
    },
  });
  new Gauge({
    name: `${prefix}links_open`,
    help: "Open neighbour links",
    registers: [registry],
    collect() {
      this.set(transport.stats().linksOpen);
    },
  });
  if (options.extraCounters) {
    const read = options.extraCounters;
    new Counter({
      name: `${prefix}events_total`,
      help: "Daemon-specific events, by kind",
      labelNames: ["kind"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [kind, n] of Object.entries(read())) this.inc({ kind }, n);
      },
    });
  }
  const url = await app.listen({ host: options.host, port: options.port });
  return { app, url };
}

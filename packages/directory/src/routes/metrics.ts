import { HttpErrorBody } from "@nym-ts/common";
import {
  IdentityKeyParams,
  MetricsAccepted,
  MetricsTotals,
  MixnodeMetricsOverview,
  MixnodeMetricsReport,
  NodeMetricsHistory,
  NodeMetricsHistoryQuery,
  type NodeMetricsSummary,
  signed,
} from "@nym-ts/directory-client";
import { DirectoryError } from "../errors.js";
import type { DirectoryStore } from "../store.js";
import { type DirectoryRoutes, type RouteContext, signedWriteDescription } from "./context.js";

/** What every signed write may answer besides success: bad input, a bad signature, too large, wrong type, too often. */
const writeErrors = {
  400: HttpErrorBody,
  401: HttpErrorBody,
  413: HttpErrorBody,
  415: HttpErrorBody,
  429: HttpErrorBody,
};

/**
 * Refuses a report no honest mixnode could send: a neighbour that is the reporter itself or no mixnode or gateway
 * the directory knows (400 DIRECTORY_ERROR_INVALID_PEER), or a counter above what `maxPacketsPerSecond` allows over
 * the report's interval, measured by the directory's clock since the node's previous report or, for its first, its
 * registration (422 DIRECTORY_ERROR_METRICS_IMPLAUSIBLE). The measured interval sums to wall time over many reports,
 * so a node that reports often cannot claim more than the ceiling times the time it has been up (plus the grace).
 */
function checkReport(
  report: MixnodeMetricsReport,
  context: { book: RouteContext["book"]; store: DirectoryStore; now: number; registeredAt: number },
  metrics: RouteContext["config"]["metrics"],
): void {
  const { book, store, now } = context;
  for (const peer of Object.keys(report.sent)) {
    if (peer === report.identityKey) {
      throw new DirectoryError(400, "DIRECTORY_ERROR_INVALID_PEER", "body.payload.sent: names the reporter itself");
    }
    if (!book.isMixnetPeer(peer, now, metrics.peerGraceSeconds * 1000)) {
      throw new DirectoryError(
        400,
        "DIRECTORY_ERROR_INVALID_PEER",
        `body.payload.sent.${peer}: not a mixnode or gateway of the topology`,
      );
    }
  }
  const previous = store.nodeMetrics(report.identityKey, 0, 1)[0]?.receivedAt;
  const since = Math.max(previous ?? context.registeredAt, context.registeredAt);
  const elapsedMs = Math.max(0, now - since) + metrics.reportGraceMs;
  const intervalMs = Math.min(report.intervalMs, elapsedMs);
  const ceiling = Math.floor((metrics.maxPacketsPerSecond * intervalMs) / 1000);
  const sent = Object.values(report.sent).reduce((a, b) => a + b, 0);
  for (const [name, value] of [
    ["received", report.received],
    ["sent", sent],
    ["dropped", report.dropped],
  ] as const) {
    if (value > ceiling) {
      throw new DirectoryError(
        422,
        "DIRECTORY_ERROR_METRICS_IMPLAUSIBLE",
        `body.payload.${name}: ${value} packets in ${intervalMs} ms is more than the ${ceiling} a mixnode can ` +
          `handle at ${metrics.maxPacketsPerSecond} packets/s`,
      );
    }
  }
}

/**
 * Mixnode metrics, under `/api/v1/metrics`: signed reports from live mixnodes, per-node sums and network totals
 * over the recent window, and one node's retained reports.
 */
export const metricsRoutes: DirectoryRoutes<RouteContext> = async (app, options) => {
  const { book, store, clock, authenticate, accepted, limits } = options;
  const { metrics } = options.config;
  const tags = ["metrics"];

  app.post(
    "/mixnodes",
    {
      config: limits.write,
      schema: {
        operationId: "reportMixnodeMetrics",
        tags,
        summary: "A registered mixnode reports its counters for the last interval (signed)",
        description: signedWriteDescription("metrics:mixnode", "payload"),
        body: signed(MixnodeMetricsReport),
        response: { 201: MetricsAccepted, 403: HttpErrorBody, 422: HttpErrorBody, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { payload, timestamp, signature } = request.body;
      await authenticate(request, payload.identityKey, "metrics:mixnode", timestamp, payload, signature);
      const now = clock();
      const live = book.get("mixnode", payload.identityKey, now);
      if (live === undefined) {
        throw new DirectoryError(403, "DIRECTORY_ERROR_NOT_REGISTERED", "identityKey: not a live mixnode");
      }
      checkReport(payload, { book, store, now, registeredAt: live.registeredAt }, metrics);
      store.insertMetrics(
        {
          identityKey: payload.identityKey,
          timestamp,
          receivedAt: now,
          received: payload.received,
          sent: payload.sent,
          dropped: payload.dropped,
          intervalMs: payload.intervalMs,
        },
        metrics.maxReportsPerNode,
      );
      accepted.inc({ action: "metrics:mixnode" });
      return reply.code(201).send({ nextReportInMs: metrics.reportIntervalSeconds * 1000 });
    },
  );

  const summarizeWindow = () => summarize(store, clock() - metrics.windowSeconds * 1000);

  app.get(
    "/mixnodes",
    {
      config: limits.read,
      schema: {
        operationId: "getMixnodeMetrics",
        tags,
        summary: "Per-mixnode sums over the recent window, and network totals",
        response: { 200: MixnodeMetricsOverview, 429: HttpErrorBody },
      },
    },
    async () => ({ windowMs: metrics.windowSeconds * 1000, ...summarizeWindow() }),
  );

  app.get(
    "/mixnodes/:identityKey",
    {
      config: limits.read,
      schema: {
        operationId: "getMixnodeMetricsHistory",
        tags,
        summary: "A mixnode's retained reports, newest first",
        params: IdentityKeyParams,
        querystring: NodeMetricsHistoryQuery,
        response: { 200: NodeMetricsHistory, 400: HttpErrorBody, 429: HttpErrorBody },
      },
    },
    async (request) => {
      const since = clock() - metrics.retentionSeconds * 1000;
      const reports = store
        .nodeMetrics(request.params.identityKey, since, request.query.limit)
        .map(({ identityKey: _, ...report }) => report);
      return { identityKey: request.params.identityKey, reports };
    },
  );

  app.get(
    "/totals",
    {
      config: limits.read,
      schema: {
        operationId: "getMetricsTotals",
        tags,
        summary: "Network totals over the recent window",
        response: { 200: MetricsTotals, 429: HttpErrorBody },
      },
    },
    async () => summarizeWindow().totals,
  );
};

/** Per-node sums of the reports received since `since`, sorted by identity key, and their network totals. */
function summarize(store: DirectoryStore, since: number): { nodes: NodeMetricsSummary[]; totals: MetricsTotals } {
  const byNode = new Map<string, NodeMetricsSummary>();
  for (const report of store.metricsSince(since)) {
    let summary = byNode.get(report.identityKey);
    if (summary === undefined) {
      summary = {
        identityKey: report.identityKey,
        received: 0,
        sent: 0,
        dropped: 0,
        reports: 0,
        lastReportAt: report.receivedAt,
      };
      byNode.set(report.identityKey, summary);
    }
    summary.received += report.received;
    summary.sent += Object.values(report.sent).reduce((a, b) => a + b, 0);
    summary.dropped += report.dropped;
    summary.reports += 1;
    summary.lastReportAt = Math.max(summary.lastReportAt, report.receivedAt);
  }
  const nodes = [...byNode.values()].sort((a, b) => (a.identityKey < b.identityKey ? -1 : 1));
  const totals = { received: 0, sent: 0, dropped: 0, reports: 0, nodes: nodes.length };
  for (const node of nodes) {
    totals.received += node.received;
    totals.sent += node.sent;
    totals.dropped += node.dropped;
    totals.reports += node.reports;
  }
  return { nodes, totals };
}

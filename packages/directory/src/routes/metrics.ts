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
import type { DirectoryRoutes, RouteContext } from "./context.js";

const writeErrors = { 400: HttpErrorBody, 401: HttpErrorBody, 413: HttpErrorBody, 429: HttpErrorBody };

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
        body: signed(MixnodeMetricsReport),
        response: { 201: MetricsAccepted, 403: HttpErrorBody, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { payload, timestamp, signature } = request.body;
      await authenticate(request, payload.identityKey, "metrics:mixnode", timestamp, payload, signature);
      const now = clock();
      if (book.get("mixnode", payload.identityKey, now) === undefined) {
        throw new DirectoryError(403, "DIRECTORY_ERROR_NOT_REGISTERED", "identityKey: not a live mixnode");
      }
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

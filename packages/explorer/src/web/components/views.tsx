import type { ComponentChildren } from "preact";
import { ACTIVITY_EVENT_TYPES, ACTIVITY_EVENTS } from "../chain.js";
import type {
  GatewayView,
  MixnodeView,
  ServiceView,
  Snapshot,
  SourceHealth,
  ValidatorView,
} from "../explorer-state.js";
import { formatAge, formatHeight, formatRate, shortKey } from "../format.js";
import { TimeChart } from "./time-chart.js";

const COLORS = {
  layer1: "#4cc9f0",
  layer2: "#7b8cff",
  layer3: "#c77dff",
  delivered: "#2ee6a6",
  dropped: "#ff6b6b",
  credential_request: "#4cc9f0",
  deposit_credential: "#ffb703",
  zeta_spent: "#2ee6a6",
};

function Dot({ status }: { status: string }) {
  return <span class={`dot ${status}`} aria-hidden="true" />;
}

function Key({ value }: { value: string }) {
  return (
    <code class="key" title={value}>
      {shortKey(value)}
    </code>
  );
}

function Badge({ status }: { status: string }) {
  return <span class={`badge ${status}`}>{status}</span>;
}

export function Panel(props: {
  title: string;
  subtitle?: ComponentChildren;
  children: ComponentChildren;
  id?: string;
}) {
  return (
    <section class="panel" id={props.id}>
      <header class="panel-head">
        <h2>{props.title}</h2>
        {props.subtitle === undefined ? null : <div class="panel-sub">{props.subtitle}</div>}
      </header>
      {props.children}
    </section>
  );
}

/** One line per source that is failing: what failed, and how old the data on the page is. */
export function StaleNotices({ snapshot }: { snapshot: Snapshot }) {
  const notices: [string, string, SourceHealth][] = [
    ["directory", "Directory API", snapshot.sources.directory],
    ["chain", "Chain RPC", snapshot.sources.chain],
    ["activity", "Credential activity", snapshot.sources.activity],
  ];
  const failing = notices.filter(([, , s]) => !s.ok && !s.loading && s.error !== undefined);
  if (failing.length === 0) return null;
  return (
    <div class="notices">
      {failing.map(([id, name, s]) => (
        <div class="notice" data-testid={`stale-${id}`} key={id}>
          <strong>{name}</strong>: {s.error}.{" "}
          {s.updatedAt === undefined
            ? "No data yet."
            : `Showing the data of ${formatAge(snapshot.now - s.updatedAt)} ago, marked stale.`}
        </div>
      ))}
    </div>
  );
}

function Stat(props: { label: string; value: ComponentChildren; hint?: ComponentChildren; testId?: string }) {
  return (
    <div class="stat" data-testid={props.testId}>
      <div class="stat-label">{props.label}</div>
      <div class="stat-value">{props.value}</div>
      {props.hint === undefined ? null : <div class="stat-hint">{props.hint}</div>}
    </div>
  );
}

export function Summary({ snapshot }: { snapshot: Snapshot }) {
  const mixnodes = snapshot.layers.flat();
  const up = mixnodes.filter((n) => n.status === "up").length;
  const listed = mixnodes.filter((n) => n.status !== "down").length;
  const silent = mixnodes.filter((n) => n.status === "silent").length;
  const down = mixnodes.length - listed;
  const gatewaysUp = snapshot.gateways.filter((g) => g.status === "up").length;
  const validatorsUp = snapshot.validators.filter((v) => v.status === "up").length;
  const blockAge = snapshot.chain.blockTime === undefined ? undefined : snapshot.now - snapshot.chain.blockTime;
  const activity = snapshot.activity;
  const lastMinute = (type: (typeof ACTIVITY_EVENT_TYPES)[number]) => activity?.counts[type].at(-1) ?? 0;
  return (
    <div class="stats">
      <Stat
        label="Mixnodes up"
        value={`${up} / ${listed}`}
        hint={[
          snapshot.layers.map((l, i) => `L${i + 1}: ${l.filter((n) => n.status !== "down").length}`).join(" · "),
          silent > 0 ? `${silent} silent` : "",
          down > 0 ? `${down} down` : "",
        ]
          .filter((part) => part !== "")
          .join(" · ")}
        testId="stat-mixnodes"
      />
      <Stat
        label="Gateways up"
        value={String(gatewaysUp)}
        hint={
          snapshot.gateways.length > gatewaysUp
            ? `${snapshot.gateways.length - gatewaysUp} down`
            : `delivered ${formatRate(snapshot.gateways.reduce((t, g) => t + g.delivered, 0))}/s`
        }
        testId="stat-gateways"
      />
      <Stat
        label="Mix throughput"
        value={
          <>
            {formatRate(snapshot.throughput.entering)}
            <small> pkt/s</small>
          </>
        }
        hint={`out of the last layer ${formatRate(snapshot.throughput.leaving)}/s · dropped ${formatRate(snapshot.throughput.dropped)}/s`}
      />
      <Stat
        label="Chain height"
        value={formatHeight(snapshot.chain.height)}
        hint={`${validatorsUp} / ${snapshot.validators.length} validators up${snapshot.chain.network ? ` · ${snapshot.chain.network}` : ""}`}
        testId="stat-height"
      />
      <Stat
        label="Last block"
        value={blockAge === undefined ? "—" : `${formatAge(blockAge)} ago`}
        hint={blockAge !== undefined && blockAge > 30_000 ? "no block for a while" : "time since the latest block"}
        testId="stat-block-age"
      />
      <Stat
        label="Credentials this minute"
        value={activity === undefined ? "—" : String(lastMinute("credential_request"))}
        hint={
          activity === undefined
            ? "no chain data yet"
            : `${lastMinute("deposit_credential")} deposits · ${lastMinute("zeta_spent")} spent`
        }
      />
    </div>
  );
}

function MixnodeCard({ node, now, max }: { node: MixnodeView; now: number; max: number }) {
  const share = node.rates && max > 0 ? Math.min(100, (node.rates.received / max) * 100) : 0;
  return (
    <div class={`node ${node.status}`} data-testid="mixnode" data-key={node.identityKey} data-status={node.status}>
      <div class="node-head">
        <Dot status={node.status} />
        <Key value={node.identityKey} />
        <Badge status={node.status} />
      </div>
      <div class="node-meta">
        {node.host} · v{node.version}
      </div>
      {node.status === "down" ? (
        <div class="node-meta">left the directory {formatAge(now - (node.goneAt ?? now))} ago</div>
      ) : (
        <>
          <div class="node-rates">
            <span>
              in <b>{formatRate(node.rates?.received)}</b>/s
            </span>
            <span>
              out <b>{formatRate(node.rates?.sent)}</b>/s
            </span>
            {node.rates && node.rates.dropped > 0 ? (
              <span class="warn">
                drop <b>{formatRate(node.rates.dropped)}</b>/s
              </span>
            ) : null}
          </div>
          <div class="meter">
            <span style={{ width: `${share}%` }} />
          </div>
          <div class="node-meta faint">
            {node.lastReportAt === undefined
              ? "no metrics report yet"
              : `last report ${formatAge(now - node.lastReportAt)} ago`}
          </div>
        </>
      )}
    </div>
  );
}

function GatewayCard({ gateway, now, max }: { gateway: GatewayView; now: number; max: number }) {
  const share = max > 0 ? Math.min(100, (gateway.delivered / max) * 100) : 0;
  return (
    <div
      class={`node ${gateway.status}`}
      data-testid="gateway"
      data-key={gateway.identityKey}
      data-status={gateway.status}
    >
      <div class="node-head">
        <Dot status={gateway.status} />
        <Key value={gateway.identityKey} />
        <Badge status={gateway.status} />
      </div>
      <div class="node-meta">
        mix {gateway.mixnetAddress} · clients {gateway.clientAddress}
      </div>
      {gateway.status === "down" ? (
        <div class="node-meta">left the directory {formatAge(now - (gateway.goneAt ?? now))} ago</div>
      ) : (
        <>
          <div class="node-rates">
            <span>
              delivered <b>{formatRate(gateway.delivered)}</b>/s
            </span>
          </div>
          <div class="meter gateway">
            <span style={{ width: `${share}%` }} />
          </div>
          <div class="node-meta faint">v{gateway.version}</div>
        </>
      )}
    </div>
  );
}

export function Topology({ snapshot }: { snapshot: Snapshot }) {
  const all = snapshot.layers.flat();
  const maxRate = Math.max(0, ...all.map((n) => n.rates?.received ?? 0));
  const maxDelivered = Math.max(0, ...snapshot.gateways.map((g) => g.delivered));
  const live = (nodes: { status: string }[]) => nodes.filter((n) => n.status !== "down").length;
  return (
    <Panel
      title="Mix topology"
      subtitle="A packet goes gateway → layer 1 → layer 2 → layer 3 → gateway; rates over the last 30 s"
    >
      <div class="topology">
        {snapshot.layers.map((nodes, i) => (
          <div
            class="column"
            key={`layer-${i + 1}`}
            data-testid={`layer-${i + 1}`}
            data-count={live(nodes)}
            data-down={nodes.length - live(nodes)}
          >
            <h3>
              Layer {i + 1}
              <span class="count">
                {live(nodes)} listed{nodes.length > live(nodes) ? ` · ${nodes.length - live(nodes)} down` : ""}
              </span>
            </h3>
            {nodes.length === 0 ? <div class="empty">no mixnode</div> : null}
            {nodes.map((node) => (
              <MixnodeCard key={node.identityKey} node={node} now={snapshot.now} max={maxRate} />
            ))}
          </div>
        ))}
        <div
          class="column gateways"
          data-testid="gateways"
          data-count={live(snapshot.gateways)}
          data-down={snapshot.gateways.length - live(snapshot.gateways)}
        >
          <h3>
            Gateways
            <span class="count">
              {live(snapshot.gateways)} listed
              {snapshot.gateways.length > live(snapshot.gateways)
                ? ` · ${snapshot.gateways.length - live(snapshot.gateways)} down`
                : ""}
            </span>
          </h3>
          {snapshot.gateways.length === 0 ? <div class="empty">no gateway</div> : null}
          {snapshot.gateways.map((g) => (
            <GatewayCard key={g.identityKey} gateway={g} now={snapshot.now} max={maxDelivered} />
          ))}
        </div>
      </div>
    </Panel>
  );
}

export function RatesPanel({ snapshot }: { snapshot: Snapshot }) {
  const s = snapshot.series;
  return (
    <Panel
      title="Packet rates"
      subtitle="Packets per second received by each layer, delivered and dropped (5 s buckets)"
    >
      <TimeChart
        testId="rates-chart"
        times={s.times}
        unit="pkt/s"
        lines={[
          { label: "layer 1", color: COLORS.layer1, values: s.layers[0] },
          { label: "layer 2", color: COLORS.layer2, values: s.layers[1] },
          { label: "layer 3", color: COLORS.layer3, values: s.layers[2] },
          { label: "to gateways", color: COLORS.delivered, values: s.delivered, dashed: true },
          { label: "dropped", color: COLORS.dropped, values: s.dropped },
        ]}
      />
    </Panel>
  );
}

function ValidatorRow({ v, now }: { v: ValidatorView; now: number }) {
  return (
    <tr data-testid="validator" data-key={v.target} data-status={v.status}>
      <td>
        <Dot status={v.status} /> <Badge status={v.status} />
      </td>
      <td>{v.identityKey ? <Key value={v.identityKey} /> : <em>configured RPC</em>}</td>
      <td>{v.moniker ?? "—"}</td>
      <td class="num" data-testid="validator-height">
        {formatHeight(v.height)}
      </td>
      <td class="num">{v.blockTime === undefined ? "—" : `${formatAge(now - v.blockTime)} ago`}</td>
      <td class="faint">{v.error ?? v.rpcUrl ?? ""}</td>
    </tr>
  );
}

export function ChainPanel({ snapshot }: { snapshot: Snapshot }) {
  return (
    <Panel
      title="Validators"
      subtitle={
        snapshot.chain.network
          ? `Chain ${snapshot.chain.network}, through each validator's CometBFT RPC`
          : "Each validator's CometBFT RPC, through the directory"
      }
    >
      <table class="table" data-testid="validators" data-count={snapshot.validators.length}>
        <thead>
          <tr>
            <th>status</th>
            <th>identity</th>
            <th>moniker</th>
            <th class="num">height</th>
            <th class="num">last block</th>
            <th>RPC</th>
          </tr>
        </thead>
        <tbody>
          {snapshot.validators.length === 0 ? (
            <tr>
              <td colSpan={6} class="empty">
                no validator registered with the directory
              </td>
            </tr>
          ) : null}
          {snapshot.validators.map((v) => (
            <ValidatorRow key={v.target} v={v} now={snapshot.now} />
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

export function ActivityPanel({ snapshot }: { snapshot: Snapshot }) {
  const a = snapshot.activity;
  return (
    <Panel
      title="Credential activity"
      subtitle={
        a === undefined ? (
          "Waiting for the chain"
        ) : (
          <>
            {ACTIVITY_EVENT_TYPES.map((t) => (
              <span class="total" key={t} data-testid={`activity-total-${t}`} data-count={a.totals[t]}>
                <b>{a.totals[t]}</b> {ACTIVITY_EVENTS[t].label}
              </span>
            ))}{" "}
            in the last {Math.round(a.times.length)} min
          </>
        )
      }
    >
      {a === undefined ? (
        <div class="empty tall">no chain data yet</div>
      ) : (
        <TimeChart
          testId="activity-chart"
          times={a.times}
          unit="per minute"
          ticks="minutes"
          height={200}
          lines={ACTIVITY_EVENT_TYPES.map((t) => ({
            label: ACTIVITY_EVENTS[t].label,
            color: COLORS[t],
            values: a.counts[t],
            bars: true,
          }))}
        />
      )}
    </Panel>
  );
}

const SERVICE_TITLES = { issuer: "Issuers", verifier: "Verifiers", "service-provider": "Service providers" } as const;

function ServiceTable({ kind, nodes, now }: { kind: ServiceView["kind"]; nodes: ServiceView[]; now: number }) {
  const live = nodes.filter((n) => n.status === "up").length;
  return (
    <div class="service" data-testid={`services-${kind}`} data-count={live} data-down={nodes.length - live}>
      <h3>
        {SERVICE_TITLES[kind]} <span class="count">{live} up</span>
      </h3>
      {nodes.length === 0 ? <div class="empty">none registered</div> : null}
      {nodes.map((n) => (
        <div class={`service-row ${n.status}`} key={n.identityKey} data-status={n.status} data-key={n.identityKey}>
          <Dot status={n.status} />
          <Key value={n.identityKey} />
          <span class="faint">{n.detail ?? ""}</span>
          <span class="grow faint">{n.url ?? n.ethereumAddress}</span>
          <span class="faint">
            {n.status === "down"
              ? `gone ${formatAge(now - (n.goneAt ?? now))} ago`
              : `seen ${formatAge(now - n.lastSeen)} ago`}
          </span>
        </div>
      ))}
    </div>
  );
}

export function ServicesPanel({ snapshot }: { snapshot: Snapshot }) {
  return (
    <Panel title="Credential services" subtitle="Registered with the directory; down once their registration lapses">
      <div class="services">
        <ServiceTable kind="issuer" nodes={snapshot.issuers} now={snapshot.now} />
        <ServiceTable kind="verifier" nodes={snapshot.verifiers} now={snapshot.now} />
        <ServiceTable kind="service-provider" nodes={snapshot.serviceProviders} now={snapshot.now} />
      </div>
    </Panel>
  );
}

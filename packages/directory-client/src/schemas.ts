import { z } from "zod";

/**
 * The directory's wire types, defined once and used by the server (validation, OpenAPI) and the typed client.
 * Keys and signatures are lowercase hex; times are Unix milliseconds.
 */

/** Number of mix layers in the stratified topology (Loopix: gateway -> 1 -> 2 -> 3 -> gateway). */
export const MIX_LAYERS = 3;
/** Most neighbours one metrics report may list. */
export const MAX_NEIGHBOURS = 256;

const hexBytes = (bytes: number, what: string) =>
  z
    .string()
    .regex(
      new RegExp(`^[0-9a-f]{${bytes * 2}}$`),
      `${what}: expected ${bytes} bytes as ${bytes * 2} lowercase hex digits`,
    );

export const Ed25519PublicKey = hexBytes(32, "Ed25519 public key").describe("Ed25519 public key, 32 bytes hex");
export const X25519PublicKey = hexBytes(32, "X25519 public key").describe(
  "X25519 Sphinx public key, 32 bytes hex; the directory refuses a non-canonical (u >= 2^255 - 19) or small-order " +
    "key (the all-zero key among them) with 400 DIRECTORY_ERROR_INVALID_KEY",
);
export const Ed25519Signature = hexBytes(64, "Ed25519 signature").describe("Ed25519 signature, 64 bytes hex");

/** 1..65535 in decimal without leading zeros, as a regular expression (so the OpenAPI pattern says it too). */
const PORT = "(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";

/**
 * `host:port` with a DNS name, an IPv4 address or a bracketed IPv6 address (at least two colons inside the brackets),
 * and a port 1..65535. One regular expression is the whole rule, so the OpenAPI document's pattern and the server
 * accept exactly the same strings.
 */
export const HostPort = z
  .string()
  .max(262)
  .regex(
    new RegExp(
      `^(?:\\[[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?):${PORT}$`,
    ),
    "expected host:port with a port 1..65535",
  )
  .describe("host:port (DNS name, IPv4, or [IPv6]), port 1..65535");

export const HttpUrl = z
  .url({ protocol: /^https?$/, error: "expected an http(s) URL" })
  .max(2048)
  .describe("http or https URL");
export const EthereumAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte hex address")
  .describe("Ethereum-format address of the node's chain account");
export const Version = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
  .describe("Software version of the node");
/** Unix time in milliseconds. */
export const UnixMillis = z.int().min(0).describe("Unix time in milliseconds");
/** A per-interval packet counter; bounded so that sums over many reports stay exact integers. */
const Counter = z.int().min(0).max(0xffff_ffff);

export const MixnodeRegistration = z
  .strictObject({
    identityKey: Ed25519PublicKey,
    sphinxKey: X25519PublicKey,
    host: HostPort.describe("Where other mixnodes and gateways send Sphinx packets (host:port)"),
    layer: z.int().min(1).max(MIX_LAYERS).describe("Mix layer, 1..3"),
    version: Version,
  })
  .describe("MixnodeRegistration");
export type MixnodeRegistration = z.infer<typeof MixnodeRegistration>;

export const GatewayRegistration = z
  .strictObject({
    identityKey: Ed25519PublicKey,
    sphinxKey: X25519PublicKey,
    mixnetAddress: HostPort.describe("Where mixnodes deliver packets to this gateway (host:port)"),
    clientAddress: HostPort.describe("Where clients connect to send packets and pull their mailbox (host:port)"),
    version: Version,
  })
  .describe("GatewayRegistration");
export type GatewayRegistration = z.infer<typeof GatewayRegistration>;

export const ValidatorRegistration = z
  .strictObject({
    identityKey: Ed25519PublicKey,
    rpcUrl: HttpUrl.describe("CometBFT RPC endpoint"),
    p2pAddress: HostPort.optional().describe("CometBFT p2p listen address"),
    cometNodeId: z
      .string()
      .regex(/^[0-9a-f]{40}$/, "expected 20 bytes as lowercase hex")
      .optional()
      .describe("CometBFT node id"),
    version: Version,
  })
  .describe("ValidatorRegistration");
export type ValidatorRegistration = z.infer<typeof ValidatorRegistration>;

export const IssuerRegistration = z
  .strictObject({
    identityKey: Ed25519PublicKey,
    apiUrl: HttpUrl.describe("Where partial credentials are fetched"),
    ethereumAddress: EthereumAddress,
    issuerIndex: z.int().min(1).max(1024).describe("The issuer's Coconut share index (1-based)"),
    version: Version,
  })
  .describe("IssuerRegistration");
export type IssuerRegistration = z.infer<typeof IssuerRegistration>;

export const VerifierRegistration = z
  .strictObject({
    identityKey: Ed25519PublicKey,
    ethereumAddress: EthereumAddress,
    apiUrl: HttpUrl.optional().describe("Status endpoint, if any"),
    version: Version,
  })
  .describe("VerifierRegistration");
export type VerifierRegistration = z.infer<typeof VerifierRegistration>;

export const ServiceProviderRegistration = z
  .strictObject({
    identityKey: Ed25519PublicKey,
    ethereumAddress: EthereumAddress,
    apiUrl: HttpUrl.describe("Where credentials are spent over HTTP"),
    gatewayIdentityKey: Ed25519PublicKey.optional().describe("Gateway holding the SP's mixnet mailbox, if reachable"),
    mixnetAddress: z
      .string()
      .regex(/^[0-9a-f]{64}\.[0-9a-f]{64}@[0-9a-f]{64}$/, "expected <identity>.<encryption>@<gateway>, 64 hex each")
      .optional()
      .describe("The SP's mixnet address (identity.encryption@gateway), if reachable over the mixnet"),
    version: Version,
  })
  .describe("ServiceProviderRegistration");
export type ServiceProviderRegistration = z.infer<typeof ServiceProviderRegistration>;

/** Every kind of node that registers, with its path segment under /api/v1/presence and its payload schema. */
export const NODE_KINDS = {
  mixnode: { path: "mixnodes", schema: MixnodeRegistration, title: "Mixnode" },
  gateway: { path: "gateways", schema: GatewayRegistration, title: "Gateway" },
  validator: { path: "validators", schema: ValidatorRegistration, title: "Validator" },
  issuer: { path: "issuers", schema: IssuerRegistration, title: "Issuer" },
  verifier: { path: "verifiers", schema: VerifierRegistration, title: "Verifier" },
  "service-provider": { path: "service-providers", schema: ServiceProviderRegistration, title: "ServiceProvider" },
} as const;
export type NodeKind = keyof typeof NODE_KINDS;
export const NodeKind = z.enum(Object.keys(NODE_KINDS) as [NodeKind, ...NodeKind[]]);

export interface RegistrationByKind {
  mixnode: MixnodeRegistration;
  gateway: GatewayRegistration;
  validator: ValidatorRegistration;
  issuer: IssuerRegistration;
  verifier: VerifierRegistration;
  "service-provider": ServiceProviderRegistration;
}
export type AnyRegistration = RegistrationByKind[NodeKind];

/** A payload with the signer's timestamp and its Ed25519 signature over `signingBytes(purpose, timestamp, payload)`. */
export function signed<T extends z.ZodType>(payload: T) {
  return z.strictObject({
    payload,
    timestamp: UnixMillis.describe("Signer's clock when signing (Unix ms); must be within the server's window"),
    signature: Ed25519Signature.describe("Signature by payload.identityKey over the canonical signing bytes"),
  });
}

/** Body of DELETE /api/v1/presence/{kind}/{identityKey}: the signed payload is `{ identityKey }`. */
export const DeregistrationBody = z
  .strictObject({
    timestamp: UnixMillis,
    signature: Ed25519Signature.describe("Signature by identityKey over the canonical bytes of { identityKey }"),
  })
  .describe("Deregistration");
export type DeregistrationBody = z.infer<typeof DeregistrationBody>;

export const RegistrationResult = z
  .object({
    kind: NodeKind,
    identityKey: Ed25519PublicKey,
    created: z.boolean().describe("true for a new registration, false for a renewal or update"),
    expiresAt: UnixMillis.describe("When the registration lapses unless renewed"),
    ttlSeconds: z.int().describe("Lifetime granted to each registration"),
  })
  .describe("RegistrationResult");
export type RegistrationResult = z.infer<typeof RegistrationResult>;

export const DeregistrationResult = z
  .object({ kind: NodeKind, identityKey: Ed25519PublicKey, removed: z.literal(true) })
  .describe("DeregistrationResult");
export type DeregistrationResult = z.infer<typeof DeregistrationResult>;

/** A registration as stored, with the server's times. */
export function presence<T extends z.ZodType>(node: T) {
  return z.object({
    node,
    registeredAt: UnixMillis.describe("First registration since the node was last absent"),
    lastSeen: UnixMillis.describe("Last accepted registration or renewal"),
    expiresAt: UnixMillis,
  });
}
/** Body of GET /api/v1/presence/{kind}: the live registrations of one kind, sorted by identity key. */
export function presenceList<T extends z.ZodType>(node: T) {
  return z.object({ nodes: z.array(presence(node)) });
}

/** Path parameters of the routes about one node: `/{identityKey}`. */
export const IdentityKeyParams = z.strictObject({ identityKey: Ed25519PublicKey });
export type IdentityKeyParams = z.infer<typeof IdentityKeyParams>;

export interface Presence<T> {
  node: T;
  registeredAt: number;
  lastSeen: number;
  expiresAt: number;
}

export const MixLayer = z
  .object({ layer: z.int().min(1).max(MIX_LAYERS), nodes: z.array(MixnodeRegistration) })
  .describe("MixLayer");
export type MixLayer = z.infer<typeof MixLayer>;

/**
 * What a client routes over: the live nodes without server-side times, so the ETag changes only when the network
 * changes (a node joins, leaves, expires or changes its keys or address), not on every renewal.
 */
export const Topology = z
  .object({
    mixnodes: z.array(MixLayer).describe("One entry per layer 1..3, always all three, nodes sorted by identity key"),
    gateways: z.array(GatewayRegistration),
    validators: z.array(ValidatorRegistration),
    issuers: z.array(IssuerRegistration),
    verifiers: z.array(VerifierRegistration),
    serviceProviders: z.array(ServiceProviderRegistration),
  })
  .describe("Topology");
export type Topology = z.infer<typeof Topology>;

/** Request headers of GET /api/v1/topology: the ETag of the topology the client holds, to get 304 when current. */
export const TopologyRequestHeaders = z.looseObject({
  "if-none-match": z
    .string()
    .max(1024)
    .optional()
    .describe("ETag(s) of the topology the client holds (from an earlier answer), or *"),
});

/** The 304 answer of GET /api/v1/topology. */
export const TopologyNotModified = z.null().describe("Not modified: the If-None-Match ETag is current; no body");

export const MixnodeMetricsReport = z
  .strictObject({
    identityKey: Ed25519PublicKey,
    received: Counter.describe("Packets received during the interval"),
    sent: z
      .record(Ed25519PublicKey, Counter)
      .refine((sent) => Object.keys(sent).length <= MAX_NEIGHBOURS, `at most ${MAX_NEIGHBOURS} neighbours`)
      .meta({ maxProperties: MAX_NEIGHBOURS })
      .describe("Packets sent during the interval, by the neighbour's identity key"),
    dropped: Counter.describe("Packets dropped during the interval (replays, malformed, no route)"),
    intervalMs: z.int().min(1).max(3_600_000).describe("Length of the interval the counters cover"),
  })
  .describe("MixnodeMetricsReport");
export type MixnodeMetricsReport = z.infer<typeof MixnodeMetricsReport>;

export const MetricsAccepted = z
  .object({ nextReportInMs: z.int().describe("When the directory would like the next report") })
  .describe("MetricsAccepted");
export type MetricsAccepted = z.infer<typeof MetricsAccepted>;

export const StoredMetricsReport = z
  .object({
    timestamp: UnixMillis.describe("Signer's timestamp"),
    receivedAt: UnixMillis.describe("Directory's clock when stored"),
    received: Counter,
    sent: z.record(z.string(), Counter),
    dropped: Counter,
    intervalMs: z.int(),
  })
  .describe("StoredMetricsReport");
export type StoredMetricsReport = z.infer<typeof StoredMetricsReport>;

export const NodeMetricsHistory = z
  .object({ identityKey: Ed25519PublicKey, reports: z.array(StoredMetricsReport).describe("Newest first") })
  .describe("NodeMetricsHistory");
export type NodeMetricsHistory = z.infer<typeof NodeMetricsHistory>;

/** Query of GET /api/v1/metrics/mixnodes/{identityKey}. */
export const NodeMetricsHistoryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe("Most reports to return, newest first"),
});
export type NodeMetricsHistoryQuery = z.input<typeof NodeMetricsHistoryQuery>;

const Sum = z.int().min(0);

export const MetricsTotals = z
  .object({
    received: Sum,
    sent: Sum,
    dropped: Sum,
    reports: Sum.describe("Reports inside the window"),
    nodes: Sum.describe("Distinct mixnodes that reported inside the window"),
  })
  .describe("MetricsTotals");
export type MetricsTotals = z.infer<typeof MetricsTotals>;

export const NodeMetricsSummary = z
  .object({
    identityKey: Ed25519PublicKey,
    received: Sum,
    sent: Sum,
    dropped: Sum,
    reports: Sum,
    lastReportAt: UnixMillis,
  })
  .describe("NodeMetricsSummary");
export type NodeMetricsSummary = z.infer<typeof NodeMetricsSummary>;

export const MixnodeMetricsOverview = z
  .object({
    windowMs: z.int().describe("The sums cover reports received in the last windowMs"),
    nodes: z.array(NodeMetricsSummary),
    totals: MetricsTotals,
  })
  .describe("MixnodeMetricsOverview");
export type MixnodeMetricsOverview = z.infer<typeof MixnodeMetricsOverview>;

/** Purposes bound into the signing bytes, so a signature for one action can never be replayed as another. */
export type SigningPurpose = `register:${NodeKind}` | `deregister:${NodeKind}` | "metrics:mixnode";

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AppState,
  addressFromSecretKey,
  type ChainEvent,
  type CredentialRequestView,
  randomSecretKey,
} from "@nym-ts/chain-client";
import { decodeSecretKey, type Params, type SecretKey } from "@nym-ts/coconut";
import { createLogger, writeKeyFile } from "@nym-ts/common";
import {
  credentialParams,
  type DealtIssuerKey,
  dealIssuerKeys,
  type PreparedRequest,
  prepareCredentialRequest,
} from "@nym-ts/credentials";
import type { Registry } from "prom-client";
import type { IssuerChain, IssuerIdentity } from "../../src/index.js";
import { CHAIN_KEY_FILE, COCONUT_KEY_FILE, IDENTITY_KEY_FILE, initIssuerKeys } from "../../src/index.js";

export const silentLog = createLogger({ name: "test", level: "silent" });

export function tempDir(prefix = "nym-issuer-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Dealt {
  params: Params;
  threshold: number;
  keys: DealtIssuerKey[];
  secrets: SecretKey[];
}

let dealtOnce: Promise<Dealt> | undefined;

/** One 2-of-3 dealing per test file (dealing is cheap, but the params are shared anyway). */
export function dealt(): Promise<Dealt> {
  dealtOnce ??= credentialParams().then((params) => {
    const { threshold, keys } = dealIssuerKeys(params, 2, 3);
    return { params, threshold, keys, secrets: keys.map((k) => decodeSecretKey(params, k.secretKey)) };
  });
  return dealtOnce;
}

/** An issuer's data directory with its three key files (share `index` of the dealing). */
export function issuerDir(dir: string, key: DealtIssuerKey): { dataDir: string; address: string; identityKey: string } {
  const dataDir = join(dir, `issuer-${key.index}`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeKeyFile(join(dataDir, COCONUT_KEY_FILE), key.secretKey);
  const made = initIssuerKeys({
    chainKeyFile: join(dataDir, CHAIN_KEY_FILE),
    identityKeyFile: join(dataDir, IDENTITY_KEY_FILE),
  });
  return { dataDir, ...made };
}

export const randomAddress = (): `0x${string}` => addressFromSecretKey(randomSecretKey()) as `0x${string}`;

/** A genesis app state naming the dealt issuers at the given addresses (random ones where none is given). */
export function appStateFor(d: Dealt, addresses: Record<number, string> = {}): AppState {
  return {
    pipeAccount: randomAddress(),
    watchers: { threshold: 1, members: [randomAddress()] },
    verifiers: { threshold: 1, members: [randomAddress()] },
    issuers: {
      threshold: d.threshold,
      members: d.keys.map((k) => ({
        address: (addresses[k.index] ?? randomAddress()) as `0x${string}`,
        index: k.index,
        verificationKey: k.verificationKey,
      })),
    },
    accounts: [],
  };
}

export function identityOf(d: Dealt, index: number, address: string): IssuerIdentity {
  return { index, address, verificationKey: d.keys[index - 1]?.verificationKey as string };
}

/** A fake tx hash: 64 upper-case hex digits derived from a label. */
export function txHashOf(label: string): string {
  return createHash("sha256").update(label).digest("hex").toUpperCase();
}

/** A `credential_request` event as the ledger emits it, for a prepared request (fields overridable). */
export function requestEvent(
  prepared: Pick<PreparedRequest, "tx">,
  options: {
    height: number;
    label?: string;
    requester?: string;
    attributes?: Record<string, string | undefined>;
  },
): ChainEvent {
  const hash = txHashOf(options.label ?? `${options.height}:${prepared.tx.blindSignRequest.slice(0, 40)}`);
  const attributes: Record<string, string | undefined> = {
    request_id: hash,
    requester: options.requester ?? randomAddress(),
    value: prepared.tx.value.toString(),
    blind_sign_request: prepared.tx.blindSignRequest,
    public_attributes: JSON.stringify(prepared.tx.publicAttributes),
    ...options.attributes,
  };
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) clean[k] = v;
  return { type: "credential_request", attributes: clean, height: options.height, txHash: hash };
}

export function prepare(d: Dealt, value: bigint): PreparedRequest {
  return prepareCredentialRequest(d.params, value);
}

/**
 * An in-memory chain: `emit` commits an event at its height; `subscribe` replays committed events from `fromHeight`
 * and then delivers new ones, as the chain client does. `down` makes every call fail.
 */
export class FakeChain implements IssuerChain {
  readonly events: ChainEvent[] = [];
  readonly views = new Map<string, CredentialRequestView>();
  height = 1;
  down = false;
  subscriptions = 0;
  #handlers = new Set<(event: ChainEvent) => void>();

  constructor(
    public appState: AppState,
    public id = "nym-test",
  ) {}

  emit(event: ChainEvent, view?: CredentialRequestView): void {
    this.events.push(event);
    this.height = Math.max(this.height, event.height);
    if (view) this.views.set(event.attributes.request_id as string, view);
    for (const handler of this.#handlers) handler(event);
  }

  #check(): void {
    if (this.down) throw new Error("connection refused");
  }

  async chainId(): Promise<string> {
    this.#check();
    return this.id;
  }
  async latestHeight(): Promise<number> {
    this.#check();
    return this.height;
  }
  async params(): Promise<AppState> {
    this.#check();
    return this.appState;
  }
  async credentialRequest(requestId: string): Promise<CredentialRequestView | undefined> {
    this.#check();
    return this.views.get(requestId);
  }
  async searchEvents(_type: string, fromHeight: number): Promise<ChainEvent[]> {
    this.#check();
    return this.events.filter((e) => e.height >= fromHeight);
  }
  async subscribe(
    _type: string,
    handler: (event: ChainEvent) => void,
    options: { fromHeight?: number } = {},
  ): Promise<() => void> {
    this.#check();
    this.subscriptions++;
    if (options.fromHeight !== undefined) {
      for (const e of this.events.filter((x) => x.height >= (options.fromHeight as number))) handler(e);
    }
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }
}

/** The view `chain.credentialRequest` answers for an event. */
export function viewOf(event: ChainEvent): CredentialRequestView {
  return {
    requester: event.attributes.requester as `0x${string}`,
    value: event.attributes.value as string,
    blindSignRequest: event.attributes.blind_sign_request as string,
    publicAttributes: JSON.parse(event.attributes.public_attributes as string) as string[],
    height: event.height,
  };
}

/** The value of one Prometheus series ("name{labels}" exactly) in an exposition text, or 0 when absent. */
export function seriesValue(text: string, series: string): number {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}

/** The value of one Prometheus series in a registry, or 0 when absent. */
export async function metricValue(registry: Registry, series: string): Promise<number> {
  return seriesValue(await registry.metrics(), series);
}

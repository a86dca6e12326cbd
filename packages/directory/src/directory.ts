import type { AddressInfo } from "node:net";
import type { HttpApp, Logger, Service } from "@nym-ts/common";
import { buildDirectoryApp } from "./app.js";
import { DirectoryConfig, type DirectoryConfigInput } from "./config.js";
import type { PresenceBook } from "./presence-book.js";
import { type DirectoryStore, openSqliteStore } from "./store.js";

export { DIRECTORY_VERSION } from "./app.js";
export { DirectoryError, type DirectoryErrorCode } from "./errors.js";

export interface DirectoryModules {
  log: Logger;
  /** Unix ms; injected by tests to move time. Date.now otherwise. */
  clock?: () => number;
  /** Another store (tests); the SQLite file at `storage.path` otherwise. */
  store?: DirectoryStore;
}

export interface Directory extends Service {
  /** The Fastify app, available once `start` (or `ready`) resolved; tests drive it with `app.inject`. */
  readonly app: HttpApp;
  /** Builds the app without listening (for `inject`); `start` calls it. */
  ready(): Promise<void>;
  /** `http://host:port` once listening. */
  url(): string;
  /** Runs the periodic cleanup now (expired registrations, old metrics, stale replay barriers). */
  sweep(): void;
}

/**
 * The Nym directory: nodes register signed presence (renewed within the TTL), mixnodes post signed metrics, and
 * clients fetch the topology. See `docs/directory.md`.
 */
export function createDirectory(options: DirectoryConfigInput, modules: DirectoryModules): Directory {
  const config = DirectoryConfig.parse(options);
  const log = modules.log.child({ module: "directory" });
  const clock = modules.clock ?? Date.now;
  const windowMs = config.presence.timestampWindowSeconds * 1000;
  let store: DirectoryStore | undefined;
  let app: HttpApp | undefined;
  let book: PresenceBook | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let building: Promise<void> | undefined;
  let listening = false;

  async function build(): Promise<void> {
    store = modules.store ?? openSqliteStore(config.storage.path);
    ({ app, book } = await buildDirectoryApp({ config, log: modules.log, clock, store }));
  }

  function sweep(): void {
    if (book === undefined || store === undefined) return;
    const now = clock();
    book.expire(now);
    store.pruneMetrics(now - config.metrics.retentionSeconds * 1000);
    // A key silent for longer than the window can only send timestamps newer than its last one anyway.
    store.pruneSigners(now - 2 * windowMs);
  }

  const ready = (): Promise<void> => {
    building ??= build();
    return building;
  };

  return {
    get app(): HttpApp {
      if (app === undefined) throw new Error("directory not started: call start() or ready() first");
      return app;
    },
    ready,
    sweep,
    url() {
      const address = app?.server.address() as AddressInfo | null | undefined;
      if (!listening || !address) throw new Error("directory not listening");
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    },
    async start() {
      await ready();
      await app?.listen({ host: config.http.host, port: config.http.port });
      listening = true;
      sweeper = setInterval(() => {
        try {
          sweep();
        } catch (error) {
          log.error({ err: error }, "sweep failed");
        }
      }, config.presence.sweepIntervalSeconds * 1000);
      sweeper.unref();
      log.info({ url: this.url(), storage: config.storage.path }, "directory listening");
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
      try {
        if (building) await building.catch(() => {});
        await app?.close();
      } finally {
        listening = false;
        if (modules.store === undefined) store?.close();
      }
    },
  };
}

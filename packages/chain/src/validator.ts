import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Logger, logConfigSection, type Service } from "@nym-ts/common";
import { z } from "zod";
import { createLedgerHandler, type LedgerStats } from "./abci-app.js";
import { type AbciServer, type AbciServerStats, createAbciServer } from "./abci-server.js";
import {
  checkInitChainAgainstHome,
  checkLedgerAgainstHome,
  type HomeGenesis,
  readHomeGenesis,
} from "./genesis-check.js";
import { SIGNATURE_BACKEND } from "./keys.js";
import { Ledger } from "./ledger.js";
import { SqliteStore } from "./store.js";

export const validatorConfigSchema = z
  .object({
    abci: z
      .object({
        host: z.string().min(1).default("127.0.0.1").describe("address the ABCI socket server listens on"),
        port: z.number().int().min(0).max(65535).default(26658).describe("ABCI port; CometBFT's proxy_app points here"),
        socket: z
          .string()
          .min(1)
          .max(100) // sun_path holds 108 bytes on Linux, 104 on macOS
          .optional()
          .describe(
            "Unix socket path to listen on instead of host:port (proxy_app = unix://<path>); cheaper than loopback TCP when CometBFT runs on the same host",
          ),
      })
      .strict()
      .default({ host: "127.0.0.1", port: 26658 }),
    data: z
      .object({ dir: z.string().min(1).describe("data directory; the ledger lives in <dir>/ledger.sqlite") })
      .strict(),
    cometbft: z
      .object({
        home: z
          .string()
          .min(1)
          .optional()
          .describe(
            "the CometBFT home of the node this ledger serves; when set, the ledger checks at start and at InitChain that it and CometBFT run the genesis in the home's genesis file, and refuses another one with the commands that start over",
          ),
      })
      .strict()
      .default({}),
    log: logConfigSection,
  })
  .strict();

export type ValidatorConfig = z.infer<typeof validatorConfigSchema>;
export type ValidatorOptions = z.input<typeof validatorConfigSchema>;

export interface Validator extends Service {
  /** The bound ABCI address (the port is the real one when 0 was asked for), or the Unix socket's path. */
  address(): { host: string; port: number } | { path: string } | undefined;
  stats(): { abci: AbciServerStats; ledger: LedgerStats } | undefined;
}

/**
 * The ABCI application of one validator node: a SQLite-backed ledger behind the socket server CometBFT connects to
 * (`proxy_app = tcp://<abci.host>:<abci.port>`, or `unix://<abci.socket>`). CometBFT itself runs as its own process.
 */
export function createValidator(options: ValidatorOptions, modules: { log: Logger }): Validator {
  const config = validatorConfigSchema.parse(options);
  const log = modules.log.child({ module: "validator" });
  let store: SqliteStore | undefined;
  let server: AbciServer | undefined;
  let ledgerStats: LedgerStats | undefined;
  let bound: { host: string; port: number } | { path: string } | undefined;

  return {
    async start() {
      mkdirSync(config.data.dir, { recursive: true, mode: 0o700 });
      const path = join(config.data.dir, "ledger.sqlite");
      const paths = { dataDir: config.data.dir, ledgerFile: path };
      // Read before the ledger is opened: a home without a genesis is refused without touching the data dir's state.
      const genesis: HomeGenesis | undefined = config.cometbft.home ? readHomeGenesis(config.cometbft.home) : undefined;
      store = new SqliteStore(path);
      const ledger = new Ledger(store);
      const info = ledger.info();
      log.info(
        { path, height: info.height, chainId: info.chainId, signatureBackend: SIGNATURE_BACKEND },
        "ledger opened",
      );
      if (genesis) {
        try {
          checkLedgerAgainstHome(genesis, { ...info, params: ledger.params }, paths);
        } catch (error) {
          store.close();
          store = undefined;
          throw error;
        }
        log.info({ genesisFile: genesis.genesisFile, chainId: genesis.chainId }, "genesis checked");
      }
      const { handler, checkTx, stats } = createLedgerHandler(ledger, log.child({ module: "abci" }), {
        ...(genesis
          ? {
              beforeInitChain: (request) => checkInitChainAgainstHome(genesis, request, paths),
              genesisAdvice: `CometBFT keeps the genesis it stored at its first start: after correcting ${genesis.genesisFile}, run \`cometbft unsafe-reset-all --home ${genesis.home}\` before starting again (docs/validator.md, "A wrong genesis")`,
            }
          : {
              genesisAdvice:
                'CometBFT keeps the genesis it stored at its first start: after correcting the genesis file, run `cometbft unsafe-reset-all --home <home>` before starting again (docs/validator.md, "A wrong genesis")',
            }),
      });
      ledgerStats = stats;
      server = createAbciServer(handler, log.child({ module: "abci-server" }), { checkTx });
      bound = config.abci.socket
        ? await server.listenUnix(config.abci.socket)
        : await server.listen(config.abci.port, config.abci.host);
      log.info(bound, "abci listening");
    },
    async stop() {
      if (server && ledgerStats) log.info({ abci: server.stats, ledger: ledgerStats }, "validator stopping");
      await server?.close();
      store?.close();
      server = undefined;
      store = undefined;
    },
    address: () => bound,
    stats: () => (server && ledgerStats ? { abci: server.stats, ledger: ledgerStats } : undefined),
  };
}

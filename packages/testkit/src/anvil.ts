import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { ContractsError } from "@nym-ts/contracts";
import { HDNodeWallet, Mnemonic } from "ethers";

/** The mnemonic anvil derives its dev accounts from when none is given (public knowledge, test use only). */
export const ANVIL_DEFAULT_MNEMONIC = "test test test test test test test test test test test junk";
export const ANVIL_CHAIN_ID = 31337;

export interface AnvilOptions {
  /** Seconds between blocks (fractions allowed); 0 or absent means automine, one block per transaction. */
  blockTime?: number;
  /** Port on 127.0.0.1; 0 (the default) lets the OS pick one. */
  port?: number;
  /** The anvil executable; default `$ANVIL_BIN`, else `anvil` from PATH (the bootstrap puts it in .tools/bin). */
  binary?: string;
  /** Number of dev accounts (default 10). */
  accounts?: number;
  chainId?: number;
  /** Longest wait for anvil to listen, in ms (default 15 s). */
  startTimeoutMs?: number;
  /** Extra command-line arguments. */
  args?: string[];
}

export interface Anvil {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly chainId: number;
  readonly pid: number;
  /** Private keys of the dev accounts (0x-hex), in anvil's order; each holds 10,000 ETH at start. */
  readonly devKeys: readonly string[];
  /** Kills anvil (SIGTERM, then SIGKILL after 2 s) and resolves when it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts anvil on loopback and resolves once it listens. Its output is drained (anvil logs every block) and only
 * kept for the error message if it fails to start.
 */
export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const binary = options.binary ?? process.env.ANVIL_BIN ?? "anvil";
  const chainId = options.chainId ?? ANVIL_CHAIN_ID;
  const accounts = options.accounts ?? 10;
  const args = ["--host", "127.0.0.1", "--port", String(options.port ?? 0), "--chain-id", String(chainId)];
  args.push("--accounts", String(accounts));
  if (options.blockTime !== undefined && options.blockTime > 0) args.push("--block-time", String(options.blockTime));
  args.push(...(options.args ?? []));

  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const tail: string[] = [];
  const remember = (line: string): void => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
  };
  createInterface({ input: child.stderr! }).on("line", remember);

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`anvil did not listen within ${options.startTimeoutMs ?? 15_000} ms`),
      options.startTimeoutMs ?? 15_000,
    );
    const lines = createInterface({ input: child.stdout! });
    let settled = false;
    function fail(message: string, cause?: unknown): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new ContractsError("CONTRACTS_ERROR_ANVIL_START", message, { binary, args, output: tail }, { cause }));
    }
    lines.on("line", (line) => {
      if (settled) return;
      remember(line);
      const match = /^Listening on [\d.]+:(\d+)/.exec(line);
      if (match) {
        settled = true;
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("error", (error) => fail(`cannot run ${binary}: ${error.message}`, error));
    child.once("exit", (code, signal) => fail(`anvil exited before listening (code ${code}, signal ${signal})`));
  });

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    chainId,
    pid: child.pid!,
    devKeys: anvilDevKeys(accounts),
    stop: () => {
      stopping ??= killAndWait(child, exited);
      return stopping;
    },
  };
}

async function killAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
  await exited;
  clearTimeout(timer);
}

const devKeyCache = new Map<number, string[]>();

/** The first `count` private keys anvil derives from its default mnemonic (m/44'/60'/0'/0/i). */
export function anvilDevKeys(count = 10): string[] {
  const cached = devKeyCache.get(count);
  if (cached) return cached;
  const root = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(ANVIL_DEFAULT_MNEMONIC), "m/44'/60'/0'/0");
  const keys = Array.from({ length: count }, (_, i) => root.deriveChild(i).privateKey);
  devKeyCache.set(count, keys);
  return keys;
}

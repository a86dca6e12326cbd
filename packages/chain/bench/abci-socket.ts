/**
 * CPU cost of the ABCI socket server itself, per request: CheckTx frames of the ledger's mean size sent the way
 * CometBFT's socket client sends them (a 4 KiB bufio writer, so frames straddle writes, and a Flush request after each
 * batch), answered by a handler that does nothing. The server runs in its own process; its CPU time comes from /proc.
 * Prints microseconds of server CPU per request for loopback TCP and a Unix socket, and their ratio.
 *
 *   pnpm bench:socket     (env: SOCKET_REQUESTS=200000 SOCKET_TX_BYTES=650 SOCKET_BATCH=94)
 */
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@nym-ts/common";
import { Request } from "cosmjs-types/tendermint/abci/types";
import { createAbciServer, encodeFrame, FrameReader } from "../src/abci-server.js";

const REQUESTS = Number(process.env.SOCKET_REQUESTS ?? 200_000);
const TX_BYTES = Number(process.env.SOCKET_TX_BYTES ?? 650);
/** CheckTx requests between two Flush requests (about one block's txs, as in a recheck). */
const BATCH = Number(process.env.SOCKET_BATCH ?? 94);
const BUFIO = 4096;

if (process.argv[2] === "server") {
  // Child: the server with a handler that does nothing, so only the socket path is measured.
  const log = createLogger({ name: "bench", level: "silent" });
  const ok = { code: 0, log: "", codespace: "" };
  const server = createAbciServer(
    (request) => (request.flush ? { flush: {} } : { echo: { message: "" } }) as never,
    log,
    { checkTx: () => ok },
  );
  const where = process.argv[3] as string;
  if (where.startsWith("/")) await server.listenUnix(where);
  else await server.listen(0, "127.0.0.1").then((a) => process.send?.(a.port));
  process.on("SIGINT", () => process.exit(0)); // lets --cpu-prof write its profile
  process.send?.("ready");
} else {
  await main();
}

function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
}

/** Sends REQUESTS CheckTx frames in BATCHes closed by a Flush, through a 4 KiB buffer; resolves on the last answer. */
async function drive(socket: Socket): Promise<void> {
  const tx = new Uint8Array(TX_BYTES).fill(0x61);
  const checkTx = encodeFrame(Request.encode(Request.fromPartial({ checkTx: { tx, type: 1 } })).finish());
  const flush = encodeFrame(Request.encode(Request.fromPartial({ flush: {} })).finish());
  const reader = new FrameReader();
  let answered = 0;
  let sent = 0;
  const total = REQUESTS + Math.ceil(REQUESTS / BATCH);
  let onBatch: (() => void) | undefined;
  const done = new Promise<void>((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      answered += reader.push(chunk).length;
      if (answered === sent) onBatch?.();
      if (answered === total) resolve();
    });
  });
  const buffer = Buffer.alloc(BUFIO);
  let used = 0;
  const put = (frame: Uint8Array) => {
    let at = 0;
    while (at < frame.length) {
      const n = Math.min(BUFIO - used, frame.length - at);
      buffer.set(frame.subarray(at, at + n), used);
      used += n;
      at += n;
      if (used === BUFIO) {
        socket.write(Buffer.from(buffer));
        used = 0;
      }
    }
  };
  for (let i = 0; i < REQUESTS; i += BATCH) {
    const n = Math.min(BATCH, REQUESTS - i);
    for (let j = 0; j < n; j++) put(checkTx);
    put(flush);
    socket.write(Buffer.from(buffer.subarray(0, used)));
    used = 0;
    sent += n + 1;
    // One batch in flight at a time, as CometBFT waits for a recheck's answers before the next block.
    await new Promise<void>((r) => {
      onBatch = r;
      if (answered === sent) r();
    });
  }
  await done;
}

async function measure(transport: "tcp" | "unix"): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "abci-socket-"));
  const path = join(dir, "abci.sock");
  const child = fork(new URL(import.meta.url).pathname, ["server", transport === "unix" ? path : "tcp"], {
    execArgv: [
      ...process.execArgv,
      ...(process.env.SOCKET_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.SOCKET_PROF}`] : []),
    ],
  });
  let port = 0;
  await new Promise<void>((resolve) =>
    child.on("message", (m) => {
      if (typeof m === "number") port = m;
      if (m === "ready") resolve();
    }),
  );
  const socket = transport === "unix" ? connect({ path }) : connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  await new Promise((r) => socket.once("connect", r));
  const pid = child.pid as number;
  const before = cpuOf(pid);
  const t = performance.now();
  await drive(socket);
  const wall = performance.now() - t;
  const cpu = cpuOf(pid) - before;
  socket.destroy();
  child.kill("SIGINT");
  await new Promise((r) => child.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
  const perRequest = (cpu / REQUESTS) * 1e6;
  console.log(
    `${transport.padEnd(4)}  server CPU ${perRequest.toFixed(2)} us per CheckTx  (${REQUESTS} requests of ${TX_BYTES} bytes, batches of ${BATCH}, ${(wall / 1000).toFixed(1)} s wall)`,
  );
  return perRequest;
}

async function main(): Promise<void> {
  console.log("# ABCI socket server cost: CheckTx frames as CometBFT's socket client writes them, a no-op handler");
  const rounds: { tcp: number; unix: number }[] = [];
  for (let i = 0; i < 3; i++) rounds.push({ tcp: await measure("tcp"), unix: await measure("unix") });
  const best = (k: "tcp" | "unix") => Math.min(...rounds.map((r) => r[k]));
  console.log(
    `best of 3: tcp ${best("tcp").toFixed(2)} us, unix ${best("unix").toFixed(2)} us per CheckTx; unix/tcp = ${(best("unix") / best("tcp")).toFixed(2)}`,
  );
}

import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

/**
 * The localnet's processes outlive the command that started them: each is spawned detached (its own process group,
 * stdout and stderr appended to `<build>/logs/<name>.log`) and known by `<build>/run/<name>.pid`. A pid counts as
 * ours only while the process's command line names the build directory (every command has it in a path), so a
 * recycled pid is never signalled.
 */

export const logsDir = (dir: string): string => join(dir, "logs");
export const runDir = (dir: string): string => join(dir, "run");
export const logFile = (dir: string, name: string): string => join(logsDir(dir), `${name}.log`);
const pidFile = (dir: string, name: string): string => join(runDir(dir), `${name}.pid`);

export interface Launch {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts a detached process logging to its log file and records its pid; resolves once it has been spawned. */
export async function launch(dir: string, spec: Launch): Promise<number> {
  mkdirSync(logsDir(dir), { recursive: true });
  mkdirSync(runDir(dir), { recursive: true });
  const log = openSync(logFile(dir, spec.name), "a");
  writeSync(
    log,
    `\n=== ${new Date().toISOString()} nym-localnet starts ${spec.name}: ${spec.command} ${spec.args.join(" ")}\n`,
  );
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ["ignore", log, log],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("spawn", () => resolve(child.pid as number));
      child.once("error", reject);
    });
    child.once("exit", (code, signal) => exits.set(pid, { code, signal }));
    child.unref();
    writeFileSync(pidFile(dir, spec.name), `${pid}\n`);
    return pid;
  } finally {
    closeSync(log);
  }
}

/** How the processes this process launched ended (while it still runs: `up` reports a daemon that exits). */
const exits = new Map<number, { code: number | null; signal: NodeJS.Signals | null }>();

/** "exit status 1" or "signal SIGKILL" for a process this one launched and saw end, else undefined. */
export function exitDescription(pid: number | undefined): string | undefined {
  const exit = pid === undefined ? undefined : exits.get(pid);
  if (exit === undefined) return undefined;
  return exit.signal !== null ? `signal ${exit.signal}` : `exit status ${exit.code}`;
}

/** The recorded pid of a service, if any. */
export function recordedPid(dir: string, name: string): number | undefined {
  const path = pidFile(dir, name);
  if (!existsSync(path)) return undefined;
  const pid = Number(readFileSync(path, "utf8").trim());
  return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
}

/** Every service that has a pid file (running or not). */
export function recordedServices(dir: string): string[] {
  if (!existsSync(runDir(dir))) return [];
  return readdirSync(runDir(dir))
    .filter((f) => f.endsWith(".pid"))
    .map((f) => f.slice(0, -".pid".length));
}

/**
 * Whether `pid` is a live process of the localnet in `dir`: it exists, is not a zombie, and (where /proc is there to
 * ask) its command line mentions `dir`, or is empty as while the process re-executes itself.
 */
export function isOurs(pid: number, dir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const proc = `/proc/${pid}`;
  if (!existsSync(proc)) return true; // no procfs (macOS): the pid file is all we know
  try {
    const stat = readFileSync(join(proc, "stat"), "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return false;
    // A live process reads an empty command line while it replaces itself (execve): the mixnode and gateway bins
    // re-exec at start with glibc's malloc tuning (mixnet-node's reexecWithMallocTuning).
    const cmdline = readFileSync(join(proc, "cmdline"), "utf8");
    return cmdline === "" || cmdline.includes(dir);
  } catch {
    return false;
  }
}

/** The pid of a service when it runs, else undefined. */
export function runningPid(dir: string, name: string): number | undefined {
  const pid = recordedPid(dir, name);
  return pid !== undefined && isOurs(pid, dir) ? pid : undefined;
}

/** Names of the services of `dir` that run now. */
export function liveServices(dir: string): string[] {
  return recordedServices(dir).filter((name) => runningPid(dir, name) !== undefined);
}

/**
 * Stops a service: SIGTERM to its process group (a daemon run through tsx may have a helper process), then SIGKILL
 * after `graceMs`, or one second after the daemon has logged that it stopped (a daemon whose event loop a lingering
 * keep-alive socket or timer holds open would otherwise wait out the whole grace period); resolves once no process
 * of the group is left. Removes the pid file.
 */
export async function stopService(dir: string, name: string, graceMs = 10_000): Promise<boolean> {
  const pid = runningPid(dir, name);
  let stopped = false;
  if (pid !== undefined) {
    const log = logFile(dir, name);
    const logStart = existsSync(log) ? statSync(log).size : 0;
    signalGroup(pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    let sawStopped: number | undefined;
    while (groupAlive(pid, dir) && Date.now() < deadline) {
      await sleep(50);
      if (sawStopped === undefined && loggedStopped(log, logStart)) sawStopped = Date.now();
      if (sawStopped !== undefined && Date.now() - sawStopped > 1_000) break;
    }
    if (groupAlive(pid, dir)) {
      signalGroup(pid, "SIGKILL");
      while (groupAlive(pid, dir)) await sleep(20);
    }
    stopped = true;
  }
  rmSync(pidFile(dir, name), { force: true });
  return stopped;
}

/** Whether the daemon logged `"msg":"stopped"` (common's runService) after byte `from` of its log. */
function loggedStopped(path: string, from: number): boolean {
  try {
    const size = statSync(path).size;
    if (size <= from) return false;
    const fd = openSync(path, "r");
    try {
      const length = Math.min(size - from, 64 * 1024);
      const buffer = Buffer.alloc(length);
      readSyncAll(fd, buffer, size - length);
      return buffer.toString("utf8").includes('"msg":"stopped"');
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/** Whether the leader or any other member of process group `pgid` is alive (from /proc where available). */
function groupAlive(pgid: number, dir: string): boolean {
  if (isOurs(pgid, dir)) return true;
  return groupMembers(pgid).length > 0;
}

/** Live pids of process group `pgid` (Linux: from /proc/<pid>/stat; elsewhere none beyond the leader). */
export function groupMembers(pgid: number): number[] {
  if (!existsSync("/proc/self/stat")) return [];
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields: state ppid pgrp ...
      if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") members.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return members;
}

/** Peak resident set size (VmHWM) of a process, in bytes, from /proc; undefined elsewhere or when it is gone. */
export function peakRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The last `lines` lines of a service's log ("" when there is none). */
export function logTail(dir: string, name: string, lines = 20): string {
  const path = logFile(dir, name);
  if (!existsSync(path)) return "";
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  try {
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSyncAll(fd, buffer, size - length);
    return buffer.toString("utf8").split("\n").filter(Boolean).slice(-lines).join("\n");
  } finally {
    closeSync(fd);
  }
}

function readSyncAll(fd: number, buffer: Buffer, position: number): void {
  let offset = 0;
  while (offset < buffer.length) {
    const n = readSync(fd, buffer, offset, buffer.length - offset, position + offset);
    if (n === 0) break;
    offset += n;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { decodeTrace, TRACE_FILE, type TraceSession } from "@nym-ts/mixnet-node";

/** Every `observe.trace` under `dir` (a loopback mixnet's or a localnet's directory), decoded. */
export function readTraces(dir: string, file = TRACE_FILE): TraceSession[] {
  const sessions: TraceSession[] = [];
  const walk = (d: string, depth: number): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory() && depth < 4) walk(path, depth + 1);
      else if (st.isFile() && name === file) sessions.push(...decodeTrace(readFileSync(path)));
    }
  };
  walk(dir, 0);
  return sessions;
}

/**
 * `pnpm bench`: how many credential requests one issuer signs per second per core.
 *
 * Measures, interleaved round-robin in one run (so load from other processes hits them alike), the median wall and
 * CPU time of: one pairing of the backend (the unit of cost), `blindSign` on a real prepared request (its π_s check
 * included: two G1 MSMs and a hash-to-G1, then the constant-time signature), the issuer's whole decision
 * (`decideRequest`: public attributes, decode with every point checked, blindSign, encode), and the decision plus
 * the SQLite transaction that stores the partial with the checkpoint (synchronous = FULL, as the daemon runs).
 * Prints signs per second per core (1 / CPU time: the bench is single-threaded) and each ratio to one pairing.
 * On the fastest backend (blst when its addon is built, else mcl); with blst, mcl is measured too (what an image
 * without the addon gets).
 *
 * Knobs: BENCH_ROUNDS (default 300).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blindSign, decodeSecretKey, fastestBackend, mclBackend, type Params, setup } from "@nym-ts/coconut";
import { ATTRIBUTE_COUNT, dealIssuerKeys, decodeRequest, prepareCredentialRequest } from "@nym-ts/credentials";
import { type CredentialRequestEvent, decideRequest, IssuerStore } from "../src/index.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);

interface Sampled {
  wallMs: number;
  cpuMs: number;
}

/** Medians of wall and CPU time per operation, the operations sampled round-robin. */
function interleaved(ops: (() => unknown)[], rounds: number): Sampled[] {
  for (const f of ops) f(); // warm-up: lazy tables, JIT
  const wall: number[][] = ops.map(() => []);
  const cpu: number[][] = ops.map(() => []);
  for (let round = 0; round < rounds; round++) {
    ops.forEach((f, i) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      f();
      const t1 = performance.now();
      const c = process.cpuUsage(c0);
      wall[i]?.push(t1 - t0);
      cpu[i]?.push((c.user + c.system) / 1000);
    });
  }
  const median = (v: number[]) => {
    v.sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)] as number;
  };
  return ops.map((_, i) => ({ wallMs: median(wall[i] as number[]), cpuMs: median(cpu[i] as number[]) }));
}

function measure(params: Params, rounds: number, dir: string): { op: string; s: Sampled }[] {
  const { keys } = dealIssuerKeys(params, 2, 3);
  const secretKey = decodeSecretKey(params, keys[0]?.secretKey as Uint8Array);
  const prepared = prepareCredentialRequest(params, 10n);
  const request = decodeRequest(params, prepared.tx.blindSignRequest);
  const event: CredentialRequestEvent = {
    requestId: "",
    height: 1,
    requester: "0x0000000000000000000000000000000000000001",
    value: "10",
    blindSignRequest: prepared.tx.blindSignRequest,
    publicAttributes: prepared.tx.publicAttributes,
  };
  if (decideRequest(params, secretKey, event).status !== "signed") throw new Error("bench: the request is refused");
  const store = new IssuerStore(join(dir, `${params.backend.name}.sqlite`));
  store.bind({ chainId: "bench", issuerIndex: 1, verificationKey: keys[0]?.verificationKey as string });
  let n = 0;
  const b = params.backend;
  const p = b.g1Mul(b.g1Generator(), 123456789n);
  const q = b.g2Mul(b.g2Generator(), 987654321n);
  try {
    const [pairing, sign, decide, stored] = interleaved(
      [
        () => b.pairing(p, q),
        () => blindSign(params, secretKey, request, [10n]),
        () => decideRequest(params, secretKey, event),
        () => {
          const decision = decideRequest(params, secretKey, event);
          if (decision.status !== "signed") throw new Error("refused");
          n++;
          const id = n.toString(16).toUpperCase().padStart(64, "0");
          store.recordSigned({ ...event, requestId: id, height: n + 1 }, decision.blindedSignature);
        },
      ],
      rounds,
    ) as [Sampled, Sampled, Sampled, Sampled];
    return [
      { op: "one pairing", s: pairing },
      { op: "blindSign (with the π_s check)", s: sign },
      { op: "decideRequest (checks, decode, blindSign, encode)", s: decide },
      { op: "decideRequest + store (SQLite, synchronous FULL)", s: stored },
    ];
  } finally {
    store.close();
  }
}

function print(backend: string, rounds: number, rows: { op: string; s: Sampled }[]): void {
  const pairing = rows[0]?.s as Sampled;
  console.log(`\nbackend ${backend}, ${rounds} rounds, medians; /s/core = 1000 / CPU ms, /pairing = CPU ratio`);
  console.log(
    `${"operation".padEnd(52)} ${"wall ms".padStart(8)} ${"CPU ms".padStart(8)} ${"/s/core".padStart(8)} ${"/pairing".padStart(9)}`,
  );
  for (const { op, s } of rows) {
    console.log(
      `${op.padEnd(52)} ${s.wallMs.toFixed(3).padStart(8)} ${s.cpuMs.toFixed(3).padStart(8)} ` +
        `${(1000 / s.cpuMs).toFixed(0).padStart(8)} ${(s.cpuMs / pairing.cpuMs).toFixed(2).padStart(9)}`,
    );
  }
}

const dir = mkdtempSync(join(tmpdir(), "nym-issuer-bench-"));
try {
  const fastest = await fastestBackend();
  const params = setup(ATTRIBUTE_COUNT, { backend: fastest });
  const rows = measure(params, ROUNDS, dir);
  print(fastest.name, ROUNDS, rows);
  const sign = rows[1]?.s as Sampled;
  const pairing = rows[0]?.s as Sampled;
  console.log(
    `\nheadline (${fastest.name}): ${(1000 / sign.cpuMs).toFixed(0)} blind signatures per second per core ` +
      `(${sign.cpuMs.toFixed(3)} ms CPU each = ${(sign.cpuMs / pairing.cpuMs).toFixed(2)} pairings, same run)`,
  );
  if (fastest.name !== "mcl") {
    const mcl = await mclBackend();
    const rounds = Math.max(20, Math.floor(ROUNDS / 4));
    print(
      `${mcl.name} (the fallback without the native addon)`,
      rounds,
      measure(setup(ATTRIBUTE_COUNT, { backend: mcl }), rounds, dir),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

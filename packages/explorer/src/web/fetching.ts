import type { z } from "zod";

/** Why a fetch produced no data: the page shows it next to the last known data, marked stale. */
export class FetchFailure extends Error {
  constructor(
    readonly reason: "timeout" | "network" | "http" | "invalid",
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "FetchFailure";
  }
}

export interface Fetched<T> {
  data: T;
  /** The server's clock from its Date header (Unix ms, 1 s resolution), when it sent one. */
  serverDate: number | undefined;
  /** Local clock halfway through the request, to estimate the offset to `serverDate`. */
  localMidpoint: number;
}

export interface FetchJsonOptions {
  timeoutMs: number;
  /** The global fetch otherwise (unit tests pass their own). */
  fetch?: typeof globalThis.fetch;
  now?: () => number;
}

/**
 * GETs `url` and parses its JSON with `schema`, within `timeoutMs`. Every way it can fail (timeout, refused
 * connection, a non-2xx status, a body that is not the expected shape) is a `FetchFailure`, so callers keep their
 * last known data and mark it stale instead of showing half an answer.
 */
export async function fetchJson<S extends z.ZodType>(
  url: string | URL,
  schema: S,
  options: FetchJsonOptions,
): Promise<Fetched<z.infer<S>>> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const started = now();
  let response: Response;
  let body: unknown;
  try {
    response = await doFetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: { accept: "application/json" },
      cache: "no-store",
    });
    if (!response.ok) {
      // Drain the body so the connection can be reused; the status says enough.
      await response.text().catch(() => "");
      throw new FetchFailure("http", `HTTP ${response.status}`, response.status);
    }
    body = await response.json();
  } catch (error) {
    if (error instanceof FetchFailure) throw error;
    const name = (error as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError") {
      throw new FetchFailure("timeout", `no answer within ${options.timeoutMs} ms`);
    }
    if (error instanceof SyntaxError) throw new FetchFailure("invalid", "the answer is not JSON");
    throw new FetchFailure("network", "unreachable");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FetchFailure(
      "invalid",
      `unexpected answer${issue ? ` at ${issue.path.join(".")}: ${issue.message}` : ""}`,
    );
  }
  const date = response.headers.get("date");
  const serverDate = date === null ? undefined : Date.parse(date);
  return {
    data: parsed.data,
    serverDate: serverDate !== undefined && Number.isFinite(serverDate) ? serverDate : undefined,
    localMidpoint: (started + now()) / 2,
  };
}

/** Runs `task` over `items` with at most `limit` at a time; results in input order, failures as `undefined`. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<(R | undefined)[]> {
  const out: (R | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      try {
        out[i] = await task(items[i] as T);
      } catch {
        out[i] = undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

import type { Logger } from "@nym-ts/common";
import type { DirectoryClient, Ed25519Signer, IssuerRegistration } from "@nym-ts/directory-client";
import type { Counter } from "prom-client";

export interface RegistrationOptions {
  directory: Pick<DirectoryClient, "register">;
  signer: Ed25519Signer;
  payload: IssuerRegistration;
  log: Logger;
  /** Counts attempts by result (`ok`, `failed`). */
  counter?: Counter<"result">;
  /** First retry delay after a failed registration; doubles up to `retryMaxMs`. */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export interface DirectoryRegistration {
  /** Unix ms the current registration lapses at (0 before the first success). */
  readonly expiresAt: number;
  /** Failed attempts since the last success. */
  readonly failures: number;
  /** Resolves after the next attempt, whatever its result (for tests). */
  attempted(): Promise<void>;
  stop(): void;
}

/** A renewal goes out a third of a TTL after the last success: two more tries fit before the registration lapses. */
const RENEW_FRACTION = 1 / 3;

/**
 * Registers the issuer in the directory now and renews it well within the TTL the directory grants (every third of
 * it, so one or two lost renewals are harmless); failures are logged and retried with backoff, never thrown.
 */
export function startDirectoryRegistration(options: RegistrationOptions): DirectoryRegistration {
  const log = options.log.child({ module: "registration" });
  const retryInitialMs = options.retryInitialMs ?? 1_000;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let expiresAt = 0;
  let waiters: (() => void)[] = [];

  const attempt = async (): Promise<void> => {
    let next: number;
    try {
      const result = await options.directory.register("issuer", options.payload, options.signer);
      if (failures > 0 || expiresAt === 0) {
        log.info(
          { directoryTtlSeconds: result.ttlSeconds, apiUrl: options.payload.apiUrl },
          "registered in the directory",
        );
      }
      failures = 0;
      expiresAt = result.expiresAt;
      options.counter?.inc({ result: "ok" });
      next = Math.max(200, result.ttlSeconds * 1000 * RENEW_FRACTION);
    } catch (error) {
      failures++;
      options.counter?.inc({ result: "failed" });
      next = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(failures - 1, 20));
      log.warn({ err: (error as Error).message, failures, retryInMs: next }, "directory registration failed");
    }
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
    if (stopped) return;
    timer = setTimeout(() => void attempt(), next);
    timer.unref?.();
  };
  void attempt();

  return {
    get expiresAt() {
      return expiresAt;
    },
    get failures() {
      return failures;
    },
    attempted: () => new Promise<void>((resolve) => waiters.push(resolve)),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

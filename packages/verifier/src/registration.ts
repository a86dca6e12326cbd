import type { Logger } from "@nym-ts/common";
import type { DirectoryClient, Ed25519Signer, VerifierRegistration } from "@nym-ts/directory-client";

export interface RegistrationOptions {
  directory: Pick<DirectoryClient, "register">;
  signer: Ed25519Signer;
  payload: VerifierRegistration;
  log: Logger;
  /** Called after each attempt with its result (metrics). */
  onAttempt?: (ok: boolean) => void;
  /** First retry delay after a failed registration; doubles up to `retryMaxMs`. */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export interface DirectoryRegistration {
  /** Unix ms the current registration lapses at (0 before the first success). */
  readonly expiresAt: number;
  /** Resolves after the next attempt, whatever its result (tests). */
  attempted(): Promise<void>;
  stop(): void;
}

/**
 * Registers the verifier in the directory now and renews it every third of the TTL the directory grants (so one or
 * two lost renewals are harmless); failures are logged and retried with backoff, never thrown.
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
      const result = await options.directory.register("verifier", options.payload, options.signer);
      if (failures > 0 || expiresAt === 0) {
        log.info({ directoryTtlSeconds: result.ttlSeconds }, "registered in the directory");
      }
      failures = 0;
      expiresAt = result.expiresAt;
      options.onAttempt?.(true);
      next = Math.max(200, (result.ttlSeconds * 1000) / 3);
    } catch (error) {
      failures++;
      options.onAttempt?.(false);
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
    attempted: () => new Promise<void>((resolve) => waiters.push(resolve)),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

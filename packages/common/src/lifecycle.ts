import type { Logger } from "pino";

/** What every daemon library returns: `createMixnode(options, modules)` gives one of these. */
export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface RunOptions {
  log: Logger;
  /** Longest a graceful stop may take before the process exits anyway. */
  stopTimeoutMs?: number;
  /** Injected for tests; the real process otherwise. */
  process?: Pick<NodeJS.Process, "on" | "off" | "exit">;
}

export interface RunningService {
  /** Resolves once the service has stopped, whatever stopped it. */
  readonly stopped: Promise<void>;
  /** Stops the service as a signal would. */
  stop(reason?: string): Promise<void>;
}

/**
 * Starts a service and ties its life to SIGINT and SIGTERM: the first signal stops it gracefully, a second one (or a
 * stop that outlasts `stopTimeoutMs`) exits at once with status 1. A failed start exits with status 1 after logging.
 */
export async function runService(service: Service, options: RunOptions): Promise<RunningService> {
  const proc = options.process ?? process;
  const log = options.log;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });

  const stop = (reason = "requested"): Promise<void> => {
    if (stopping) return stopping;
    log.info({ reason }, "stopping");
    const timer = setTimeout(() => {
      log.error({ stopTimeoutMs }, "stop timed out, exiting");
      proc.exit(1);
    }, stopTimeoutMs);
    timer.unref?.();
    stopping = service
      .stop()
      .then(
        () => log.info("stopped"),
        (error: unknown) => {
          log.error({ err: error }, "stop failed");
          proc.exit(1);
        },
      )
      .finally(() => {
        clearTimeout(timer);
        proc.off("SIGINT", onSignal);
        proc.off("SIGTERM", onSignal);
        resolveStopped();
      });
    return stopping;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, "second signal, exiting now");
      proc.exit(1);
      return;
    }
    void stop(signal);
  };

  proc.on("SIGINT", onSignal);
  proc.on("SIGTERM", onSignal);
  try {
    await service.start();
  } catch (error) {
    proc.off("SIGINT", onSignal);
    proc.off("SIGTERM", onSignal);
    log.fatal({ err: error }, "start failed");
    proc.exit(1);
    throw error;
  }
  log.info("started");
  return { stopped, stop };
}

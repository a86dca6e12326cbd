import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, runService, type Service } from "../../src/index.js";

class FakeProcess extends EventEmitter {
  exits: number[] = [];
  exit(code?: number): never {
    this.exits.push(code ?? 0);
    return undefined as never;
  }
}

const silent = createLogger({
  name: "t",
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

function recordingService(stopDelayMs = 0): Service & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    async start() {
      events.push("start");
    },
    async stop() {
      events.push("stop");
      await new Promise((resolve) => setTimeout(resolve, stopDelayMs));
      events.push("stopped");
    },
  };
}

describe("runService", () => {
  it("starts the service and stops it gracefully on SIGTERM", async () => {
    const proc = new FakeProcess();
    const service = recordingService();
    const running = await runService(service, { log: silent, process: proc as unknown as NodeJS.Process });
    expect(service.events).toEqual(["start"]);
    proc.emit("SIGTERM", "SIGTERM");
    await running.stopped;
    expect(service.events).toEqual(["start", "stop", "stopped"]);
    expect(proc.exits).toEqual([]);
    expect(proc.listenerCount("SIGTERM")).toBe(0);
  });

  it("exits at once with status 1 on a second signal while stopping", async () => {
    const proc = new FakeProcess();
    const service = recordingService(50);
    const running = await runService(service, { log: silent, process: proc as unknown as NodeJS.Process });
    proc.emit("SIGINT", "SIGINT");
    proc.emit("SIGINT", "SIGINT");
    expect(proc.exits).toEqual([1]);
    await running.stopped;
  });

  it("exits with status 1 when stopping outlasts the timeout", async () => {
    const proc = new FakeProcess();
    const service = recordingService(200);
    const running = await runService(service, {
      log: silent,
      process: proc as unknown as NodeJS.Process,
      stopTimeoutMs: 20,
    });
    void running.stop("test");
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(proc.exits).toEqual([1]);
    await running.stopped;
  });

  it("exits with status 1 and rethrows when start fails", async () => {
    const proc = new FakeProcess();
    const failing: Service = {
      start: async () => {
        throw new Error("port in use");
      },
      stop: async () => {},
    };
    await expect(runService(failing, { log: silent, process: proc as unknown as NodeJS.Process })).rejects.toThrow(
      "port in use",
    );
    expect(proc.exits).toEqual([1]);
    expect(proc.listenerCount("SIGINT")).toBe(0);
  });
});

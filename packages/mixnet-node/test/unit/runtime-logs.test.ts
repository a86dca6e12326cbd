import { Writable } from "node:stream";
import { createLogger } from "@nym-ts/common";
import type { DirectoryClient } from "@nym-ts/directory-client";
import { generateX25519, type MixTransport, nymSphinx } from "@nym-ts/mixnet";
import { describe, expect, it } from "vitest";
import { NodeRuntime } from "../../src/node-runtime.js";

/** A logger whose raw lines (the exact JSON text, duplicate keys and all) the test reads. */
function capture() {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      raw.push(chunk.toString());
      callback();
    },
  });
  return { log: createLogger({ name: "test", level: "info", destination }), raw };
}

function runtime(log: ReturnType<typeof createLogger>) {
  const transport = {
    localId: new Uint8Array(32).fill(3),
    listenAddresses: () => ["/ip4/127.0.0.1/tcp/1"],
    stats: () => ({
      framesSent: 0,
      framesReceived: 0,
      framesDropped: 2,
      badFrames: 0,
      writes: 0,
      chunksReceived: 0,
      linksOpen: 1,
    }),
    onFrame: () => {},
    onPeerConnected: () => {},
  } as unknown as MixTransport;
  return new NodeRuntime(
    {
      keys: { identitySeed: new Uint8Array(32).fill(1), sphinxSecret: generateX25519().secretKey },
      listen: "/ip4/127.0.0.1/tcp/0",
      directoryUrl: "http://127.0.0.1:9",
      registerIntervalMs: 1000,
      topologyRefreshMs: 1000,
      metricsIntervalMs: 1000,
      replayPath: ":memory:",
      maxQueuedFramesPerLink: 10,
      mix: {
        layer: 1,
        maxDelayMs: 1000,
        delayQueueCapacity: 10,
        loopRate: 0,
        loopMeanDelayMs: 1,
        payloadSize: 2065,
        loopTimeoutMs: 1000,
      },
      registration: (k, announce) => ({ kind: "mixnode", payload: { ...k, host: announce, layer: 1, version: "t" } }),
    },
    { log, sphinx: nymSphinx, transport, directory: {} as DirectoryClient },
  );
}

describe("a mix node's log lines", () => {
  it("logs the packet counters (in, out, dropped by cause, queue depth) in one info line", () => {
    const { log, raw } = capture();
    const node = runtime(log.child({ module: "mixnode" }));
    node.core.handlePacket(new Uint8Array(100)); // malformed
    node.logCounters();
    const line = JSON.parse(raw.at(-1) as string);
    expect(line.msg).toBe("packet counters");
    expect(line).toMatchObject({ received: 1, forwarded: 0, queued: 0, linksOpen: 1, linkFramesDropped: 2 });
    expect(line.dropped.malformed).toBe(1);
    node.core.stop();
  });

  it("carries the key `module` once, also from the engine under a daemon's module logger", () => {
    const { log, raw } = capture();
    const node = runtime(log.child({ module: "mixnode" }));
    // The engine's own line: its child logger must not add a second `module`.
    // 101 packets of no Sphinx size from one neighbour: the engine logs that it refused the link.
    for (let i = 0; i < 101; i++) node.core.handleFrame(Uint8Array.of(1, 0, 0), new Uint8Array(32).fill(9));
    const engineLines = raw.filter((l) => l.includes("link refused"));
    expect(engineLines.length).toBeGreaterThan(0);
    for (const line of engineLines) {
      expect(line.match(/"module":/g)).toHaveLength(1);
      expect(JSON.parse(line)).toMatchObject({ module: "mixnode", component: "mix-core" });
    }
    node.core.stop();
  });
});

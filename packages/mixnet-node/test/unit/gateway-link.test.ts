import { randomBytes } from "node:crypto";
import { createLogger } from "@nym-ts/common";
import type { DirectoryClient } from "@nym-ts/directory-client";
import {
  encodeError,
  encodeRegistered,
  FrameType,
  generateX25519,
  type MixTransport,
  type PeerAddress,
} from "@nym-ts/mixnet";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GatewayLink, REGISTER_CHECK_MS, REGISTER_CHECKS, REGISTER_RESEND_MS } from "../../src/client/gateway-link.js";
import { ed25519PublicFromSeed } from "../../src/identity.js";

const log = createLogger({ name: "test", level: "silent" });
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A transport whose link state the test sets: `connected`, frames `queued`, and every frame handed to `send`. */
function fakeTransport() {
  const state = { connected: false, queued: 0, sent: [] as Uint8Array[] };
  const transport = {
    localId: new Uint8Array(32),
    send: (_peer: PeerAddress, frame: Uint8Array) => {
      state.sent.push(frame);
      return true;
    },
    isConnected: () => state.connected,
    queuedFrames: () => state.queued,
  } as unknown as MixTransport;
  return { state, transport };
}

async function linkWithGateway(transport: MixTransport) {
  const gateway = ed25519PublicFromSeed(randomBytes(32));
  const directory = {
    getTopology: async () => ({
      modified: true,
      etag: "1",
      topology: {
        mixnodes: [],
        gateways: [
          {
            identityKey: hex(gateway),
            sphinxKey: hex(generateX25519().publicKey),
            mixnetAddress: "127.0.0.1:2",
            clientAddress: "127.0.0.1:2",
          },
        ],
      },
    }),
  } as unknown as DirectoryClient;
  const link = new GatewayLink({ transport, directory, gateway, gatewayHex: hex(gateway), log });
  await link.refreshTopology();
  expect(link.known).toBe(true);
  return { link, gateway };
}

const registrations = (sent: Uint8Array[]) => sent.filter((f) => f[0] === FrameType.CLIENT_REGISTER).length;

describe("GatewayLink registration", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends a registration again when it was dropped with the link (not connected, nothing queued) until answered", async () => {
    const { state, transport } = fakeTransport();
    const { link, gateway } = await linkWithGateway(transport);
    link.register("push");
    expect(registrations(state.sent)).toBe(1);
    // The dial failed: no link, the frame gone from the queue.
    vi.advanceTimersByTime(REGISTER_CHECK_MS);
    expect(registrations(state.sent)).toBe(2);
    vi.advanceTimersByTime(REGISTER_CHECK_MS);
    expect(registrations(state.sent)).toBe(3);
    expect(link.registerResends).toBe(2);
    link.onFrame(encodeRegistered(0), gateway);
    vi.advanceTimersByTime(10 * REGISTER_CHECK_MS);
    expect(registrations(state.sent)).toBe(3);
  });

  it("does not send it twice while it waits in the queue for a dial, nor on a live link before REGISTER_RESEND_MS", async () => {
    const { state, transport } = fakeTransport();
    const { link, gateway } = await linkWithGateway(transport);
    state.queued = 1;
    link.register("pull");
    vi.advanceTimersByTime(3 * REGISTER_CHECK_MS);
    expect(registrations(state.sent)).toBe(1);
    state.queued = 0;
    state.connected = true;
    vi.advanceTimersByTime(REGISTER_RESEND_MS - REGISTER_CHECK_MS);
    expect(registrations(state.sent)).toBe(1);
    // Connected, but no answer for REGISTER_RESEND_MS: once more.
    vi.advanceTimersByTime(2 * REGISTER_CHECK_MS);
    expect(registrations(state.sent)).toBe(2);
    // Another peer's REGISTERED is not ours; the gateway's "full" answer ends it too.
    link.onFrame(encodeRegistered(0), new Uint8Array(32));
    link.onFrame(encodeError(2, "gateway full"), gateway);
    vi.advanceTimersByTime(10 * REGISTER_RESEND_MS);
    expect(registrations(state.sent)).toBe(2);
  });

  it("gives up after REGISTER_CHECKS checks, and stopRegistering ends it at once", async () => {
    const { state, transport } = fakeTransport();
    const { link } = await linkWithGateway(transport);
    link.register("push");
    vi.advanceTimersByTime(100 * REGISTER_CHECK_MS);
    expect(registrations(state.sent)).toBe(1 + REGISTER_CHECKS);
    link.register("push");
    link.stopRegistering();
    vi.advanceTimersByTime(10 * REGISTER_CHECK_MS);
    expect(registrations(state.sent)).toBe(2 + REGISTER_CHECKS);
  });
});

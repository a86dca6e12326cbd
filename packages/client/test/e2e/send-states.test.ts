import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Network, startNetwork, waitFor } from "../helpers/network.js";

/**
 * What `nymclient send` reports against a real loopback mixnet (3 mixes, 3 gateways, libp2p, SQLite mailboxes): a
 * message to the client itself, a registered recipient that is offline (stored at its gateway, then fetched), and a
 * real loss (the recipient's gateway down). Fast acks: `--traffic.ackTimeoutExtraMs 300`.
 */

const bin = fileURLToPath(new URL("../../src/bin.ts", import.meta.url));
const fast = ["--traffic.meanDelayMs", "2", "--traffic.lambdaP", "100", "--traffic.ackTimeoutExtraMs", "300"];

interface Run extends ChildProcess {
  lines: string[];
  errors: string[];
  done: Promise<number>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, ["--conditions=@nym-ts/source", "--import", "tsx", bin, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  }) as unknown as Run;
  child.lines = [];
  child.errors = [];
  const split = (into: string[]) => {
    let buffer = "";
    return (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      into.push(...parts.filter(Boolean));
    };
  };
  child.stdout?.on("data", split(child.lines));
  child.stderr?.on("data", split(child.errors));
  child.done = new Promise((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return child;
}

const json = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe("nymclient send: to itself, to an offline recipient, and a loss", () => {
  let net: Network;
  const children: ChildProcess[] = [];
  const track = (r: Run): Run => {
    children.push(r);
    return r;
  };

  /** A client directory on gateway `g`; its address. */
  async function init(name: string, g: number): Promise<{ dir: string; address: string }> {
    const dir = join(net.dir, `${name}-${Math.random().toString(36).slice(2)}`);
    const r = track(
      run(["init", "--dir", dir, "--directory", net.directoryUrl, "--gateway", net.gateways[g]!.identityKey]),
    );
    expect(await r.done).toBe(0);
    return { dir, address: (json(r.lines)[0] as { address: string }).address };
  }

  beforeAll(async () => {
    net = await startNetwork({ mixnodesPerLayer: 1, gateways: 3 });
  }, 60_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await net?.stop();
  }, 30_000);

  it("to its own address: the message comes back through the mixnet and is printed, then delivered", async () => {
    const alice = await init("alice", 0);
    const send = track(run(["send", "--dir", alice.dir, "--to", alice.address, "--message", "note to self", ...fast]));
    expect(await send.done).toBe(0);
    const lines = json(send.lines);
    const message = lines.find((l) => l.type === "message");
    expect(message).toMatchObject({ text: "note to self", self: true });
    expect(lines.map((l) => l.type)).toEqual(expect.arrayContaining(["sent", "stored", "message", "delivered"]));
    expect(lines.at(-1)?.type).toBe("delivered");
    expect(send.errors.join("\n")).toMatch(/own address/);
  }, 60_000);

  it("a registered recipient offline: stored at its gateway (exit 4 at --timeout), then fetched; a waiting sender sees delivered", async () => {
    const [alice, bob] = await Promise.all([init("alice", 0), init("bob", 1)]);
    // Bob registers at gateway 1 once, then goes offline.
    const register = track(run(["receive", "--dir", bob.dir, "--timeout", "200", ...fast]));
    expect(await register.done).toBe(0);

    const early = track(
      run(["send", "--dir", alice.dir, "--to", bob.address, "--message", "first", "--timeout", "1500", ...fast]),
    );
    expect(await early.done).toBe(4);
    const earlyLines = json(early.lines);
    expect(earlyLines.map((l) => l.type)).toEqual(["sent", "stored", "not-fetched"]);
    expect(earlyLines[2]).toMatchObject({ stored: 1, delivered: 0 });
    expect(early.errors.join("\n")).toMatch(/MIXNET_ERROR_NOT_FETCHED: stored at the recipient's gateway/);
    // Bob's gateway sent the stored ack through alice's gateway-ack SURB.
    expect(net.gateways[1]!.counters.storedAcksSent).toBeGreaterThanOrEqual(1);
    expect(net.gateways[1]!.counters.gatewayAcksFailed).toBe(0);

    // A second message with time to wait, and progress lines every 300 ms.
    const waiting = track(
      run([
        "send",
        "--dir",
        alice.dir,
        "--to",
        bob.address,
        "--message",
        "second",
        "--timeout",
        "60000",
        "--progress",
        "300",
        ...fast,
      ]),
    );
    await waitFor(() => waiting.lines.some((l) => l.includes('"stored"')), 30_000, "the second message stored");
    await waitFor(
      () => waiting.errors.filter((l) => l.includes("waiting for the recipient to fetch it")).length >= 2,
      10_000,
      "progress lines while stored",
    );
    expect(waiting.exitCode).toBeNull();

    const receive = track(run(["receive", "--dir", bob.dir, "--timeout", "2000", ...fast]));
    expect(await receive.done).toBe(0);
    expect(json(receive.lines).map((m) => m.text)).toEqual(expect.arrayContaining(["first", "second"]));
    expect(await waiting.done).toBe(0);
    expect(json(waiting.lines).map((l) => l.type)).toEqual(["sent", "stored", "delivered"]);
  }, 120_000);

  it("an address never registered at its gateway: the gateway answers dropped, reported lost at once (exit 5)", async () => {
    const [alice, carol] = await Promise.all([init("alice", 0), init("carol", 1)]);
    const send = track(run(["send", "--dir", alice.dir, "--to", carol.address, "--message", "anyone?", ...fast]));
    expect(await send.done).toBe(5);
    const lines = json(send.lines);
    expect(lines.map((l) => l.type)).toEqual(["sent", "lost"]);
    expect(lines[1]).toMatchObject({ reason: "dropped", stored: 0 });
    expect(send.errors.join("\n")).toMatch(
      /MIXNET_ERROR_LOST: the recipient's gateway dropped .* not registered there/,
    );
    expect(net.gateways[1]!.counters.droppedAcksSent).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it("the recipient's gateway down: no ack of either kind, reported lost (exit 5)", async () => {
    const [alice, dave] = await Promise.all([init("alice", 0), init("dave", 2)]);
    await net.gateways[2]!.stop(); // still in the directory's topology until its registration lapses
    try {
      const send = track(
        run([
          "send",
          "--dir",
          alice.dir,
          "--to",
          dave.address,
          "--message",
          "void",
          "--traffic.maxAttempts",
          "2",
          ...fast,
        ]),
      );
      expect(await send.done).toBe(5);
      const lines = json(send.lines);
      expect(lines.map((l) => l.type)).toEqual(["sent", "lost"]);
      expect(lines[1]).toMatchObject({ reason: "no-ack", stored: 0, delivered: 0 });
      expect(send.errors.join("\n")).toMatch(/MIXNET_ERROR_LOST: .*no acknowledgement from the recipient's gateway/);
    } finally {
      await net.restartGateway(2);
    }
  }, 60_000);
});

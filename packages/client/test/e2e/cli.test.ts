import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Network, startNetwork, waitFor } from "../helpers/network.js";

const bin = fileURLToPath(new URL("../../src/bin.ts", import.meta.url));
const fast = ["--traffic.meanDelayMs", "2", "--traffic.lambdaP", "100", "--traffic.ackTimeoutExtraMs", "1500"];

function run(args: string[]): ChildProcess & { lines: string[]; done: Promise<number> } {
  const child = spawn(process.execPath, ["--conditions=@nym-ts/source", "--import", "tsx", bin, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  }) as ChildProcess & { lines: string[]; done: Promise<number> };
  child.lines = [];
  let buffer = "";
  child.stdout?.on("data", (d: Buffer) => {
    buffer += d.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    child.lines.push(...parts.filter(Boolean));
  });
  child.stderr?.on("data", (d: Buffer) => process.stderr.write(d));
  child.done = new Promise((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return child;
}

describe("nymclient CLI against a loopback mixnet", () => {
  let net: Network;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    net = await startNetwork({ mixnodesPerLayer: 1, gateways: 1 });
  }, 60_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await net?.stop();
  }, 30_000);

  it("init, listen, send (with a SURB reply), receive", async () => {
    const alice = join(net.dir, "alice");
    const bob = join(net.dir, "bob");
    const url = net.directory.url();
    const initA = run(["init", "--dir", alice, "--directory", url]);
    const initB = run(["init", "--dir", bob, "--directory", url]);
    expect(await initA.done).toBe(0);
    expect(await initB.done).toBe(0);
    const bobAddress = (JSON.parse(initB.lines[0] as string) as { address: string }).address;
    expect(bobAddress).toMatch(/^[0-9a-f]{64}\.[0-9a-f]{64}@[0-9a-f]{64}$/);

    // Bob listens and answers anonymous senders through their SURBs.
    const listen = run(["listen", "--dir", bob, "--reply", "pong", ...fast]);
    children.push(listen);
    await waitFor(() => listen.lines.some((l) => l.includes('"listening"')), 30_000, "bob listening");

    const send = run([
      "send",
      "--dir",
      alice,
      "--to",
      bobAddress,
      "--message",
      "ping",
      "--surbs",
      "1",
      "--wait",
      "20000",
      ...fast,
    ]);
    children.push(send);
    expect(await send.done).toBe(0);
    const sent = send.lines.map((l) => JSON.parse(l) as { type: string; text?: string });
    expect(sent.map((l) => l.type)).toEqual(["sent", "stored", "delivered", "reply"]);
    expect(sent[3]?.text).toBe("pong");
    await waitFor(() => listen.lines.some((l) => l.includes('"ping"')), 10_000, "bob printing ping");
    const got = JSON.parse(listen.lines.find((l) => l.includes('"ping"')) as string) as {
      from: unknown;
      replySurbs: number;
    };
    expect(got.from).toBeNull();
    listen.kill("SIGTERM");
    expect(await listen.done).toBe(0);

    // Bob offline: a message waits in his mailbox; `receive` fetches it and exits.
    const send2 = run([
      "send",
      "--dir",
      alice,
      "--to",
      bobAddress,
      "--message",
      "stored for later",
      "--reveal",
      ...fast,
    ]);
    children.push(send2);
    // Alice hears from bob's gateway that it stored the message.
    await waitFor(() => send2.lines.some((l) => l.includes('"stored"')), 30_000, "the message stored at the gateway");
    expect(send2.exitCode).toBeNull();
    const receive = run(["receive", "--dir", bob, "--timeout", "2000", ...fast]);
    children.push(receive);
    expect(await receive.done).toBe(0);
    const received = receive.lines.map((l) => JSON.parse(l) as { text: string; from: string | null });
    expect(received.map((m) => m.text)).toContain("stored for later");
    expect(received.find((m) => m.text === "stored for later")?.from).toMatch(/@/);
    expect(await send2.done).toBe(0); // bob's acks reached alice
  }, 120_000);

  it("prints usage and fails for an unknown command", async () => {
    const child = run(["frobnicate"]);
    expect(await child.done).toBe(2);
  }, 30_000);
});

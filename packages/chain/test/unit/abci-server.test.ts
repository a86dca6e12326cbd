import { connect, type Socket } from "node:net";
import { createLogger } from "@nym-ts/common";
import type { DeepPartial, Exact } from "cosmjs-types/helpers";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";

import { afterEach, describe, expect, it } from "vitest";
import { createLedgerHandler } from "../../src/abci-app.js";
import { type AbciServer, createAbciServer, encodeFrame, FrameReader } from "../../src/abci-server.js";
import { Ledger } from "../../src/ledger.js";
import { MemoryStore } from "../../src/store.js";
import { appState } from "../fixtures.js";

const log = createLogger({ name: "test", level: "silent" });

function frame<I extends Exact<DeepPartial<Request>, I>>(request: I): Uint8Array {
  return encodeFrame(Request.encode(Request.fromPartial(request)).finish());
}

/** A minimal CometBFT-side socket client: writes raw bytes, reads framed responses. */
class Client {
  readonly responses: Response[] = [];
  readonly reader = new FrameReader();
  closed = false;
  #waiters: (() => void)[] = [];
  constructor(readonly socket: Socket) {
    socket.on("data", (chunk) => {
      for (const f of this.reader.push(chunk)) this.responses.push(Response.decode(f));
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on("close", () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = connect(port, "127.0.0.1", () => resolve(new Client(s)));
      s.once("error", reject);
    });
  }
  async waitFor(n: number): Promise<Response[]> {
    while (this.responses.length < n && !this.closed) await new Promise<void>((r) => this.#waiters.push(r));
    return this.responses;
  }
  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.#waiters.push(r));
  }
}

describe("uvarint framing", () => {
  it("frames flush and echo as CometBFT does", () => {
    expect(Buffer.from(frame({ flush: {} })).toString("hex")).toBe("021200");
    expect(Buffer.from(frame({ echo: { message: "hi" } })).toString("hex")).toBe("060a040a026869");
  });

  it("reassembles frames split at every byte and frames longer than 127 bytes (two-byte length)", () => {
    const long = frame({ echo: { message: "x".repeat(300) } });
    const bytes = Buffer.concat([frame({ flush: {} }), long, frame({ echo: { message: "y" } })]);
    const reader = new FrameReader();
    const out: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...reader.push(bytes.subarray(i, i + 1)));
    expect(out.map((f) => Object.keys(Request.decode(f)).find((k) => Request.decode(f)[k as keyof Request]))).toEqual([
      "flush",
      "echo",
      "echo",
    ]);
    expect(Request.decode(out[1] as Buffer).echo?.message).toHaveLength(300);
  });

  it("refuses a length above the limit and a varint longer than 10 bytes", () => {
    expect(() => new FrameReader(1000).push(Buffer.from([0xe9, 0x07]))).toThrow(/exceeds/);
    expect(() => new FrameReader().push(Buffer.alloc(11, 0x80))).toThrow();
  });
});

describe("ABCI socket server", () => {
  let server: AbciServer;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await server?.close();
  });

  async function start(): Promise<number> {
    const ledger = new Ledger(new MemoryStore());
    const { handler } = createLedgerHandler(ledger, log);
    server = createAbciServer(handler, log);
    return (await server.listen(0, "127.0.0.1")).port;
  }

  it("answers pipelined requests in order: info, init_chain, check_tx, echo, flush", async () => {
    const port = await start();
    const c = await Client.open(port);
    clients.push(c);
    const genesis = new TextEncoder().encode(JSON.stringify(appState()));
    c.socket.write(
      Buffer.concat([
        frame({ info: { version: "0.38.25", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" } }),
        frame({ initChain: { chainId: "t", appStateBytes: genesis, initialHeight: 1n } }),
        frame({ checkTx: { tx: new Uint8Array([9, 9, 9]) } }),
        frame({ echo: { message: "ping" } }),
        frame({ flush: {} }),
      ]),
    );
    const responses = await c.waitFor(5);
    expect(responses[0]?.info?.lastBlockHeight).toBe(0n);
    expect(responses[1]?.initChain?.appHash).toHaveLength(32);
    expect(responses[2]?.checkTx?.code).toBe(1);
    expect(responses[3]?.echo?.message).toBe("ping");
    expect(responses[4]?.flush).toBeDefined();
  });

  it("closes only the connection that sent a garbage frame; the other connections keep working", async () => {
    const port = await start();
    const good = await Client.open(port);
    const bad = await Client.open(port);
    clients.push(good, bad);
    good.socket.write(frame({ echo: { message: "before" } }));
    await good.waitFor(1);
    // A valid length followed by bytes that are no protobuf Request.
    bad.socket.write(Buffer.from([0x05, 0xff, 0xff, 0xff, 0xff, 0xff]));
    await bad.waitClosed();
    // And a frame whose length varint never ends, on a fresh connection.
    const bad2 = await Client.open(port);
    clients.push(bad2);
    bad2.socket.write(Buffer.alloc(12, 0xff));
    await bad2.waitClosed();
    good.socket.write(frame({ echo: { message: "after" } }));
    const responses = await good.waitFor(2);
    expect(responses[1]?.echo?.message).toBe("after");
    expect(good.closed).toBe(false);
    expect(server.stats.garbageFrames).toBe(2);
  });

  it("lets another connection in during a long burst on one connection (a recheck cannot stall consensus)", async () => {
    const port = await start();
    const mempool = await Client.open(port);
    const consensus = await Client.open(port);
    clients.push(mempool, consensus);
    const burst = Buffer.concat(Array.from({ length: 3000 }, (_, i) => frame({ echo: { message: `m${i}` } })));
    mempool.socket.write(burst);
    await mempool.waitFor(1);
    consensus.socket.write(frame({ echo: { message: "consensus" } }));
    await consensus.waitFor(1);
    const mempoolDone = mempool.responses.length;
    const all = await mempool.waitFor(3000);
    expect(consensus.responses[0]?.echo?.message).toBe("consensus");
    expect(mempoolDone).toBeLessThan(3000);
    // And the burst itself came back complete and in order.
    expect(all.map((r) => r.echo?.message)).toEqual(Array.from({ length: 3000 }, (_, i) => `m${i}`));
  });

  it("answers a request with no known method by closing the connection, not with a crash", async () => {
    const port = await start();
    const c = await Client.open(port);
    clients.push(c);
    // Field 4 (the removed SetOption) is unknown in ABCI 2.0: the decoded Request is empty.
    c.socket.write(Buffer.from([0x02, 0x22, 0x00]));
    await c.waitClosed();
    expect(server.stats.garbageFrames).toBe(1);
  });
});

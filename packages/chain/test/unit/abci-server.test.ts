import { connect, type Socket } from "node:net";
import { buildDepositCredential, buildVerificationNotification } from "@nym-ts/chain-client";
import { createLogger } from "@nym-ts/common";
import type { DeepPartial, Exact } from "cosmjs-types/helpers";
import { CheckTxType, Request, Response } from "cosmjs-types/tendermint/abci/types";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createLedgerHandler } from "../../src/abci-app.js";
import {
  type AbciServer,
  createAbciServer,
  decodeCheckTxRequest,
  encodeCheckTxResponse,
  encodeFinalizeBlockResponse,
  encodeFrame,
  FINALIZE_TX_GAS,
  FrameReader,
} from "../../src/abci-server.js";
import { Ledger } from "../../src/ledger.js";
import { MemoryStore } from "../../src/store.js";
import { actor, appState, proofOf, verifiers, zetaOf } from "../fixtures.js";

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

describe("CheckTx fast path codec", () => {
  it("encodes CheckTx answers byte for byte as the generic protobuf encoder and framing do", () => {
    const generic = (code: number, log: string, codespace: string) =>
      Buffer.from(
        encodeFrame(
          Response.encode(Response.fromPartial({ checkTx: { code, log, codespace, gasWanted: 1n } })).finish(),
        ),
      );
    for (const [code, log, codespace] of [
      [0, "", ""],
      [5, "CHAIN_ERROR_NONCE: nonce 3, expected 2", "nym"],
      [0xffffffff, "é ü 𝄞", "x"],
      [200, "y".repeat(300), "nym"],
    ] as const) {
      expect(Buffer.from(encodeCheckTxResponse({ code, log, codespace }))).toEqual(generic(code, log, codespace));
    }
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.string({ unit: "grapheme", maxLength: 200 }),
        fc.string(),
        (code, log, codespace) => {
          expect(Buffer.from(encodeCheckTxResponse({ code, log, codespace }))).toEqual(generic(code, log, codespace));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("encodes FinalizeBlock answers byte for byte as Response.encode does", () => {
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 40 }));
    const event = fc.record({
      type: text,
      attributes: fc.array(fc.record({ key: text, value: text, index: fc.boolean() }), { maxLength: 6 }),
    });
    const txResult = fc.record({
      code: fc.oneof(fc.constant(0), fc.nat({ max: 0xffffffff })),
      log: text,
      codespace: fc.oneof(fc.constant(""), fc.constant("nym"), text),
      events: fc.array(event, { maxLength: 4 }),
    });
    fc.assert(
      fc.property(
        fc.array(txResult, { maxLength: 12 }),
        fc.oneof(fc.constant(new Uint8Array()), fc.uint8Array({ minLength: 32, maxLength: 32 })),
        (txResults, appHash) => {
          const generic = encodeFrame(
            Response.encode({
              finalizeBlock: {
                events: [],
                txResults: txResults.map((r) => ({
                  ...r,
                  data: new Uint8Array(),
                  info: "",
                  gasWanted: BigInt(FINALIZE_TX_GAS),
                  gasUsed: BigInt(FINALIZE_TX_GAS),
                })),
                validatorUpdates: [],
                appHash,
              },
            }).finish(),
          );
          expect(Buffer.from(encodeFinalizeBlockResponse(txResults, appHash))).toEqual(Buffer.from(generic));
        },
      ),
      { numRuns: 300 },
    );
    // A block of the size the benchmark makes (400 txs with the ledger's events) round-trips through the decoder.
    const big = Array.from({ length: 400 }, (_, i) => ({
      code: i % 7 === 0 ? 9 : 0,
      log: i % 7 === 0 ? "zeta already deposited" : "",
      codespace: i % 7 === 0 ? "nym" : "",
      events: [
        { type: "deposit_credential", attributes: [{ key: "zeta", value: `0x${"ab".repeat(96)}`, index: true }] },
      ],
    }));
    const frame = encodeFinalizeBlockResponse(big, new Uint8Array(32).fill(7));
    const [bodyBytes] = new FrameReader().push(Buffer.from(frame));
    const decoded = Response.decode(bodyBytes as Buffer).finalizeBlock;
    expect(decoded?.txResults).toHaveLength(400);
    expect(decoded?.txResults[7]?.code).toBe(9);
    expect(decoded?.txResults[1]?.events[0]?.attributes[0]?.index).toBe(true);
    expect(Buffer.from(decoded?.appHash ?? []).toString("hex")).toBe("07".repeat(32));
  });

  it("decodes CheckTx requests as Request.decode does, and hands anything else to the generic decoder", () => {
    const body = (r: DeepPartial<Request>) => Request.encode(Request.fromPartial(r)).finish();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.constantFrom(CheckTxType.NEW, CheckTxType.RECHECK),
        (tx, type) => {
          const fast = decodeCheckTxRequest(body({ checkTx: { tx, type } }));
          expect(fast).toBeDefined();
          expect(Buffer.from(fast!.tx)).toEqual(Buffer.from(tx));
          expect(fast!.type).toBe(type);
        },
      ),
      { numRuns: 200 },
    );
    expect(decodeCheckTxRequest(body({ echo: { message: "x" } }))).toBeUndefined();
    expect(decodeCheckTxRequest(body({ finalizeBlock: { txs: [new Uint8Array([1])] } }))).toBeUndefined();
    // Random bytes after the check_tx tag: either left to the generic decoder, or decoded exactly as it decodes them.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (rest) => {
        const frameBody = Uint8Array.from([0x42, ...rest]);
        const fast = decodeCheckTxRequest(frameBody);
        if (!fast) return;
        const generic = Request.decode(frameBody);
        expect(Buffer.from(fast.tx)).toEqual(Buffer.from(generic.checkTx!.tx));
        expect(fast.type).toBe(generic.checkTx!.type);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("ABCI socket server", () => {
  let server: AbciServer;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await server?.close();
  });

  /** A server on a fresh ledger; `fast` wires the CheckTx fast path as the validator daemon does. */
  async function start(fast = true): Promise<number> {
    const ledger = new Ledger(new MemoryStore());
    const { handler, checkTx } = createLedgerHandler(ledger, log);
    server = createAbciServer(handler, log, fast ? { checkTx } : {});
    return (await server.listen(0, "127.0.0.1")).port;
  }

  it("answers CheckTx (NEW and RECHECK, accepted and rejected) with the same bytes on the fast and generic paths", async () => {
    const genesis = new TextEncoder().encode(JSON.stringify(appState()));
    const zeta = zetaOf("fast path");
    const deposit = buildDepositCredential(
      actor("sp").key,
      { chainId: "t", nonce: 0 },
      { zeta, value: 3n, proof: proofOf(zeta) },
    );
    const replay = buildDepositCredential(
      actor("sp").key,
      { chainId: "t", nonce: 0 },
      { zeta, value: 3n, proof: proofOf(zeta, 2, "cd") },
    );
    const vote = buildVerificationNotification(verifiers[0]!.key, { chainId: "t", nonce: 0 }, { zeta, valid: true });
    const requests = Buffer.concat([
      frame({ initChain: { chainId: "t", appStateBytes: genesis, initialHeight: 1n } }),
      frame({ checkTx: { tx: deposit, type: CheckTxType.NEW } }),
      frame({ checkTx: { tx: replay, type: CheckTxType.NEW } }),
      frame({ checkTx: { tx: vote, type: CheckTxType.NEW } }),
      frame({ checkTx: { tx: new Uint8Array([1, 2, 3]), type: CheckTxType.NEW } }),
      frame({ echo: { message: "between" } }),
      frame({ checkTx: { tx: deposit, type: CheckTxType.RECHECK } }),
      frame({ flush: {} }),
    ]);
    const raw: Buffer[] = [];
    for (const fast of [true, false]) {
      const port = await start(fast);
      const c = await Client.open(port);
      clients.push(c);
      const bytes: Buffer[] = [];
      c.socket.on("data", (chunk: Buffer) => bytes.push(chunk));
      c.socket.write(requests);
      const responses = await c.waitFor(8);
      expect(responses.map((r) => r.checkTx?.code)).toEqual([undefined, 0, 5, 0, 1, undefined, 5, undefined]);
      raw.push(Buffer.concat(bytes));
      c.socket.destroy();
      await server.close();
    }
    expect(raw[0]).toEqual(raw[1]);
  });

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

import { TRANSFER_TOPIC } from "@nym-ts/contracts";
import { zeroPadValue } from "ethers";
import { describe, expect, it } from "vitest";
import { parseTransferLog, WatcherError } from "../../src/index.js";

const token = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const pipe = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const payer = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

function goodLog(): Record<string, unknown> {
  return {
    address: token.toLowerCase(),
    topics: [TRANSFER_TOPIC, zeroPadValue(payer, 32), zeroPadValue(pipe, 32)],
    data: `0x${1_500_000n.toString(16).padStart(64, "0")}`,
    blockNumber: "0x1a",
    blockHash: `0x${"ab".repeat(32)}`,
    transactionHash: `0x${"CD".repeat(32)}`,
    logIndex: "0x2",
    removed: false,
  };
}

describe("parseTransferLog", () => {
  it("reads a well-formed Transfer into the pipe account", () => {
    expect(parseTransferLog(goodLog(), token, pipe)).toEqual({
      txHash: `0x${"cd".repeat(32)}`,
      logIndex: 2,
      blockNumber: 26,
      blockHash: `0x${"ab".repeat(32)}`,
      from: payer,
      amount: 1_500_000n,
    });
  });

  const mutations: [string, (log: Record<string, unknown>) => unknown][] = [
    ["not an object", () => "nope"],
    ["null", () => null],
    ["removed", (l) => ({ ...l, removed: true })],
    ["other emitter", (l) => ({ ...l, address: pipe })],
    ["two topics", (l) => ({ ...l, topics: (l.topics as string[]).slice(0, 2) })],
    ["Approval topic", (l) => ({ ...l, topics: [`0x${"8c".repeat(32)}`, ...(l.topics as string[]).slice(1)] })],
    [
      "to another address",
      (l) => ({ ...l, topics: [TRANSFER_TOPIC, zeroPadValue(payer, 32), zeroPadValue(payer, 32)] }),
    ],
    [
      "from topic with high bytes",
      (l) => ({ ...l, topics: [TRANSFER_TOPIC, `0x${"ff".repeat(32)}`, zeroPadValue(pipe, 32)] }),
    ],
    ["short topic", (l) => ({ ...l, topics: [TRANSFER_TOPIC, "0x1234", zeroPadValue(pipe, 32)] })],
    ["zero amount", (l) => ({ ...l, data: `0x${"00".repeat(32)}` })],
    ["data too long", (l) => ({ ...l, data: `0x${"00".repeat(64)}` })],
    ["data not hex", (l) => ({ ...l, data: `0x${"zz".repeat(32)}` })],
    ["mint", (l) => ({ ...l, topics: [TRANSFER_TOPIC, `0x${"00".repeat(32)}`, zeroPadValue(pipe, 32)] })],
    ["bad tx hash", (l) => ({ ...l, transactionHash: "0x12" })],
    ["bad block hash", (l) => ({ ...l, blockHash: 7 })],
    ["bad log index", (l) => ({ ...l, logIndex: "2" })],
    ["leading zero quantity", (l) => ({ ...l, blockNumber: "0x01" })],
    ["huge block number", (l) => ({ ...l, blockNumber: `0x${"f".repeat(20)}` })],
  ];
  for (const [name, mutate] of mutations) {
    it(`rejects a log with ${name}`, () => {
      expect(() => parseTransferLog(mutate(goodLog()), token, pipe)).toThrow(WatcherError);
    });
  }
});

import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Reassembler, splitMessage } from "../../src/fragment.js";

const id = () => new Uint8Array(randomBytes(16));

describe("chunking and reassembly", () => {
  it("reassembles any message from its fragments in any order", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 5000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer(),
        (data, size, seed) => {
          const fragments = splitMessage(id(), data, size);
          expect(fragments.every((f) => f.data.length <= size)).toBe(true);
          const shuffled = [...fragments].sort(
            (a, b) => ((a.index * 2654435761) ^ seed) - ((b.index * 2654435761) ^ seed),
          );
          const r = new Reassembler();
          let result: Uint8Array | undefined;
          for (const f of shuffled) {
            const added = r.add(f);
            if (added.status === "complete") result = added.message;
          }
          expect(result).toEqual(data);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("recognises a retransmitted fragment as a duplicate, before and after completion", () => {
    const messageId = id();
    const [a, b] = splitMessage(messageId, new Uint8Array(20).fill(1), 10);
    const r = new Reassembler();
    expect(r.add(a!).status).toBe("partial");
    expect(r.add(a!).status).toBe("duplicate");
    expect(r.add(b!).status).toBe("complete");
    expect(r.add(b!).status).toBe("duplicate");
  });

  it("refuses fragments that contradict the message's fragment count or index range", () => {
    const messageId = id();
    const r = new Reassembler();
    expect(r.add({ messageId, index: 0, total: 3, data: new Uint8Array(1) }).status).toBe("partial");
    expect(r.add({ messageId, index: 1, total: 4, data: new Uint8Array(1) }).status).toBe("inconsistent");
    expect(r.add({ messageId: id(), index: 5, total: 3, data: new Uint8Array(1) }).status).toBe("inconsistent");
  });

  it("drops incomplete messages after the timeout and bounds how many it holds", () => {
    let now = 0;
    const r = new Reassembler({ timeoutMs: 100, maxMessages: 2, now: () => now });
    r.add({ messageId: id(), index: 0, total: 2, data: new Uint8Array(1) });
    r.add({ messageId: id(), index: 0, total: 2, data: new Uint8Array(1) });
    r.add({ messageId: id(), index: 0, total: 2, data: new Uint8Array(1) });
    expect(r.pending).toBe(2);
    now = 1000;
    r.add({ messageId: id(), index: 0, total: 2, data: new Uint8Array(1) });
    expect(r.pending).toBe(1);
    expect(r.expired).toBe(3);
  });

  it("rejects a message needing more than 65535 fragments", () => {
    expect(() => splitMessage(id(), new Uint8Array(70_000), 1)).toThrow(/fragments/);
  });
});

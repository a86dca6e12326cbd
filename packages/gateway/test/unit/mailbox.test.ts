import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MailboxStore } from "../../src/mailbox.js";

const dir = mkdtempSync(join(tmpdir(), "mailbox-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const alice = new Uint8Array(32).fill(1);
const bob = new Uint8Array(32).fill(2);

describe("SQLite mailboxes", () => {
  it("keeps registrations and messages across a reopen, in arrival order", () => {
    const path = join(dir, "a.sqlite");
    const store = new MailboxStore(path);
    expect(store.register(alice)).toBe(true);
    expect(store.register(alice)).toBe(false);
    const ids = [1, 2, 3].map((n) => store.store(alice, new Uint8Array([n])));
    store.close();
    const again = new MailboxStore(path);
    expect(again.isRegistered(alice)).toBe(true);
    expect(again.isRegistered(bob)).toBe(false);
    expect(again.count(alice)).toBe(3);
    expect(again.fetch(alice, 10).map((m) => m.id)).toEqual(ids);
    expect(again.fetch(alice, 10, ids[0]).map((m) => m.data[0])).toEqual([2, 3]);
    expect(again.fetch(alice, 1)).toHaveLength(1);
    again.close();
  });

  it("deletes only the confirming client's own messages", () => {
    const store = new MailboxStore(join(dir, "b.sqlite"));
    const a = store.store(alice, new Uint8Array([1]));
    const b = store.store(bob, new Uint8Array([2]));
    expect(store.remove(bob, [a])).toBe(0);
    expect(store.count(alice)).toBe(1);
    expect(store.remove(alice, [a, b, 999n])).toBe(1);
    expect(store.count(alice)).toBe(0);
    expect(store.count(bob)).toBe(1);
    store.close();
  });
});

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { ReplayCache } from "../../src/replay-cache.js";

const dir = mkdtempSync(join(tmpdir(), "replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("replay-tag cache", () => {
  it("accepts a tag once and flags it the second time", () => {
    const cache = new ReplayCache({ path: ":memory:", epoch: "e" });
    const tag = randomBytes(32);
    expect(cache.checkAndAdd(tag)).toBe(true);
    expect(cache.checkAndAdd(tag)).toBe(false);
    expect(cache.checkAndAdd(randomBytes(32))).toBe(true);
    cache.close();
  });

  it("still knows its tags after a restart within the same key epoch", () => {
    const path = join(dir, "a.sqlite");
    const tags = Array.from({ length: 500 }, () => randomBytes(32));
    const first = new ReplayCache({ path, epoch: "key1" });
    for (const t of tags) first.checkAndAdd(t);
    first.close();
    const second = new ReplayCache({ path, epoch: "key1" });
    expect(second.loaded).toBe(500);
    expect(tags.every((t) => second.checkAndAdd(t) === false)).toBe(true);
    second.close();
  });

  it("starts empty, and deletes the old rows, when the key epoch changes", () => {
    const path = join(dir, "b.sqlite");
    const tag = randomBytes(32);
    const first = new ReplayCache({ path, epoch: "old" });
    first.checkAndAdd(tag);
    first.close();
    const second = new ReplayCache({ path, epoch: "new" });
    expect(second.loaded).toBe(0);
    expect(second.checkAndAdd(tag)).toBe(true);
    second.close();
    const third = new ReplayCache({ path, epoch: "old" });
    expect(third.loaded).toBe(0);
    third.close();
  });

  it("writes one row per flush, and a restart reads the tags of every row", () => {
    const path = join(dir, "c.sqlite");
    const tags = Array.from({ length: 3000 }, () => randomBytes(32));
    const first = new ReplayCache({ path, epoch: "k", flushIntervalMs: 60_000 });
    tags.forEach((t, i) => {
      expect(first.checkAndAdd(t)).toBe(true);
      if (i % 1000 === 999) first.flush();
    });
    expect(first.unflushed).toBe(0);
    first.checkAndAdd(tags[0] as Buffer); // a replay is not written again
    expect(first.unflushed).toBe(0);
    first.close();
    const db = new DatabaseSync(path);
    const rows = db.prepare("SELECT length(tags) AS n FROM replay_tag_batches").all() as { n: number }[];
    db.close();
    expect(rows.map((r) => r.n)).toEqual([16_000, 16_000, 16_000]);
    const second = new ReplayCache({ path, epoch: "k" });
    expect(second.loaded).toBe(3000);
    expect(tags.every((t) => second.has(t))).toBe(true);
    expect(second.has(randomBytes(32))).toBe(false);
    second.close();
  });

  it("takes over the tags of a file written one row per tag, for the same epoch only", () => {
    const path = join(dir, "d.sqlite");
    const kept = [randomBytes(16), randomBytes(16)];
    const db = new DatabaseSync(path);
    db.exec(
      "CREATE TABLE replay_tags (epoch TEXT NOT NULL, tag BLOB NOT NULL, PRIMARY KEY (epoch, tag)) WITHOUT ROWID",
    );
    const insert = db.prepare("INSERT INTO replay_tags (epoch, tag) VALUES (?, ?)");
    for (const t of kept) insert.run("k", t);
    insert.run("older", randomBytes(16));
    db.close();
    const cache = new ReplayCache({ path, epoch: "k" });
    expect(cache.loaded).toBe(2);
    expect(kept.every((t) => cache.has(Buffer.concat([t, randomBytes(16)])))).toBe(true);
    cache.close();
    const again = new ReplayCache({ path, epoch: "k" });
    expect(again.loaded).toBe(2);
    again.close();
  });
});

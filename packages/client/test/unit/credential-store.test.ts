import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CredentialStore } from "../../src/credentials/store.js";

const entry = (id: string, value = 5n) => ({
  id,
  account: "0x00000000000000000000000000000000000000aa",
  value,
  serial: 123n,
  binding: 456n,
  openings: [7n, 8n],
  blindSignRequest: "0x0102",
  publicAttributes: ["0x05"],
});

describe("CredentialStore", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cred-store-"));
    path = join(dir, "credentials.sqlite");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("creates its file with mode 0600 and keeps secrets and fields through a reopen", () => {
    const store = new CredentialStore(path);
    store.insertPending(entry("A"));
    store.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = new CredentialStore(path);
    const c = again.get("A");
    expect(c).toMatchObject({ status: "pending", value: 5n, serial: 123n, binding: 456n, openings: [7n, 8n] });
    again.close();
  });

  it("refuses a file that group or others can read", () => {
    new CredentialStore(path).close();
    chmodSync(path, 0o644);
    expect(() => new CredentialStore(path)).toThrow(expect.objectContaining({ code: "CLIENT_ERROR_STORE" }));
  });

  it("moves a credential only from the status it is in", () => {
    const store = new CredentialStore(path);
    store.insertPending(entry("A"));
    expect(store.transition("A", "requested", "issued")).toBe(false);
    expect(store.transition("A", "pending", "requested", { height: 9 })).toBe(true);
    expect(store.transition("A", "requested", "issued", { signature: "0xab", issuers: [1, 3] })).toBe(true);
    expect(store.get("A")).toMatchObject({ status: "issued", height: 9, signature: "0xab", issuers: [1, 3] });
    store.close();
  });

  it("hands a credential to one spend only, even to two stores on the same file", () => {
    const a = new CredentialStore(path);
    const b = new CredentialStore(path);
    a.insertPending(entry("A"));
    a.transition("A", "pending", "requested");
    a.transition("A", "requested", "issued", { signature: "0xab" });
    expect(a.oldestIssued()?.id).toBe("A");
    expect(a.reserveForSpend("A", "0x00000000000000000000000000000000000000bb", "0xz1")).toBe(true);
    expect(b.reserveForSpend("A", "0x00000000000000000000000000000000000000cc", "0xz2")).toBe(false);
    expect(b.oldestIssued()).toBeUndefined();
    expect(b.get("A")).toMatchObject({ status: "spending", sp: "0x00000000000000000000000000000000000000bb" });
    a.close();
    b.close();
  });

  it("picks the oldest issued credential, of a value when asked", () => {
    const store = new CredentialStore(path);
    for (const [id, value] of [
      ["A", 5n],
      ["B", 7n],
    ] as const) {
      store.insertPending(entry(id, value));
      store.transition(id, "pending", "requested");
      store.transition(id, "requested", "issued", { signature: "0xab" });
    }
    expect(store.oldestIssued()?.id).toBe("A");
    expect(store.oldestIssued(7n)?.id).toBe("B");
    expect(store.oldestIssued(9n)).toBeUndefined();
    store.close();
  });
});

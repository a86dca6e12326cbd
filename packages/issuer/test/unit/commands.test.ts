import { statSync } from "node:fs";
import { join } from "node:path";
import { decodeSecretKey } from "@nym-ts/coconut";
import { readKeyFile } from "@nym-ts/common";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { dealCommand, initCommand, readIssuerKeys } from "../../src/index.js";
import { type Dealt, dealt, tempDir } from "../helpers/fixtures.js";

let d: Dealt;
beforeAll(async () => {
  d = await dealt();
});

describe("nym-issuer deal and init", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const c of cleanups.splice(0)) c();
  });

  function captureLog(): () => unknown {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    return () => JSON.parse(String(log.mock.calls.at(-1)?.[0]));
  }

  it("deal writes one 0600 share per issuer and prints the verification keys for genesis; init adds the other keys", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const printed = captureLog();
    await dealCommand.run({ flags: { threshold: "2", issuers: "3", out: join(dir, "dealer") }, configFile: undefined });
    const dealtOut = printed() as {
      threshold: number;
      issuers: { index: number; keyFile: string; verificationKey: string }[];
    };
    expect(dealtOut.threshold).toBe(2);
    expect(dealtOut.issuers.map((i) => i.index)).toEqual([1, 2, 3]);
    for (const share of dealtOut.issuers) {
      expect(statSync(share.keyFile).mode & 0o777).toBe(0o600);
      expect(decodeSecretKey(d.params, readKeyFile(share.keyFile)).index).toBe(share.index);
      expect(share.verificationKey).toMatch(/^0x[0-9a-f]+$/);
    }

    const dataDir = join(dir, "dealer", "issuer-2");
    initCommand.run({ flags: { dataDir }, configFile: undefined });
    const made = printed() as { address: string; identityKey: string; coconutKeyFile: string };
    expect(made.address).toMatch(/^0x[0-9a-f]{40}$/);
    expect(made.coconutKeyFile).toBe(join(dataDir, "coconut.key"));
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    // The share the dealer wrote for index 2 sits in that directory already: all three keys read.
    expect(
      readIssuerKeys(d.params, {
        ...made,
        chainKeyFile: join(dataDir, "chain.key"),
        identityKeyFile: join(dataDir, "identity.key"),
      }).coconut.index,
    ).toBe(2);
    expect(() => initCommand.run({ flags: { dataDir }, configFile: undefined })).toThrow(/already exists/);
  });

  it("deal refuses a threshold above the number of issuers and a missing --out", async () => {
    await expect(
      dealCommand.run({ flags: { threshold: "4", issuers: "3", out: "/tmp/x" }, configFile: undefined }),
    ).rejects.toThrow(/threshold/);
    await expect(dealCommand.run({ flags: { threshold: "1", issuers: "1" }, configFile: undefined })).rejects.toThrow(
      /--out/,
    );
  });
});

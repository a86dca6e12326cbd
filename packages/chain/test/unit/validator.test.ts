import { spawnSync } from "node:child_process";
import { lstatSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTransferNotification } from "@nym-ts/chain-client";
import { createLogger } from "@nym-ts/common";
import type { DeepPartial, Exact } from "cosmjs-types/helpers";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { encodeFrame, FrameReader } from "../../src/abci-server.js";
import { createValidator } from "../../src/validator.js";
import { actor, appState, ethTxHashOf, watchers } from "../fixtures.js";

const log = createLogger({ name: "test", level: "silent" });

/** Sends requests on one connection and returns the responses, as CometBFT's consensus connection would. */
async function roundTrip<I extends Exact<DeepPartial<Request>, I>>(
  address: { port: number } | { path: string } | undefined,
  requests: I[],
): Promise<Response[]> {
  if (!address) throw new Error("the validator is not listening");
  const socket = "path" in address ? connect({ path: address.path }) : connect(address.port, "127.0.0.1");
  const reader = new FrameReader();
  const out: Response[] = [];
  return new Promise((resolve, reject) => {
    socket.on("data", (chunk) => {
      for (const f of reader.push(chunk)) out.push(Response.decode(f));
      if (out.length === requests.length) {
        socket.destroy();
        resolve(out);
      }
    });
    socket.on("error", reject);
    for (const r of requests) socket.write(encodeFrame(Request.encode(Request.fromPartial(r)).finish()));
  });
}

describe("createValidator (library, in process)", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("serves ABCI on its port, persists at Commit, and resumes after a stop with the same height and app hash", async () => {
    const dir = mkdtempSync(join(tmpdir(), "validator-"));
    dirs.push(dir);
    const user = actor("v-user");
    const vote = (i: number) =>
      buildTransferNotification(
        watchers[i]!.key,
        { chainId: "v", nonce: 0 },
        { ethTxHash: ethTxHashOf("v"), logIndex: 0, address: user.address, amount: 9n },
      );
    const first = createValidator({ abci: { port: 0 }, data: { dir } }, { log });
    await first.start();
    const genesis = new TextEncoder().encode(JSON.stringify(appState()));
    const responses = await roundTrip(first.address(), [
      { info: {} },
      { initChain: { chainId: "v", appStateBytes: genesis, initialHeight: 1n } },
      { finalizeBlock: { height: 1n, txs: [vote(0), vote(1)] } },
      { commit: {} },
      { query: { path: `/account/${user.address}` } },
    ]);
    expect(responses[0]?.info?.lastBlockHeight).toBe(0n);
    expect(responses[2]?.finalizeBlock?.txResults.map((r) => r.code)).toEqual([0, 0]);
    const appHash = responses[2]?.finalizeBlock?.appHash;
    expect(JSON.parse(Buffer.from(responses[4]?.query?.value ?? []).toString())).toMatchObject({ balance: "9" });
    expect(first.stats()?.ledger.deliverAccepted).toBe(2);
    await first.stop();

    const second = createValidator({ abci: { port: 0 }, data: { dir } }, { log });
    await second.start();
    const [info] = await roundTrip(second.address(), [{ info: {} }]);
    expect(info?.info?.lastBlockHeight).toBe(1n);
    expect(Buffer.from(info?.info?.lastBlockAppHash ?? []).toString("hex")).toBe(
      Buffer.from(appHash ?? []).toString("hex"),
    );
    await second.stop();
  });

  it("answers a FinalizeBlock for the wrong height with an exception instead of corrupting state", async () => {
    const dir = mkdtempSync(join(tmpdir(), "validator-"));
    dirs.push(dir);
    const v = createValidator({ abci: { port: 0 }, data: { dir } }, { log });
    await v.start();
    const genesis = new TextEncoder().encode(JSON.stringify(appState()));
    const responses = await roundTrip(v.address(), [
      { initChain: { chainId: "v", appStateBytes: genesis, initialHeight: 1n } },
      { finalizeBlock: { height: 5n, txs: [] } },
    ]);
    expect(responses[1]?.exception?.error).toMatch(/height 5/);
    await v.stop();
  });

  it("refuses a genesis app_state with the field and says that CometBFT must be reset once it is corrected", async () => {
    const dir = mkdtempSync(join(tmpdir(), "validator-"));
    dirs.push(dir);
    const v = createValidator({ abci: { port: 0 }, data: { dir } }, { log });
    await v.start();
    const genesis = new TextEncoder().encode(JSON.stringify({ ...appState(), pipeAccount: "0x12" }));
    const responses = await roundTrip(v.address(), [
      { initChain: { chainId: "v", appStateBytes: genesis, initialHeight: 1n } },
    ]);
    const error = responses[0]?.exception?.error ?? "";
    expect(error).toMatch(/^CHAIN_ERROR_GENESIS: genesis app_state rejected: pipeAccount: /);
    expect(error).toContain("cometbft unsafe-reset-all --home <home>");
    await v.stop();
  });

  it("serves ABCI on a Unix socket of mode 0600, replacing a stale socket file but never a live one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "validator-"));
    dirs.push(dir);
    const path = join(dir, "abci.sock");
    // A socket file left by a killed process: a child binds it, then SIGKILLs itself before any cleanup.
    const killed = spawnSync(process.execPath, [
      "-e",
      `require("node:net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`,
    ]);
    expect(killed.signal).toBe("SIGKILL");
    expect(lstatSync(path).isSocket()).toBe(true);

    const v = createValidator({ abci: { socket: path }, data: { dir: join(dir, "data") } }, { log });
    await v.start();
    expect(v.address()).toEqual({ path });
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
    const [info] = await roundTrip(v.address(), [{ info: {} }]);
    expect(info?.info?.lastBlockHeight).toBe(0n);

    // A second validator on the same live socket fails to start instead of stealing it.
    const other = createValidator({ abci: { socket: path }, data: { dir: join(dir, "data2") } }, { log });
    await expect(other.start()).rejects.toThrow(/EADDRINUSE/);
    const [again] = await roundTrip(v.address(), [{ echo: { message: "still mine" } }]);
    expect(again?.echo?.message).toBe("still mine");
    await v.stop();
  });

  it("makes the Unix socket 0600 also where the umask cannot be set (a worker thread)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "validator-"));
    dirs.push(dir);
    const path = join(dir, "abci.sock");
    const umask = vi.spyOn(process, "umask").mockImplementation(() => {
      throw new TypeError("process.umask() is not supported in workers");
    });
    const v = createValidator({ abci: { socket: path }, data: { dir: join(dir, "data") } }, { log });
    try {
      await v.start();
    } finally {
      umask.mockRestore();
    }
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
    const [info] = await roundTrip(v.address(), [{ info: {} }]);
    expect(info?.info?.lastBlockHeight).toBe(0n);
    await v.stop();
  });
});

describe("nym-validator binary", () => {
  const bin = join(import.meta.dirname, "../../src/bin.ts");
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, ["--conditions=@nym-ts/source", "--import", "tsx", bin, ...args], {
      cwd: join(import.meta.dirname, "../.."),
      env: { ...process.env, ...env },
      encoding: "utf8",
      timeout: 30_000,
    });

  it("accepts a valid config with --validate-only", () => {
    const r = run(["--data.dir", "/tmp/x", "--abci.port", "26700", "--validate-only"]);
    expect(r.stdout).toMatch(/configuration is valid/);
    expect(r.status).toBe(0);
  });

  it("refuses a config without data.dir, or with an unknown key, naming the key, with status 2", () => {
    const missing = run(["--validate-only"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/data/);
    const unknown = run(["--data.dir", "/tmp/x", "--abci.prot", "1", "--validate-only"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/prot/);
  });
});

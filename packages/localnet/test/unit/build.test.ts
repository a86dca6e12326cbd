import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { addressFromSecretKey, appStateSchema, hexToBytes } from "@nym-ts/chain-client";
import { decodeSecretKey, encodeVerificationKey, verificationKeyOf } from "@nym-ts/coconut";
import { isNymError } from "@nym-ts/common";
import { credentialParams } from "@nym-ts/credentials";
import { ed25519PublicKeyFromSeed } from "@nym-ts/directory-client";
import { getCreateAddress, Wallet } from "ethers";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLocalnet } from "../../src/build.js";
import { readManifest } from "../../src/manifest.js";
import { planServices } from "../../src/topology.js";
import { SMALL_TOPOLOGY } from "../helpers/topologies.js";

/**
 * Every file under `dir` (relative path -> sha256), for comparing two builds; without bin/, whose wrappers follow the
 * workspace's packages (another package with a bin may appear between two builds), not the seed.
 */
function treeDigest(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory() && path === join(dir, "bin")) continue;
      if (entry.isDirectory()) walk(path);
      else out.set(relative(dir, path), createHash("sha256").update(readFileSync(path)).digest("hex"));
    }
  };
  walk(dir);
  return out;
}

const mode = (path: string) => statSync(path).mode & 0o777;
const hex = (path: string) => readFileSync(path, "utf8").trim();

describe("nym-localnet build", () => {
  let root: string;
  let dir: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "localnet-build-"));
    dir = join(root, "net");
    await buildLocalnet({ dir, topology: SMALL_TOPOLOGY, seed: "unit" });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("writes the layout: one directory per node under ethereum-watchers, issuers, nodes, verifiers, providers, mixnodes, gateways, directory, localclient", () => {
    for (const group of [
      "ethereum-watchers/watcher0",
      "issuers/issuer0",
      "issuers/issuer1",
      "nodes/node0/config",
      "nodes/node1/config",
      "verifiers/verifier0",
      "providers/provider0",
      "mixnodes/mixnode-1-0",
      "mixnodes/mixnode-2-0",
      "mixnodes/mixnode-3-0",
      "gateways/gateway0",
      "directory",
      "localclient",
    ]) {
      expect(existsSync(join(dir, group)), group).toBe(true);
    }
    for (const s of planServices(readManifest(dir).topology)) {
      if (s.kind === "anvil") continue;
      const file =
        s.kind === "cometbft" ? "config/config.toml" : s.kind === "validator" ? "validator.toml" : "config.toml";
      expect(existsSync(join(dir, s.dir, file)), `${s.name}: ${file}`).toBe(true);
    }
    expect(readdirSync(join(dir, "localclient")).sort()).toEqual([
      "account.key",
      "client.json",
      "docker.json",
      "encryption.key",
      "identity.key",
    ]);
  });

  it("writes every secret 0600 (key files, CometBFT's node and validator keys) in 0700 directories", () => {
    const secrets: string[] = [];
    const walk = (d: string) => {
      for (const entry of readdirSync(d, { withFileTypes: true })) {
        const path = join(d, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "bin") expect(mode(path), path).toBe(0o700);
          walk(path);
        } else if (/\.key$|node_key\.json$|priv_validator_key\.json$/.test(entry.name)) secrets.push(path);
      }
    };
    walk(dir);
    // watcher 1, issuers 2 x 3, verifier 2, SP 3, mixnodes 3 x 2, gateway 2, client 3, pipe 1, validators 2 x 2
    expect(secrets).toHaveLength(1 + 6 + 2 + 3 + 6 + 2 + 3 + 1 + 4);
    for (const path of secrets) expect(mode(path), path).toBe(0o600);
  });

  it("writes one genesis, the same on every validator, naming their keys, the member sets with their thresholds, the pipe account and the issuers' verification keys", async () => {
    const genesis = readFileSync(join(dir, "nodes/node0/config/genesis.json"), "utf8");
    expect(readFileSync(join(dir, "nodes/node1/config/genesis.json"), "utf8")).toBe(genesis);
    expect(readFileSync(join(dir, "nodes/node1/docker/config/genesis.json"), "utf8")).toBe(genesis);
    const g = JSON.parse(genesis) as {
      chain_id: string;
      validators: { address: string; pub_key: { value: string } }[];
      app_state: unknown;
    };
    expect(g.chain_id).toBe("nym-localnet");
    for (const [i, v] of g.validators.entries()) {
      const key = JSON.parse(readFileSync(join(dir, `nodes/node${i}/config/priv_validator_key.json`), "utf8"));
      expect(v.pub_key.value).toBe(key.pub_key.value);
      expect(v.address).toBe(key.address);
    }
    const state = appStateSchema.parse(g.app_state);
    const address = (path: string) => addressFromSecretKey(hexToBytes(hex(join(dir, path))));
    expect(state.pipeAccount).toBe(address("ethereum/pipe.key"));
    expect(state.watchers).toEqual({ threshold: 1, members: [address("ethereum-watchers/watcher0/chain.key")] });
    expect(state.verifiers).toEqual({ threshold: 1, members: [address("verifiers/verifier0/chain.key")] });
    expect(state.issuers.threshold).toBe(2);
    const params = await credentialParams();
    for (const [i, member] of state.issuers.members.entries()) {
      expect(member.index).toBe(i + 1);
      expect(member.address).toBe(address(`issuers/issuer${i}/chain.key`));
      const share = decodeSecretKey(params, readFileSync(join(dir, `issuers/issuer${i}/coconut.key`)));
      const vk = Buffer.from(encodeVerificationKey(params, verificationKeyOf(params, share))).toString("hex");
      expect(member.verificationKey).toBe(`0x${vk}`);
    }
  });

  it("points every config at the plan: the SP and the client at gateway 0's identity key, the watchers and the client at the token anvil's first account deploys", () => {
    const manifest = readManifest(dir);
    const gatewayKey = Buffer.from(
      ed25519PublicKeyFromSeed(readFileSync(join(dir, "gateways/gateway0/identity.key"))),
    ).toString("hex");
    const deployer = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").address;
    expect(manifest.ethereum.tokenAddress).toBe(getCreateAddress({ from: deployer, nonce: 0 }));
    const client = JSON.parse(readFileSync(join(dir, "localclient/client.json"), "utf8"));
    expect(client.gateway).toBe(gatewayKey);
    expect(client.ethereum.tokenAddress).toBe(manifest.ethereum.tokenAddress);
    expect(client.chain.rpcUrl).toBe("http://127.0.0.1:25104"); // the last validator
    expect(manifest.client.address).toBe(addressFromSecretKey(hexToBytes(hex(join(dir, "localclient/account.key")))));
    const sp = parseToml(readFileSync(join(dir, "providers/provider0/config.toml"), "utf8")) as {
      mixnet: { gateway: string };
      dataDir: string;
    };
    expect(sp.mixnet.gateway).toBe(gatewayKey);
    expect(sp.dataDir).toBe(join(dir, "providers/provider0"));
    const watcher = parseToml(readFileSync(join(dir, "ethereum-watchers/watcher0/config.toml"), "utf8")) as {
      ethereum: { tokenAddress: string; pipeAccount: string; rpcUrl: string };
      chain: { rpcUrl: string; keyFile: string };
    };
    expect(watcher.ethereum).toMatchObject({
      tokenAddress: manifest.ethereum.tokenAddress,
      pipeAccount: manifest.ethereum.pipeAccount,
      rpcUrl: "http://127.0.0.1:25000",
    });
    expect(watcher.chain).toEqual({
      rpcUrl: "http://127.0.0.1:25101",
      keyFile: join(dir, "ethereum-watchers/watcher0/chain.key"),
    });
    const comet = parseToml(readFileSync(join(dir, "nodes/node0/config/config.toml"), "utf8")) as {
      proxy_app: string;
      rpc: { laddr: string };
      p2p: { laddr: string; persistent_peers: string };
    };
    expect(comet.proxy_app).toBe("tcp://127.0.0.1:25102");
    expect(comet.rpc.laddr).toBe("tcp://127.0.0.1:25101");
    expect(comet.p2p.persistent_peers).toBe(`${manifest.accounts.validators[1]?.nodeId}@127.0.0.1:25103`);
  });

  it("is reproducible with --seed: the same seed writes the same files, another seed other keys", async () => {
    const first = treeDigest(dir);
    const again = join(root, "again");
    // A build in another directory differs in the paths the configs name, so rebuild in place.
    await buildLocalnet({ dir, topology: SMALL_TOPOLOGY, seed: "unit", force: true });
    const second = treeDigest(dir);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    expect([...second].filter(([path, digest]) => first.get(path) !== digest).map(([path]) => path)).toEqual([]);
    await buildLocalnet({ dir: again, topology: SMALL_TOPOLOGY, seed: "other" });
    const other = treeDigest(again);
    for (const key of [
      "issuers/issuer0/chain.key",
      "issuers/issuer0/coconut.key",
      "nodes/node0/config/node_key.json",
    ]) {
      expect(other.get(key)).not.toBe(first.get(key));
    }
  });

  it("draws fresh keys without a seed", async () => {
    const a = join(root, "random-a");
    const b = join(root, "random-b");
    await buildLocalnet({ dir: a, topology: SMALL_TOPOLOGY });
    await buildLocalnet({ dir: b, topology: SMALL_TOPOLOGY });
    expect(readManifest(a).seeded).toBe(false);
    expect(hex(join(a, "issuers/issuer0/chain.key"))).not.toBe(hex(join(b, "issuers/issuer0/chain.key")));
    expect(readFileSync(join(a, "issuers/issuer0/coconut.key"))).not.toEqual(
      readFileSync(join(b, "issuers/issuer0/coconut.key")),
    );
  });

  it("refuses to build over an existing build without --force, and over a directory that is not a localnet", async () => {
    const error = await buildLocalnet({ dir, topology: SMALL_TOPOLOGY, seed: "unit" }).catch((e: unknown) => e);
    expect(isNymError(error, "LOCALNET_ERROR_EXISTS")).toBe(true);
    const foreign = join(root, "foreign");
    await buildLocalnet({ dir: join(foreign, "x"), topology: SMALL_TOPOLOGY, seed: "unit" });
    const refused = await buildLocalnet({ dir: foreign, topology: SMALL_TOPOLOGY, force: true }).catch(
      (e: unknown) => e,
    );
    expect(isNymError(refused, "LOCALNET_ERROR_EXISTS")).toBe(true);
    expect(existsSync(join(foreign, "x", "localnet.json"))).toBe(true);
  });
});

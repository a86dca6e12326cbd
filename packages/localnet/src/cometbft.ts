import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { AppState } from "@nym-ts/chain-client";
import { writeKeyFile } from "@nym-ts/common";
import { ed25519PublicKeyFromSeed } from "@nym-ts/directory-client";
import { LocalnetError } from "./errors.js";
import type { KeySource } from "./seed.js";
import { LOOPBACK, type Topology, validatorName } from "./topology.js";

const execFileAsync = promisify(execFile);

/** What a validator's CometBFT home needs from the plan. */
export interface CometNode {
  index: number;
  /** Absolute path of the home (`<build>/nodes/node<i>`). */
  home: string;
  p2pPort: number;
  rpcPort: number;
  abciPort: number;
}

export interface CometHomesOptions {
  nodes: CometNode[];
  topology: Topology;
  keys: KeySource;
  chainId: string;
  appState: AppState;
  /** RFC 3339; fixed for a seeded build so that genesis.json is reproducible. */
  genesisTime: string;
  /** The `cometbft` executable (v0.38). */
  cometbft: string;
}

/**
 * Local-network settings on top of `cometNodeSettings` (testkit): empty blocks at most once a second (a block still
 * follows a tx within timeout_commit), CometBFT's own gossip and flush periods (100 ms; testkit's 10 ms suit a
 * short test and cost a long-lived network a core's fraction per node), and the consensus log at info for the
 * `state` module only.
 */
const LOCALNET_SETTINGS = {
  log_level: "state:info,*:error",
  "consensus.create_empty_blocks_interval": "1s",
  "consensus.peer_gossip_sleep_duration": "100ms",
  "p2p.flush_throttle_timeout": "100ms",
};

/** Where a validator container keeps what CometBFT writes: its volume at /data/cometbft. */
const DOCKER_DATA = "/data/cometbft";

/**
 * Lays out every validator's CometBFT home: `cometbft init` for the config template and data directory, then the
 * node and validator keys from the key source (0600), one genesis.json naming every validator with the ledger's
 * app_state, and config.toml with the node's ports and the others as peers (testkit's `cometNodeSettings`).
 * Beside it, `<home>/docker/config/` holds the container variant: the same keys and genesis, peers by service name,
 * listening on 0.0.0.0, and CometBFT's data under /data/cometbft (the home itself is mounted read-only).
 * Returns the node ids.
 */
export async function writeCometHomes(options: CometHomesOptions): Promise<string[]> {
  const { cometNodeSettings, editToml, nodeIdOf } = await import("@nym-ts/testkit/testnet");
  const { nodes, keys } = options;
  for (const node of nodes) {
    try {
      await execFileAsync(options.cometbft, ["init", "--home", node.home]);
    } catch (cause) {
      throw new LocalnetError(
        "LOCALNET_ERROR_TOOL",
        `\`${options.cometbft} init\` failed: is CometBFT v0.38 on PATH? (\`make bootstrap\` puts it in .tools/bin)`,
        { home: node.home },
        { cause },
      );
    }
  }
  const validators = nodes.map((node) => {
    const label = `nodes/node${node.index}`;
    const nodeKey = ed25519Key(keys.bytes(`${label}/node_key`));
    const validatorKey = ed25519Key(keys.bytes(`${label}/priv_validator_key`));
    writeKeyFile(
      join(node.home, "config", "node_key.json"),
      `${JSON.stringify({ priv_key: { type: "tendermint/PrivKeyEd25519", value: nodeKey.priv } })}\n`,
      { overwrite: true },
    );
    writeKeyFile(
      join(node.home, "config", "priv_validator_key.json"),
      `${JSON.stringify(
        {
          address: validatorKey.address,
          pub_key: { type: "tendermint/PubKeyEd25519", value: validatorKey.pub },
          priv_key: { type: "tendermint/PrivKeyEd25519", value: validatorKey.priv },
        },
        null,
        2,
      )}\n`,
      { overwrite: true },
    );
    return { node, nodeId: nodeIdOf(node.home), validatorKey };
  });

  const template = JSON.parse(readFileSync(join(nodes[0]!.home, "config", "genesis.json"), "utf8")) as Record<
    string,
    unknown
  >;
  const genesis = {
    genesis_time: options.genesisTime,
    chain_id: options.chainId,
    initial_height: "1",
    consensus_params: template.consensus_params,
    validators: validators.map((v) => ({
      address: v.validatorKey.address,
      pub_key: { type: "tendermint/PubKeyEd25519", value: v.validatorKey.pub },
      power: "10",
      name: validatorName(v.node.index),
    })),
    app_hash: "",
    app_state: options.appState,
  };
  const genesisText = `${JSON.stringify(genesis, null, 2)}\n`;
  const configTemplate = readFileSync(join(nodes[0]!.home, "config", "config.toml"), "utf8");
  for (const v of validators) {
    const { node } = v;
    writeFileSync(join(node.home, "config", "genesis.json"), genesisText);
    const others = validators.filter((o) => o !== v);
    const native = cometNodeSettings({
      index: node.index,
      proxyApp: `tcp://${LOOPBACK}:${node.abciPort}`,
      rpcPort: node.rpcPort,
      p2pPort: node.p2pPort,
      peers: others.map((o) => ({ nodeId: o.nodeId, host: LOOPBACK, p2pPort: o.node.p2pPort })),
      config: LOCALNET_SETTINGS,
    });
    writeFileSync(join(node.home, "config", "config.toml"), editToml(configTemplate, native));

    const dockerConfig = join(node.home, "docker", "config");
    mkdirSync(dockerConfig, { recursive: true, mode: 0o700 });
    const docker = cometNodeSettings({
      index: node.index,
      proxyApp: `tcp://127.0.0.1:${node.abciPort}`,
      rpcPort: node.rpcPort,
      p2pPort: node.p2pPort,
      listenHost: "0.0.0.0",
      peers: others.map((o) => ({ nodeId: o.nodeId, host: validatorName(o.node.index), p2pPort: o.node.p2pPort })),
      config: {
        ...LOCALNET_SETTINGS,
        // The home (/config/docker) is read-only: the keys are read from the node directory, writes go to the volume.
        priv_validator_key_file: "/config/config/priv_validator_key.json",
        node_key_file: "/config/config/node_key.json",
        db_dir: `${DOCKER_DATA}/data`,
        priv_validator_state_file: `${DOCKER_DATA}/data/priv_validator_state.json`,
        "p2p.addr_book_file": `${DOCKER_DATA}/addrbook.json`,
        "consensus.wal_file": `${DOCKER_DATA}/data/cs.wal/wal`,
      },
    });
    writeFileSync(join(dockerConfig, "config.toml"), editToml(configTemplate, docker));
    writeFileSync(join(dockerConfig, "genesis.json"), genesisText);
  }
  return validators.map((v) => v.nodeId);
}

/** An Ed25519 key in CometBFT's JSON form: base64 of seed || public key, base64 public key, and its address. */
function ed25519Key(seed: Uint8Array): { priv: string; pub: string; address: string } {
  const pub = ed25519PublicKeyFromSeed(seed);
  const hash = createHash("sha256").update(pub).digest().subarray(0, 20);
  return {
    priv: Buffer.concat([seed, pub]).toString("base64"),
    pub: Buffer.from(pub).toString("base64"),
    address: hash.toString("hex").toUpperCase(),
  };
}

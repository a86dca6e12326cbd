import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger, loadConfig, parseFlags } from "@nym-ts/common";
import { createDirectoryClient } from "@nym-ts/directory-client";
import { formatAddress } from "@nym-ts/mixnet";
import { ClientConfig } from "./config.js";
import { CLIENT_CONFIG_FILE, initClientDir, readClientKeys } from "./keys.js";
import { MixClient, type ReceivedMessage } from "@nym-ts/mixnet-node";

/** One `nymclient` command. Credential commands (acquire, show, spend) register themselves the same way. */
export interface Command {
  summary: string;
  run(args: { flags: Record<string, string>; rest: string[]; configFile: string | undefined }): Promise<number>;
}

export const commands = new Map<string, Command>();

export function registerCommand(name: string, command: Command): void {
  commands.set(name, command);
}

const out = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

function need(flags: Record<string, string>, name: string): string {
  const value = flags[name];
  if (value === undefined || value === "true") throw new Error(`missing --${name}`);
  return value;
}

/** The client in `--dir`, with client.json < flags (any `--traffic.x` or `--log.level`). */
function openClient(flags: Record<string, string>, mailboxMode: "push" | "pull"): { client: MixClient; log: Logger } {
  const dir = need(flags, "dir");
  const {
    dir: _dir,
    to: _to,
    message: _m,
    file: _f,
    reveal: _r,
    surbs: _s,
    wait: _w,
    timeout: _t,
    reply: _rp,
    ...rest
  } = flags;
  const config = loadConfig({ schema: ClientConfig, file: join(dir, CLIENT_CONFIG_FILE), flags: rest });
  const log = createLogger({ name: "nymclient", level: config.log.level, destination: process.stderr as never });
  const keys = readClientKeys(dir);
  const client = new MixClient(
    { ...keys, gateway: config.gateway, directoryUrl: config.directoryUrl, traffic: config.traffic, mailboxMode },
    { log },
  );
  return { client, log };
}

function printMessage(m: ReceivedMessage): void {
  out({
    type: "message",
    id: m.id,
    from: m.sender ? formatAddress(m.sender) : null,
    replySurbs: m.surbs.length,
    text: Buffer.from(m.data).toString("utf8"),
  });
}

registerCommand("init", {
  summary: "init --dir DIR --directory URL [--gateway HEX]: create keys and client.json, print the address",
  async run({ flags }) {
    const dir = need(flags, "dir");
    const directoryUrl = need(flags, "directory");
    let gateway = flags.gateway;
    if (gateway === undefined) {
      const result = await createDirectoryClient({ baseUrl: directoryUrl }).getTopology();
      const first = result.modified ? result.topology.gateways[0] : undefined;
      if (!first) throw new Error("the directory lists no gateway; pass --gateway");
      gateway = first.identityKey;
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    initClientDir(dir, { directoryUrl, gateway });
    const { client } = openClient({ dir }, "push");
    out({ address: client.addressText, gateway });
    return 0;
  },
});

registerCommand("address", {
  summary: "address --dir DIR: print this client's mixnet address",
  async run({ flags }) {
    out({ address: openClient(flags, "push").client.addressText });
    return 0;
  },
});

registerCommand("send", {
  summary:
    "send --dir DIR --to ADDRESS (--message TEXT | --file PATH | stdin) [--reveal] [--surbs N] [--wait MS]: send, " +
    "wait for every ack; with --surbs and --wait, also wait for a SURB reply",
  async run({ flags }) {
    const to = need(flags, "to");
    const data =
      flags.message !== undefined
        ? Buffer.from(flags.message, "utf8")
        : flags.file !== undefined
          ? readFileSync(flags.file)
          : readFileSync(0);
    const surbs = flags.surbs !== undefined ? Number(flags.surbs) : 0;
    const waitMs = flags.wait !== undefined ? Number(flags.wait) : 0;
    const { client } = openClient(flags, "push");
    await client.start();
    try {
      let messageId = "";
      const reply = new Promise<string>((resolve) => {
        client.onReply((r) => {
          if (r.inReplyTo === messageId) resolve(Buffer.from(r.data).toString("utf8"));
        });
      });
      await client.send(
        to,
        new Uint8Array(data),
        { revealAddress: flags.reveal === "true", replySurbs: surbs },
        (id) => {
          messageId = id;
        },
      );
      out({ type: "sent", id: messageId, bytes: data.length });
      if (surbs > 0 && waitMs > 0) {
        const text = await Promise.race([reply, new Promise<undefined>((r) => setTimeout(() => r(undefined), waitMs))]);
        if (text === undefined) {
          out({ type: "no-reply", id: messageId });
          return 3;
        }
        out({ type: "reply", inReplyTo: messageId, text });
      }
      return 0;
    } finally {
      await client.stop();
    }
  },
});

registerCommand("receive", {
  summary: "receive --dir DIR [--timeout MS]: print the messages waiting at the gateway (JSON lines) and exit",
  async run({ flags }) {
    const timeoutMs = flags.timeout !== undefined ? Number(flags.timeout) : 3000;
    const { client } = openClient(flags, "pull");
    client.onMessage(printMessage);
    await client.start();
    client.pull(100);
    // Keep pulling until quiet: acks of what arrived go out on the Poisson stream meanwhile.
    let last = client.stats.messagesReceived;
    let quietSince = Date.now();
    while (Date.now() - quietSince < timeoutMs) {
      await new Promise((r) => setTimeout(r, 250));
      client.pull(100);
      if (client.stats.messagesReceived !== last) {
        last = client.stats.messagesReceived;
        quietSince = Date.now();
      }
    }
    await client.drain();
    await client.stop();
    return 0;
  },
});

registerCommand("listen", {
  summary: "listen --dir DIR [--reply TEXT]: stay connected and print messages as they arrive; optionally answer SURBs",
  async run({ flags }) {
    const { client } = openClient(flags, "push");
    client.onMessage((m) => {
      printMessage(m);
      if (flags.reply !== undefined && m.surbs.length > 0) client.reply(m, Buffer.from(flags.reply, "utf8"));
    });
    await client.start();
    out({ type: "listening", address: client.addressText });
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await client.drain();
    await client.stop();
    return 0;
  },
});

export async function runCli(argv: string[]): Promise<number> {
  const { flags, configFile, rest } = parseFlags(argv);
  const name = rest[0];
  const command = name !== undefined ? commands.get(name) : undefined;
  if (!command) {
    console.error(
      `usage: nymclient <command> [flags]\n\n${[...commands].map(([n, c]) => `  ${n.padEnd(8)} ${c.summary}`).join("\n")}`,
    );
    return name === undefined || name === "help" ? 0 : 2;
  }
  return command.run({ flags, rest: rest.slice(1), configFile });
}

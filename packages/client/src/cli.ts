import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type CommandLineSpec,
  type CommandSpec,
  createLogger,
  daemonVersion,
  type FlagSpec,
  type Logger,
  loadConfig,
  type ParsedCommandLine,
  packageVersion,
  runCommandLine,
  UsageError,
} from "@nym-ts/common";
import { createDirectoryClient } from "@nym-ts/directory-client";
import { type ClientAddress, createNymSphinx, formatAddress, parseAddress } from "@nym-ts/mixnet";
import { type DeliveryState, MixClient, type ReceivedMessage, type SendProgress } from "@nym-ts/mixnet-node";
import { ClientConfig } from "./config.js";
import { credentialCommands } from "./credentials/commands.js";
import { CLIENT_CONFIG_FILE, initClientDir, readClientKeys } from "./keys.js";

/**
 * One `nymclient` command: a description, its own flags (every command also takes the keys of client.json as
 * `--section.key` overrides), and `run`, whose result is the exit status. A usage problem found while running is a
 * `UsageError` (exit 2). Adding a command is one entry in `commands` (or `registerCommand`); a two-word name such as
 * `credential show` is a subcommand.
 */
export type Command = CommandSpec<number>;

const out = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

/** `--dir`, which every command but `init` reads client.json and the keys from. */
export const dirFlag: FlagSpec = {
  type: "string",
  value: "DIR",
  required: true,
  describe: "the client's directory: client.json and the 0600 key files",
};

/** A flag's value as a non-negative integer, its default when absent; a `UsageError` otherwise. */
export function intFlag(flags: Record<string, string>, name: string, fallback: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`--${name} must be a whole number, not ${raw}`);
  return value;
}

/** The client in `--dir`, with client.json < flags (any `--traffic.x` or `--log.level`). */
export function openClient(
  line: Pick<ParsedCommandLine, "flags" | "configFlags">,
  mailboxMode: "push" | "pull",
): { client: MixClient; log: Logger } {
  const dir = line.flags.dir as string;
  const config = loadConfig({ schema: ClientConfig, file: join(dir, CLIENT_CONFIG_FILE), flags: line.configFlags });
  const log = createLogger({ name: "nymclient", level: config.log.level, destination: process.stderr as never });
  const keys = readClientKeys(dir);
  const client = new MixClient(
    { ...keys, gateway: config.gateway, directoryUrl: config.directoryUrl, traffic: config.traffic, mailboxMode },
    { log, sphinx: createNymSphinx({ version: config.sphinx.version }) },
  );
  return { client, log };
}

function printMessage(m: ReceivedMessage, toSelf = false): void {
  out({
    type: "message",
    id: m.id,
    from: m.sender ? formatAddress(m.sender) : null,
    replySurbs: m.surbs.length,
    text: Buffer.from(m.data).toString("utf8"),
    ...(toSelf ? { self: true } : {}),
  });
}

/** `send`'s exit status when the message waits at the recipient's gateway, unfetched, after `--timeout`. */
export const EXIT_NOT_FETCHED = 4;
/** `send`'s exit status when no copy of a fragment was acknowledged by the recipient's gateway or the recipient. */
export const EXIT_LOST = 5;
const DEFAULT_SEND_TIMEOUT_MS = 30_000;
const DEFAULT_PROGRESS_MS = 5_000;
const STAGES: readonly DeliveryState[] = ["queued", "sent", "stored", "delivered"];

/** A human line on stderr (stdout carries the JSON lines). */
const note = (text: string): void => {
  process.stderr.write(`nymclient: ${text}\n`);
};

/** One progress line: how many fragments reached which stage, and for how long we have waited. */
export function describeProgress(p: SendProgress): string {
  const stage =
    p.state === "delivered"
      ? "delivered"
      : p.state === "stored"
        ? "stored at the recipient's gateway, waiting for the recipient to fetch it"
        : p.state === "sent"
          ? "handed to our gateway, waiting for the recipient's gateway"
          : "queued";
  const retransmissions = p.retransmissions > 0 ? `, ${p.retransmissions} retransmissions` : "";
  return (
    `message ${p.messageId.slice(0, 8)}: ${stage} (${p.fragments} fragments: ${p.sent} sent, ${p.stored} stored, ` +
    `${p.delivered} delivered${retransmissions}; ${Math.round(p.elapsedMs / 1000)} s)`
  );
}

/** Whether an address text names this client (same identity key and gateway); false for text that does not parse. */
function sameAddress(text: string, self: ClientAddress): boolean {
  try {
    const a = parseAddress(text);
    return (
      Buffer.from(a.identityKey).equals(Buffer.from(self.identityKey)) &&
      Buffer.from(a.gateway).equals(Buffer.from(self.gateway))
    );
  } catch {
    return false;
  }
}

/** Every nymclient command, in the order `--help` lists them. */
export const commands: Record<string, Command> = {
  init: {
    describe: "create the keys and client.json in --dir, print the address",
    flags: {
      dir: { ...dirFlag, describe: "the client's directory, created with mode 0700" },
      directory: { type: "string", value: "URL", required: true, describe: "directory base URL" },
      gateway: {
        type: "string",
        value: "HEX",
        describe: "identity key of the gateway holding the mailbox (the directory's first by default)",
      },
    },
    async run({ flags }) {
      const dir = flags.dir as string;
      const directoryUrl = flags.directory as string;
      let gateway = flags.gateway;
      if (gateway === undefined) {
        const result = await createDirectoryClient({ baseUrl: directoryUrl }).getTopology();
        const first = result.modified ? result.topology.gateways[0] : undefined;
        if (!first) throw new Error("the directory lists no gateway; pass --gateway");
        gateway = first.identityKey;
      }
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      initClientDir(dir, { directoryUrl, gateway });
      const { client } = openClient({ flags: { dir } }, "push");
      out({ address: client.addressText, gateway });
      return 0;
    },
  },

  address: {
    describe: "print this client's mixnet address",
    flags: { dir: dirFlag },
    async run(line) {
      out({ address: openClient(line, "push").client.addressText });
      return 0;
    },
  },

  send: {
    describe:
      "send a message (--message, --file or stdin) and follow it: sent, stored at the recipient's gateway, delivered " +
      "(exit 0), not fetched by the recipient in time (exit 4) or lost (exit 5); with --surbs and --wait, also wait " +
      "for a SURB reply",
    flags: {
      dir: dirFlag,
      to: { type: "string", value: "ADDRESS", required: true, describe: "the recipient's mixnet address" },
      message: { type: "string", value: "TEXT", describe: "the message text" },
      file: { type: "string", value: "PATH", describe: "send this file's bytes" },
      reveal: { type: "boolean", describe: "tell the recipient this client's address" },
      surbs: { type: "string", value: "N", describe: "reply SURBs to attach (default 0)" },
      wait: { type: "string", value: "MS", describe: "how long to wait for a SURB reply (default 0: do not wait)" },
      timeout: {
        type: "string",
        value: "MS",
        describe: `once stored at the recipient's gateway, wait this long for the recipient (default ${DEFAULT_SEND_TIMEOUT_MS})`,
      },
      progress: {
        type: "string",
        value: "MS",
        describe: `a progress line on stderr this often while waiting (default ${DEFAULT_PROGRESS_MS}; 0: none)`,
      },
    },
    async run(line) {
      const { flags } = line;
      const to = flags.to as string;
      const surbs = intFlag(flags, "surbs", 0);
      const waitMs = intFlag(flags, "wait", 0);
      const timeoutMs = intFlag(flags, "timeout", DEFAULT_SEND_TIMEOUT_MS);
      const progressMs = intFlag(flags, "progress", DEFAULT_PROGRESS_MS);
      const data =
        flags.message !== undefined
          ? Buffer.from(flags.message, "utf8")
          : flags.file !== undefined
            ? readFileSync(flags.file)
            : readFileSync(0);
      const { client } = openClient(line, "push");
      // To our own address: the message goes round the mixnet and comes back to this very process (push mode), which
      // acknowledges it; it is printed here, as a message, instead of vanishing.
      const toSelf = sameAddress(to, client.address);
      if (toSelf) {
        note("sending to this client's own address: the message comes back through the mixnet and is printed here");
        client.onMessage((m) => printMessage(m, true));
      }
      await client.start();
      let messageId = "";
      let last: SendProgress | undefined;
      let reported: DeliveryState = "queued";
      const ticker =
        progressMs > 0
          ? setInterval(() => {
              const now = messageId ? client.sendProgress(messageId) : undefined;
              if (now) note(describeProgress(now));
            }, progressMs)
          : undefined;
      try {
        const reply = new Promise<string>((resolve) => {
          client.onReply((r) => {
            if (r.inReplyTo === messageId) resolve(Buffer.from(r.data).toString("utf8"));
          });
        });
        const onProgress = (p: SendProgress): void => {
          last = p;
          // One stdout line per stage reached, in order (a fast ack may skip one: the earlier stages are implied).
          for (const stage of ["sent", "stored"] as const) {
            if (STAGES.indexOf(p.state) >= STAGES.indexOf(stage) && STAGES.indexOf(reported) < STAGES.indexOf(stage)) {
              reported = stage;
              out({ type: stage, id: p.messageId, fragments: p.fragments, elapsedMs: p.elapsedMs });
              if (progressMs > 0) note(describeProgress(p));
            }
          }
        };
        try {
          const result = await client.send(
            to,
            new Uint8Array(data),
            {
              revealAddress: flags.reveal === "true",
              replySurbs: surbs,
              deliveryTimeoutMs: timeoutMs,
              onProgress,
            },
            (id) => {
              messageId = id;
            },
          );
          onProgress(result);
          out({
            type: "delivered",
            id: messageId,
            bytes: data.length,
            fragments: result.fragments,
            elapsedMs: result.elapsedMs,
          });
        } catch (error) {
          const code = (error as { code?: string }).code;
          const p = ((error as { details?: SendProgress }).details ?? last) as
            | (SendProgress & { reason?: string })
            | undefined;
          if (code !== "MIXNET_ERROR_NOT_FETCHED" && code !== "MIXNET_ERROR_LOST") throw error;
          const type = code === "MIXNET_ERROR_NOT_FETCHED" ? "not-fetched" : "lost";
          out({
            type,
            id: messageId,
            fragments: p?.fragments,
            stored: p?.stored,
            delivered: p?.delivered,
            elapsedMs: p?.elapsedMs,
            ...(p?.reason !== undefined ? { reason: p.reason } : {}),
          });
          note(`${code}: ${(error as Error).message}`);
          return type === "not-fetched" ? EXIT_NOT_FETCHED : EXIT_LOST;
        }
        if (surbs > 0 && waitMs > 0) {
          const text = await Promise.race([
            reply,
            new Promise<undefined>((r) => setTimeout(() => r(undefined), waitMs)),
          ]);
          if (text === undefined) {
            out({ type: "no-reply", id: messageId });
            return 3;
          }
          out({ type: "reply", inReplyTo: messageId, text });
        }
        return 0;
      } finally {
        clearInterval(ticker);
        await client.drain(2_000);
        await client.stop();
      }
    },
  },

  receive: {
    describe: "print the messages waiting at the gateway (JSON lines) and exit once quiet",
    flags: {
      dir: dirFlag,
      timeout: { type: "string", value: "MS", describe: "exit after this long without a new message (default 3000)" },
    },
    async run(line) {
      const timeoutMs = intFlag(line.flags, "timeout", 3000);
      const { client } = openClient(line, "pull");
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
  },

  listen: {
    describe: "stay connected and print messages as they arrive (JSON lines) until SIGINT/SIGTERM",
    flags: {
      dir: dirFlag,
      reply: { type: "string", value: "TEXT", describe: "answer every message that carries a SURB with this text" },
    },
    async run(line) {
      const { flags } = line;
      const { client } = openClient(line, "push");
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
  },
  // pay, balance, credential init|request|collect|spend|list, demo (credentials/commands.ts)
  ...credentialCommands(),
};

/** Adds (or replaces) a command; the same as writing its entry in `commands`. */
export function registerCommand(name: string, command: Command): void {
  commands[name] = command;
}

/** nymclient's command line: the command table, client.json's keys as flags, a generated `--help`. */
export const cli: CommandLineSpec<number> = {
  name: "nymclient",
  about:
    "A Nym mixnet client: Loopix cover traffic, Sphinx packets through a gateway, SURB replies (docs/mixnet.md); " +
    "and Nym credentials: pay in, request, collect, spend (docs/client.md).",
  commands,
  schema: ClientConfig,
  version: daemonVersion(packageVersion(import.meta.url)),
  configHeading: "client.json keys, each overridable by a flag (client.json in --dir < flags):",
};

/** Runs nymclient; resolves to the exit status (0 with the help when no command is given, 2 for a usage error). */
export function runCli(argv: readonly string[]): Promise<number> {
  return runCommandLine(cli, argv);
}

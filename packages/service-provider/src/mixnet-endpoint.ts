import type { Logger } from "@nym-ts/common";
import { MixnetSpendAnswer, MixnetSpendMessage, type SpendAnswer } from "@nym-ts/credentials";
import type { ReceivedMessage } from "@nym-ts/mixnet-node";
import type { SpendMetrics } from "./metrics.js";
import type { SpendHandler } from "./spend-handler.js";

/** Largest mixnet message the SP parses (a spend is ~1.3 KB of JSON; SpendRequest allows Θ up to 16 KiB). */
export const MAX_MIXNET_MESSAGE_BYTES = 64 * 1024;

/** What the endpoint uses of a `MixClient` (tests may hand in another). */
export interface MixnetClientLike {
  readonly addressText: string;
  onMessage(handler: (message: ReceivedMessage) => void): void;
  reply(to: ReceivedMessage, data: Uint8Array): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface MixnetEndpointOptions {
  client: MixnetClientLike;
  spends: Pick<SpendHandler, "handle">;
  metrics: SpendMetrics;
  log: Logger;
}

/**
 * The SP's mixnet endpoint: a `MixClient` with a mailbox at a gateway. A spend arrives as a Sphinx message holding a
 * `MixnetSpendMessage` (JSON) with reply SURBs; the spend goes through the same `SpendHandler` as over HTTP, and the
 * `MixnetSpendAnswer` goes back through the SURBs, so the SP never learns who spent. A message without SURBs cannot
 * be answered and is not acted on; one that does not parse is answered `rejected` when it names an id, else dropped.
 */
export class MixnetEndpoint {
  readonly #o: MixnetEndpointOptions;
  readonly #log: Logger;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: MixnetEndpointOptions) {
    this.#o = options;
    this.#log = options.log.child({ module: "mixnet-endpoint" });
  }

  get address(): string {
    return this.#o.client.addressText;
  }

  async start(): Promise<void> {
    this.#o.client.onMessage((message) => {
      const work = this.#onMessage(message).catch((error) => {
        this.#o.metrics.mixnetMessages.inc({ result: "reply_failed" });
        this.#log.error({ err: error }, "mixnet spend failed");
      });
      this.#pending.add(work);
      void work.finally(() => this.#pending.delete(work));
    });
    await this.#o.client.start();
    this.#log.info({ address: this.address }, "mixnet endpoint up");
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    await this.#o.client.stop();
  }

  async #onMessage(message: ReceivedMessage): Promise<void> {
    const { metrics } = this.#o;
    if (message.surbs.length === 0) {
      metrics.mixnetMessages.inc({ result: "no_surb" });
      return;
    }
    let json: unknown;
    if (message.data.length <= MAX_MIXNET_MESSAGE_BYTES) {
      try {
        json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(message.data));
      } catch {
        json = undefined;
      }
    }
    const parsed = MixnetSpendMessage.safeParse(json);
    if (!parsed.success) {
      metrics.mixnetMessages.inc({ result: "malformed" });
      metrics.spends.inc({ outcome: "malformed", transport: "mixnet" });
      const id = (json as { id?: unknown } | undefined)?.id;
      if (typeof id === "string" && id.length >= 1 && id.length <= 64) {
        this.#reply(message, id, { accepted: false, outcome: "rejected", reason: "malformed spend message" });
      }
      return;
    }
    const result = await this.#o.spends.handle(parsed.data.spend, "mixnet");
    this.#reply(message, parsed.data.id, result.answer);
  }

  #reply(message: ReceivedMessage, id: string, answer: SpendAnswer): void {
    const body: MixnetSpendAnswer = MixnetSpendAnswer.parse({ type: "spend_answer", id, answer });
    try {
      this.#o.client.reply(message, new TextEncoder().encode(JSON.stringify(body)));
      this.#o.metrics.mixnetMessages.inc({ result: "answered" });
    } catch (error) {
      this.#o.metrics.mixnetMessages.inc({ result: "reply_failed" });
      this.#log.warn({ err: error }, "cannot answer through the SURBs");
    }
  }
}

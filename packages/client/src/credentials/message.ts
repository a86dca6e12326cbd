import type { CredentialContext } from "./context.js";
import { ClientCredentialError } from "./errors.js";
import { answerWithin, openMixClient } from "./spend.js";

export interface RoundTrip {
  /** The message's bytes. */
  bytes: number;
  /** From sending until the message was delivered back to this client (its gateway's and its own acks). */
  deliveredMs: number;
  /** From sending until the reply came back through the SURB. */
  replyMs: number;
  /** The reply's text, as received. */
  reply: string;
}

/**
 * A message with a reply through the mixnet, as `nymclient demo` shows it: a message to this client's own address
 * with one reply SURB goes out through its gateway and the three layers, comes back to this client, which answers it
 * through the SURB: the reply crosses the three layers again. Both legs are real Sphinx packets over the nodes of the
 * topology; the client plays both ends, so the demo needs no second identity.
 */
export async function messageRoundTrip(ctx: CredentialContext, text = "hello through the mixnet"): Promise<RoundTrip> {
  const client = openMixClient(ctx, "the message step");
  const replyText = `reply: ${text}`;
  let messageId: string | undefined;
  let replied: (reply: string) => void = () => {};
  const reply = new Promise<string>((resolve) => {
    replied = resolve;
  });
  let replyMs = 0;
  let started = 0;
  client.onMessage((m) => {
    if (m.surbs.length > 0 && Buffer.from(m.data).toString("utf8") === text) {
      client.reply(m, new TextEncoder().encode(replyText));
    }
  });
  client.onReply((r) => {
    if (messageId === undefined || r.inReplyTo !== messageId) return;
    replyMs = Math.round(performance.now() - started);
    replied(Buffer.from(r.data).toString("utf8"));
  });
  await client.start();
  started = performance.now();
  try {
    const data = new TextEncoder().encode(text);
    await client.send(client.address, data, { replySurbs: 1 }, (id) => {
      messageId = id;
    });
    const deliveredMs = Math.round(performance.now() - started);
    const answer = await answerWithin(reply, ctx.config.credentials.spendTimeoutMs, "SURB reply");
    if (answer !== replyText) {
      throw new ClientCredentialError("CLIENT_ERROR_PROVIDER", "the SURB reply is not the one sent", {});
    }
    return { bytes: data.length, deliveredMs, replyMs, reply: answer };
  } finally {
    await client.drain(2_000);
    await client.stop();
  }
}

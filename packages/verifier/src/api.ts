import { z } from "zod";
import { INVALID_REASONS } from "./check.js";

/** Path parameters of GET /v1/votes/{zeta}. */
export const ZetaParams = z
  .strictObject({
    zeta: z
      .string()
      .regex(/^0x[0-9a-fA-F]{192}$/, "zeta: expected 0x and 96 bytes of hex (a compressed G2 point)")
      .describe("The deposited zeta (serial number tag), 0x and 192 hex digits"),
  })
  .describe("ZetaParams");
export type ZetaParams = z.infer<typeof ZetaParams>;

/** What this verifier did with one deposit of a zeta. */
export const DepositVote = z
  .strictObject({
    depositTx: z.string().describe("Hash of the deposit_credential tx (upper-case hex)"),
    height: z.int().describe("Height of the block holding the deposit"),
    sp: z.string().describe("The depositing service provider's chain address (the binding checked)"),
    value: z.string().describe("The deposited value (the public attribute checked), decimal"),
    status: z
      .enum(["pending", "voted", "skipped"])
      .describe("pending: not voted yet; voted: the vote is on chain; skipped: decided without this verifier"),
    valid: z.boolean().optional().describe("The verdict (voted, or computed and waiting to be voted)"),
    reason: z.enum(INVALID_REASONS).optional().describe("Why the proof was judged invalid"),
    voteTx: z
      .string()
      .optional()
      .describe("Hash of the verification_notification tx; absent when the vote was found on chain after a restart"),
    votedAt: z.int().optional().describe("When the vote was confirmed on chain (Unix ms)"),
    skipReason: z
      .enum(["decided", "superseded"])
      .optional()
      .describe("decided: spent or released first; superseded: released and deposited again"),
  })
  .describe("DepositVote");
export type DepositVote = z.infer<typeof DepositVote>;

/** Body of GET /v1/votes/{zeta}. */
export const VotesAnswer = z
  .strictObject({
    zeta: z.string().describe("The zeta asked about, lower-case"),
    verifier: z.string().describe("This verifier's chain address"),
    deposits: z.array(DepositVote).describe("Every deposit of the zeta this verifier has seen, oldest first"),
  })
  .describe("VotesAnswer");
export type VotesAnswer = z.infer<typeof VotesAnswer>;

import { z } from "zod";
import { addressSchema, amountSchema } from "./tx.js";

const MAX_VERIFICATION_KEY_BYTES = 8 * 1024;

const memberSet = (role: string) =>
  z
    .object({
      threshold: z.number().int().min(1).describe(`how many distinct ${role}s must agree`),
      members: z.array(addressSchema).min(1).describe(`the ${role}s' Ethereum addresses`),
    })
    .strict()
    .refine((s) => new Set(s.members).size === s.members.length, { message: "members must be distinct" })
    .refine((s) => s.threshold <= s.members.length, { message: "threshold exceeds the number of members" });

export const issuerSchema = z
  .object({
    address: addressSchema.describe("the issuer's chain account"),
    index: z.number().int().min(1).max(1024).describe("the issuer's share index (1-based) for Lagrange interpolation"),
    verificationKey: z
      .string()
      .regex(/^0x(?:[0-9a-f]{2})+$/, "verificationKey must be 0x-prefixed lower-case hex")
      .refine((s) => (s.length - 2) / 2 <= MAX_VERIFICATION_KEY_BYTES, { message: "verificationKey too long" })
      .describe("the issuer's Coconut verification key share, in the coconut package's wire encoding"),
  })
  .strict();

/**
 * The ledger's genesis `app_state` (in CometBFT's genesis.json): who the watchers, verifiers and issuers are, their
 * thresholds, the Ethereum pipe account, the issuers' Coconut verification keys, and optional initial balances.
 */
export const appStateSchema = z
  .object({
    pipeAccount: addressSchema.describe("the Ethereum address (ERC20 holder) users pay into"),
    watchers: memberSet("watcher"),
    verifiers: memberSet("verifier"),
    issuers: z
      .object({
        threshold: z.number().int().min(1).describe("t: how many partial credentials make a credential"),
        members: z.array(issuerSchema).min(1),
      })
      .strict()
      .refine((s) => new Set(s.members.map((m) => m.address)).size === s.members.length, {
        message: "issuer addresses must be distinct",
      })
      .refine((s) => new Set(s.members.map((m) => m.index)).size === s.members.length, {
        message: "issuer indices must be distinct",
      })
      .refine((s) => s.threshold <= s.members.length, { message: "threshold exceeds the number of issuers" }),
    accounts: z
      .array(z.object({ address: addressSchema, balance: amountSchema }).strict())
      .default([])
      .refine((a) => new Set(a.map((x) => x.address)).size === a.length, { message: "accounts must be distinct" })
      .describe("initial balances"),
  })
  .strict();

export type AppState = z.infer<typeof appStateSchema>;
export type AppStateInput = z.input<typeof appStateSchema>;

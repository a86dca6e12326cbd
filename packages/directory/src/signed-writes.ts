import { HttpError } from "@nym-ts/common";
import { isValidEd25519PublicKey, type SigningPurpose, signingBytes, verifyEd25519 } from "@nym-ts/directory-client";
import type { FastifyRequest } from "fastify";
import { DirectoryError } from "./errors.js";
import type { DirectoryStore } from "./store.js";

/**
 * Admits one signed write: checks the key, the time, the signature and freshness, in that order, records the
 * timestamp as the key's new replay barrier, then counts the write against the key's rate limit. Throws a
 * `DirectoryError` (400, 401 or 429) for the first check that fails.
 */
export type AuthenticateWrite = (
  request: FastifyRequest,
  identityKey: string,
  purpose: SigningPurpose,
  timestamp: number,
  payload: unknown,
  signature: string,
) => Promise<void>;

/** The per-key limiter of @fastify/rate-limit (`app.createRateLimit`), keyed by `signerOf(request)`. */
export type PerKeyLimit = (request: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded?: boolean }>;

export interface SignedWritesOptions {
  store: DirectoryStore;
  clock: () => number;
  /** How far a signer's timestamp may be from the directory's clock, either way. */
  windowMs: number;
  /** Builds the per-key limiter from `signerOf`, which names the identity key once the signature checked out. */
  perKeyLimit: (signerOf: (request: FastifyRequest) => string | undefined) => PerKeyLimit;
}

/** Keys already found valid (point decoding is the costly part of the key check); cleared when it grows too big. */
const VALID_KEYS_CAP = 100_000;

export function createWriteAuthenticator(options: SignedWritesOptions): AuthenticateWrite {
  const { store, clock, windowMs } = options;
  const validKeys = new Set<string>();
  const signers = new WeakMap<FastifyRequest, string>();
  const perKey = options.perKeyLimit((request) => signers.get(request));

  return async (request, identityKey, purpose, timestamp, payload, signature) => {
    if (!validKeys.has(identityKey)) {
      if (!isValidEd25519PublicKey(identityKey)) {
        throw new DirectoryError(
          400,
          "DIRECTORY_ERROR_INVALID_KEY",
          "identityKey: not a valid Ed25519 public key (non-canonical or small order)",
        );
      }
      if (validKeys.size >= VALID_KEYS_CAP) validKeys.clear();
      validKeys.add(identityKey);
    }
    const now = clock();
    if (Math.abs(timestamp - now) > windowMs) {
      throw new DirectoryError(
        401,
        "DIRECTORY_ERROR_TIMESTAMP_OUT_OF_WINDOW",
        `timestamp: ${timestamp} is more than ${windowMs} ms from the directory's clock`,
      );
    }
    let message: Uint8Array;
    try {
      message = signingBytes(purpose, timestamp, payload);
    } catch (cause) {
      // The schemas admit no number canonicalJson refuses, but a string may still hold a lone UTF-16 surrogate
      // (JSON's \ud800 escape), which has no RFC 8785 form: no signature can cover it.
      throw new HttpError(
        400,
        "HTTP_ERROR_VALIDATION",
        `body.payload: has no canonical JSON form (${(cause as Error).message})`,
        undefined,
        { cause },
      );
    }
    if (!verifyEd25519(identityKey, message, signature)) {
      throw new DirectoryError(401, "DIRECTORY_ERROR_BAD_SIGNATURE", "signature: does not verify for identityKey");
    }
    const last = store.lastTimestamp(identityKey);
    if (last !== undefined && timestamp <= last) {
      throw new DirectoryError(
        401,
        "DIRECTORY_ERROR_REPLAY",
        "timestamp: not newer than the last accepted message from this key (replay)",
      );
    }
    store.setLastTimestamp(identityKey, timestamp);
    signers.set(request, identityKey);
    const limit = await perKey(request);
    if (!limit.isAllowed && limit.isExceeded) {
      throw new DirectoryError(429, "DIRECTORY_ERROR_RATE_LIMITED", "too many writes for this identity key");
    }
  };
}

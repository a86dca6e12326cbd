import { generateEd25519Identity } from "@nym-ts/directory-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Directory } from "../../src/index.js";
import { manualClock, startDirectory } from "../helpers/fixtures.js";

describe("signed writes", () => {
  const clock = manualClock();
  let directory: Directory;
  let stop: () => Promise<void>;

  beforeEach(async () => {
    ({ directory, stop } = await startDirectory({}, clock.now));
  });
  afterEach(async () => {
    await stop();
  });

  it("answers 400 for a payload string with a lone UTF-16 surrogate (no canonical form to sign)", async () => {
    const { signer } = generateEd25519Identity();
    // The URL schema lets a lone surrogate through in the path; RFC 8785 has no form for it.
    const body = JSON.stringify({
      payload: { identityKey: signer.publicKey, rpcUrl: "http://validator.example/", version: "0.1.0" },
      timestamp: clock.now(),
      signature: "00".repeat(64),
    }).replace("validator.example/", "validator.example/\\ud800");
    const response = await directory.app.inject({
      method: "POST",
      url: "/api/v1/presence/validators",
      payload: body,
      headers: { "content-type": "application/json" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: "HTTP_ERROR_VALIDATION" });
    expect(response.json().message).toMatch(/^body\.payload: has no canonical JSON form/);
  });
});

import { compileErrors, validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Issuer } from "../../src/index.js";
import { dealt } from "../helpers/fixtures.js";
import { startFakeIssuer } from "../helpers/issuer.js";

describe("served OpenAPI document", () => {
  let issuer: Issuer;
  let stop: () => Promise<void>;
  let document: {
    openapi: string;
    paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
  };

  beforeAll(async () => {
    ({ issuer, stop } = await startFakeIssuer(await dealt()));
    const response = await issuer.app?.inject({ method: "GET", url: "/docs/json" });
    expect(response?.statusCode).toBe(200);
    document = response?.json() as typeof document;
  });
  afterAll(async () => {
    await stop?.();
  });

  it("is a valid OpenAPI 3 document", async () => {
    expect(document.openapi).toMatch(/^3\./);
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? "" : compileErrors(result)).toBe("");
    expect(result.valid).toBe(true);
    // The validator does reject a broken document, so the check above means something.
    const broken = structuredClone(document) as unknown as Record<string, unknown>;
    delete broken.info;
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it("documents both issuer operations with their answers, each with a unique operationId", () => {
    const ids: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.operationId, `${method} ${path}`).toBeTruthy();
        ids.push(operation.operationId as string);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(["getPartialCredential", "getVerificationKey", "getHealth"]));
    const partial = document.paths["/v1/partial-credentials/{requestId}"]?.get;
    expect(Object.keys(partial?.responses ?? {}).sort()).toEqual(["200", "400", "404", "422"]);
    expect(Object.keys(document.paths["/v1/verification-key"]?.get?.responses ?? {})).toContain("200");
  });
});

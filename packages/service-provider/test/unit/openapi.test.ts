import { compileErrors, validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeEnv, startOnFakeChain } from "../helpers/sp.js";

describe("the served OpenAPI document", () => {
  let env: FakeEnv;
  let document: {
    openapi: string;
    paths: Record<
      string,
      Record<string, { operationId?: string; requestBody?: unknown; responses?: Record<string, unknown> }>
    >;
  };

  beforeAll(async () => {
    env = await startOnFakeChain();
    const response = await fetch(`${env.sp.url()}/docs/json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as typeof document;
  });
  afterAll(async () => {
    await env?.stop();
  });

  it("is a valid OpenAPI 3 document (and the validator does reject a broken one)", async () => {
    expect(document.openapi).toMatch(/^3\./);
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? "" : compileErrors(result)).toBe("");
    const broken = structuredClone(document) as unknown as Record<string, unknown>;
    delete broken.info;
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it("documents POST /v1/spend with the SpendRequest body and the SpendAnswer, and GET /v1/info", () => {
    const spend = document.paths["/v1/spend"]?.post as {
      operationId: string;
      requestBody: { content: { "application/json": { schema: { properties: Record<string, unknown> } } } };
      responses: Record<
        string,
        { content?: { "application/json": { schema: { properties: Record<string, unknown> } } } }
      >;
    };
    expect(spend.operationId).toBe("spendCredential");
    expect(Object.keys(spend.requestBody.content["application/json"].schema.properties).sort()).toEqual([
      "theta",
      "value",
    ]);
    expect(Object.keys(spend.responses).sort()).toEqual(["200", "400", "413", "503"]);
    expect(Object.keys(spend.responses["200"]?.content?.["application/json"].schema.properties ?? {})).toEqual(
      expect.arrayContaining(["accepted", "outcome", "reason", "zeta", "depositTx"]),
    );
    expect(document.paths["/v1/info"]?.get?.operationId).toBe("getServiceProviderInfo");
    const ids = Object.values(document.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

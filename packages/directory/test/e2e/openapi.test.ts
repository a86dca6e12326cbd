import { compileErrors, validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Directory } from "../../src/index.js";
import { startDirectory } from "../helpers/fixtures.js";

describe("served OpenAPI document", () => {
  let directory: Directory;
  let stop: () => Promise<void>;
  let document: {
    openapi: string;
    paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
  };

  beforeAll(async () => {
    ({ directory, stop } = await startDirectory({}, Date.now));
    const response = await directory.app.inject({ method: "GET", url: "/docs/json" });
    expect(response.statusCode).toBe(200);
    document = response.json();
  });
  afterAll(async () => {
    await stop();
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

  it("gives every operation a unique operationId and a 2xx response schema", () => {
    const ids: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.operationId, `${method} ${path}`).toBeTruthy();
        ids.push(operation.operationId as string);
        const success = Object.keys(operation.responses ?? {}).filter((status) => status.startsWith("2"));
        expect(success.length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining(["registerMixnode", "getTopology", "reportMixnodeMetrics", "getHealth"]),
    );
  });

  it("documents request bodies of the signed writes", () => {
    const register = document.paths["/api/v1/presence/mixnodes"]?.post as unknown as {
      requestBody: { content: { "application/json": { schema: { properties: Record<string, unknown> } } } };
    };
    const properties = register.requestBody.content["application/json"].schema.properties;
    expect(Object.keys(properties).sort()).toEqual(["payload", "signature", "timestamp"]);
  });
});

import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpApp, createLogger, type HttpApp, HttpError, NymError } from "../../src/index.js";

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()));
      callback();
    },
  });
  return { log: createLogger({ name: "http-test", level: "debug", destination }), lines };
}

describe("createHttpApp", () => {
  const apps: HttpApp[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  async function build(options: Partial<Parameters<typeof createHttpApp>[0]> = {}) {
    const { log, lines } = capturingLogger();
    const { app, registry } = await createHttpApp({ log, service: "nym-test", version: "1.2.3", ...options });
    apps.push(app);
    app.post(
      "/echo",
      { schema: { body: z.strictObject({ n: z.int().min(1), inner: z.object({ s: z.string() }) }) } },
      async (request) => ({ n: request.body.n }),
    );
    app.get("/known", async () => {
      throw new HttpError(409, "TEST_ERROR_CONFLICT", "already there");
    });
    app.get("/mapped", async () => {
      throw new NymError("LIB_ERROR_NOT_FOUND", "no such thing");
    });
    app.get("/boom", async () => {
      throw new Error("secret internal detail");
    });
    app.get(
      "/bad-response",
      { schema: { response: { 200: z.object({ ok: z.boolean() }) } } },
      async () => ({ ok: "yes" }) as unknown as { ok: boolean },
    );
    await app.ready();
    return { app, registry, lines };
  }

  it("answers validation errors with 400 naming every field", async () => {
    const { app } = await build();
    const response = await app.inject({ method: "POST", url: "/echo", payload: { n: 0, inner: { s: 5 } } });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe("HTTP_ERROR_VALIDATION");
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(["body.inner.s", "body.n"]);
    expect(body.message).toMatch(/^body\.(n|inner\.s): /);
    expect(body.requestId).toBe(response.headers["x-request-id"]);
  });

  it("maps HttpError and mapped NymErrors to their status, anything else to a generic 500", async () => {
    const { app, lines } = await build({
      statusForError: (error) => (error.code === "LIB_ERROR_NOT_FOUND" ? 404 : undefined),
    });
    const known = await app.inject({ method: "GET", url: "/known" });
    expect(known.statusCode).toBe(409);
    expect(known.json()).toMatchObject({ code: "TEST_ERROR_CONFLICT", message: "already there", error: "Conflict" });
    const mapped = await app.inject({ method: "GET", url: "/mapped" });
    expect(mapped.statusCode).toBe(404);
    expect(mapped.json().code).toBe("LIB_ERROR_NOT_FOUND");
    const boom = await app.inject({ method: "GET", url: "/boom" });
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toEqual({
      statusCode: 500,
      error: "Internal Server Error",
      code: "HTTP_ERROR_INTERNAL",
      message: "internal error",
      requestId: boom.headers["x-request-id"],
    });
    expect(boom.body).not.toContain("secret internal detail");
    // The operator finds the real cause in the log under the same request id.
    const logged = lines.find((line) => line.msg === "request failed");
    expect(logged?.requestId).toBe(boom.headers["x-request-id"]);
    const badResponse = await app.inject({ method: "GET", url: "/bad-response" });
    expect(badResponse.statusCode).toBe(500);
  });

  it("answers unknown routes with a JSON 404 and keeps a safe incoming request id", async () => {
    const { app } = await build();
    const response = await app.inject({ method: "GET", url: "/nope?x=1", headers: { "x-request-id": "abc-123" } });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: "HTTP_ERROR_NOT_FOUND", message: "no route GET /nope" });
    expect(response.headers["x-request-id"]).toBe("abc-123");
    const unsafe = await app.inject({ method: "GET", url: "/nope", headers: { "x-request-id": "a b\u0001" } });
    expect(unsafe.headers["x-request-id"]).not.toBe("a b\u0001");
  });

  it("answers a known path asked with another method 405 with Allow (also a body method without a content type)", async () => {
    const { app } = await build();
    const put = await app.inject({ method: "PUT", url: "/echo" });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe("POST");
    expect(put.json()).toMatchObject({ code: "HTTP_ERROR_METHOD_NOT_ALLOWED" });
    const del = await app.inject({ method: "DELETE", url: "/bad-response" });
    expect(del.headers.allow).toBe("GET, HEAD");
    // QUERY carries a body: Fastify refuses it before routing when it has no content type; still a 405 here.
    const query = await app.inject({ method: "QUERY" as "GET", url: "/health" });
    expect(query.statusCode).toBe(405);
    expect((await app.inject({ method: "DELETE", url: "/nothing" })).statusCode).toBe(404);
  });

  it("documents /metrics as Prometheus text, and the document has servers, a license and no global credential", async () => {
    const { app } = await build({ openapi: { title: "t" } });
    const document = (await app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(Object.keys(document.paths["/metrics"].get.responses["200"].content)).toEqual([
      "text/plain; version=0.0.4; charset=utf-8",
    ]);
    expect(document.servers).toEqual([{ url: "/", description: "this daemon" }]);
    expect(document.info.license.name).toBe("Apache-2.0");
    expect(document.security).toEqual([]);
    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("answers 413 for a body over the limit", async () => {
    const { app } = await build({ bodyLimit: 1024 });
    const response = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ n: 1, inner: { s: "x".repeat(2000) } }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe("FST_ERR_CTP_BODY_TOO_LARGE");
  });

  it("serves /health with 503 when a check fails, and Prometheus /metrics", async () => {
    let ok = true;
    const { app } = await build({ healthChecks: { db: () => ({ ok }) } });
    const healthy = await app.inject({ method: "GET", url: "/health" });
    expect(healthy.statusCode).toBe(200);
    expect(healthy.json()).toMatchObject({ status: "ok", service: "nym-test", version: "1.2.3" });
    ok = false;
    const unhealthy = await app.inject({ method: "GET", url: "/health" });
    expect(unhealthy.statusCode).toBe(503);
    expect(unhealthy.json().checks.db).toEqual({ ok: false });

    await app.inject({ method: "GET", url: "/known" });
    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('nym_test_http_requests_total{method="GET",route="/known",status="409"} 1');
    expect(metrics.body).toContain("nym_test_process_cpu_seconds_total");
  });

  it("serves the OpenAPI document and Swagger UI when asked to", async () => {
    const { app } = await build({ openapi: { title: "Test API" } });
    const document = (await app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(document.info).toMatchObject({ title: "Test API", version: "1.2.3" });
    expect(document.paths["/health"].get.operationId).toBe("getHealth");
    expect(document.paths["/echo"].post.requestBody).toBeDefined();
  });

  it("keeps two apps' metrics apart in one process", async () => {
    const first = await build();
    const second = await build();
    await first.app.inject({ method: "GET", url: "/known" });
    const text = await second.registry.metrics();
    expect(text).not.toContain('route="/known"');
  });
});

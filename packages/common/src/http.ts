import { randomBytes } from "node:crypto";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Logger } from "pino";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { z } from "zod";
import { isNymError, NymError } from "./errors.js";

/** The body of every error answer, whatever failed: clients branch on `code`, operators grep for `requestId`. */
export const HttpErrorBody = z
  .object({
    statusCode: z.int().describe("HTTP status, repeated in the body"),
    error: z.string().describe("HTTP reason phrase"),
    code: z.string().describe("Stable machine-readable code, e.g. HTTP_ERROR_VALIDATION"),
    message: z.string().describe("Human-readable explanation; for validation errors it names the offending field"),
    requestId: z.string().describe("Id of the request, also sent as the x-request-id header and logged"),
    issues: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe("For validation errors: every offending field with its dotted path"),
  })
  .describe("Error");
export type HttpErrorBody = z.infer<typeof HttpErrorBody>;

export const HealthBody = z
  .object({
    status: z.enum(["ok", "unhealthy"]).describe("ok when every check passes"),
    service: z.string().describe("Daemon name"),
    version: z.string().describe("Daemon version"),
    uptimeSeconds: z.number().describe("Seconds since the HTTP server was created"),
    checks: z
      .record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() }))
      .describe("Result of each health check, by name"),
  })
  .describe("Health");
export type HealthBody = z.infer<typeof HealthBody>;

export type HealthCheck = () => { ok: boolean; detail?: string } | Promise<{ ok: boolean; detail?: string }>;

/**
 * A known failure with the HTTP status it maps to. Handlers throw these; the error handler answers with the status,
 * the code and the message. Anything else becomes a 500 with a generic message.
 */
export class HttpError<Code extends string = string, Details = unknown> extends NymError<Code, Details> {
  readonly statusCode: number;

  constructor(statusCode: number, code: Code, message: string, details?: Details, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.statusCode = statusCode;
  }
}

export interface HttpAppOptions {
  /** The process's root logger; the app logs through `log.child({ module: "http" })`. */
  log: Logger;
  /** Daemon name, reported by /health and used as the metrics prefix (`nym_directory_` for `nym-directory`). */
  service: string;
  version?: string;
  /** Largest accepted request body in bytes; larger bodies get 413. Default 16 KiB. */
  bodyLimit?: number;
  /** Trust X-Forwarded-For (only behind a reverse proxy you control). Default false. */
  trustProxy?: boolean;
  /** Named checks run by GET /health; any failing check makes it answer 503. */
  healthChecks?: Record<string, HealthCheck>;
  /** Maps errors from libraries (coded `NymError`s without a status) to an HTTP status; undefined means 500. */
  statusForError?: (error: NymError) => number | undefined;
  /**
   * When set, serves the OpenAPI document at `${docsPath}/json` and the Swagger UI at `docsPath`. `version` 3.1.0
   * gives full JSON Schema 2020-12 (e.g. `propertyNames` for a record's keys, which 3.0 cannot say); default 3.0.3.
   */
  openapi?: { title: string; description?: string; docsPath?: string; version?: "3.0.3" | "3.1.0" };
  /** Whether /metrics also exports the Node.js process metrics (event loop lag, heap, GC). Default true. */
  processMetrics?: boolean;
  /** Longest path parameter in characters; a longer one gets 414. Default 100 (Fastify's). */
  maxParamLength?: number;
}

export type HttpApp = FastifyInstance<
  import("node:http").Server,
  import("node:http").IncomingMessage,
  import("node:http").ServerResponse,
  Logger,
  ZodTypeProvider
>;

export interface CreatedHttpApp {
  app: HttpApp;
  /** The app's own Prometheus registry (never the global one, so several apps can live in one process). */
  registry: Registry;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/**
 * Builds the Fastify app every Nym daemon serves its API from: zod schemas validate requests and responses, every
 * request gets an id (echoed as `x-request-id`), errors become `HttpErrorBody` (validation 400 naming each field,
 * known errors their status, anything else 500 with a generic message), unknown routes a JSON 404, and the app
 * serves `/health` and Prometheus `/metrics`. Register plugins that watch routes (rate limits) right after this
 * resolves, then declare the daemon's routes.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<CreatedHttpApp> {
  const log = options.log.child({ module: "http" });
  const prefix = `${options.service.replace(/[^A-Za-z0-9]+/g, "_")}_`;
  const startedAt = Date.now();
  const idPrefix = randomBytes(4).toString("hex");
  let idCounter = 0;

  const app = Fastify({
    loggerInstance: log,
    // Fastify logs every request at info; house style keeps per-request lines at debug (see onResponse below).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    routerOptions: { maxParamLength: options.maxParamLength ?? 100 },
    trustProxy: options.trustProxy ?? false,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      if (typeof given === "string" && REQUEST_ID.test(given)) return given;
      idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER;
      return `${idPrefix}-${idCounter.toString(36)}`;
    },
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>() as unknown as HttpApp;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });
  const requests = new Counter({
    name: `${prefix}http_requests_total`,
    help: "HTTP requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: "Time from request to response, by method and route pattern",
    labelNames: ["method", "route"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });

  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });
  const debug = log.isLevelEnabled("debug");
  app.addHook("onResponse", (request, reply, done) => {
    // The route pattern, never the raw URL, keeps the label set bounded whatever clients request.
    const route = request.routeOptions.url ?? "unmatched";
    requests.inc({ method: request.method, route, status: reply.statusCode });
    durations.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (debug) {
      request.log.debug({ route, status: reply.statusCode, ms: reply.elapsedTime }, "request completed");
    }
    done();
  });

  // Every route's path pattern and methods, so a known path asked with another method answers 405 with `Allow`
  // (RFC 9110 §15.5.6) rather than 404.
  const routes: { pattern: RegExp; methods: Set<string> }[] = [];
  app.addHook("onRoute", (route) => {
    const source = `^${route.url
      .split("/")
      .map((part) =>
        part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/")}$`;
    let entry = routes.find((r) => r.pattern.source === source);
    if (!entry) {
      entry = { pattern: new RegExp(source), methods: new Set() };
      routes.push(entry);
    }
    for (const method of [route.method].flat()) entry.methods.add(method);
  });

  /** No route for this request: 405 with `Allow` when the path exists for other methods, a JSON 404 otherwise. */
  const answerUnrouted = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.split("?")[0]?.slice(0, 200) ?? "";
    const allowed = new Set<string>();
    for (const route of routes) if (route.pattern.test(path)) for (const method of route.methods) allowed.add(method);
    if (allowed.size > 0) {
      return reply
        .code(405)
        .header("allow", [...allowed].sort().join(", "))
        .send(
          errorBody(
            405,
            "HTTP_ERROR_METHOD_NOT_ALLOWED",
            `${request.method} is not allowed on ${path}`,
            request.id,
          ) satisfies HttpErrorBody,
        );
    }
    return reply
      .code(404)
      .send(
        errorBody(
          404,
          "HTTP_ERROR_NOT_FOUND",
          `no route ${request.method} ${path}`,
          request.id,
        ) satisfies HttpErrorBody,
      );
  };
  // A request without a route can still fail before the not-found handler (a body-carrying method such as QUERY
  // without a content type): it is answered as unrouted all the same.
  app.setErrorHandler((error, request, reply) =>
    request.is404 ? answerUnrouted(request, reply) : sendError(error, request, reply, log, options.statusForError),
  );
  app.setNotFoundHandler((request, reply) => {
    void answerUnrouted(request, reply);
  });

  if (options.openapi) {
    const docsPath = options.openapi.docsPath ?? "/docs";
    const { default: swagger } = await import("@fastify/swagger");
    const { default: swaggerUi } = await import("@fastify/swagger-ui");
    await app.register(swagger, {
      openapi: {
        openapi: options.openapi.version ?? "3.0.3",
        info: {
          title: options.openapi.title,
          description: options.openapi.description ?? "",
          version: options.version ?? "0.0.0",
          license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
        },
        // The API is served from the root of the host that serves this document.
        servers: [{ url: "/", description: "this daemon" }],
        // No HTTP-level credential anywhere: operations that need one declare it (a signed write carries its
        // signature in the request body and says so in its description).
        security: [],
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: docsPath });
  }

  app.get(
    "/health",
    {
      schema: {
        operationId: "getHealth",
        tags: ["operations"],
        summary: "Liveness and readiness of the daemon",
        response: { 200: HealthBody, 503: HealthBody },
      },
    },
    async (_request, reply) => {
      const checks: HealthBody["checks"] = {};
      for (const [name, check] of Object.entries(options.healthChecks ?? {})) {
        try {
          checks[name] = await check();
        } catch (cause) {
          log.warn({ err: cause, check: name }, "health check threw");
          checks[name] = { ok: false, detail: "check failed" };
        }
      }
      const ok = Object.values(checks).every((check) => check.ok);
      return reply.code(ok ? 200 : 503).send({
        status: ok ? "ok" : "unhealthy",
        service: options.service,
        version: options.version ?? "0.0.0",
        uptimeSeconds: (Date.now() - startedAt) / 1000,
        checks,
      });
    },
  );

  app.get(
    "/metrics",
    {
      schema: {
        operationId: "getPrometheusMetrics",
        tags: ["operations"],
        summary: "Prometheus metrics in the text exposition format",
        response: {
          200: {
            description: "Every series of the daemon, in Prometheus' text exposition format 0.0.4",
            content: { "text/plain; version=0.0.4; charset=utf-8": { schema: z.string() } },
          },
        },
      },
    },
    async (_request, reply) => {
      const text = await registry.metrics();
      return reply
        .type(registry.contentType)
        .serializer((payload) => payload as string)
        .send(text);
    },
  );

  return { app, registry };
}

function errorBody(statusCode: number, code: string, message: string, requestId: string): HttpErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? "Error", code, message, requestId };
}

function sendError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  log: Logger,
  statusForError: HttpAppOptions["statusForError"],
): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? "body";
    const issues = error.validation.map((issue) => {
      const field = issue.instancePath.replace(/^\//, "").replaceAll("/", ".");
      return { path: field ? `${where}.${field}` : where, message: issue.message ?? "invalid" };
    });
    const first = issues[0];
    const message = first ? `${first.path}: ${first.message}` : `invalid ${where}`;
    return reply
      .code(400)
      .send({ ...errorBody(400, "HTTP_ERROR_VALIDATION", message, request.id), issues } satisfies HttpErrorBody);
  }
  if (error instanceof HttpError) {
    return reply.code(error.statusCode).send(errorBody(error.statusCode, error.code, error.message, request.id));
  }
  if (isNymError(error)) {
    const status = statusForError?.(error);
    if (status !== undefined && status < 500) {
      return reply.code(status).send(errorBody(status, error.code, error.message, request.id));
    }
  }
  if (isResponseSerializationError(error)) {
    log.error({ err: error, requestId: request.id, issues: error.cause.issues }, "response failed its schema");
  } else {
    const fastifyError = error as Partial<FastifyError>;
    const status = fastifyError.statusCode;
    // Fastify's own client errors (unparsable JSON, body too large, wrong content type, rate limit) keep their
    // status and message: they describe the request, not the server.
    if (typeof status === "number" && status >= 400 && status < 500) {
      const code = fastifyError.code ?? (status === 429 ? "HTTP_ERROR_RATE_LIMITED" : "HTTP_ERROR_BAD_REQUEST");
      return reply.code(status).send(errorBody(status, code, fastifyError.message ?? "bad request", request.id));
    }
    log.error({ err: error, requestId: request.id }, "request failed");
  }
  return reply.code(500).send(errorBody(500, "HTTP_ERROR_INTERNAL", "internal error", request.id));
}

/**
 * The server side of the benchmark, run as its own process so the load generator does not share its event loop:
 * `server.ts directory <nodes> <dbPath>` starts the directory with <nodes> signed registrations; `server.ts bare <size>`
 * starts a bare Fastify app with two routes returning constants: `/constant`, a tiny JSON object, and
 * `/constant-sized`, a constant JSON body of <size> bytes (the topology's size), so the ratio to it isolates the
 * directory's own cost from the cost of moving the bytes. Prints `READY <port>` and runs until killed.
 */
import { generateKeyPairSync } from "node:crypto";
import { createLogger } from "@nym-ts/common";
import { generateEd25519Identity, type RegistrationByKind, signPayload } from "@nym-ts/directory-client";
import Fastify from "fastify";
import { createDirectory } from "../src/index.js";

const [mode, nodesArg, dbPath] = process.argv.slice(2);

if (mode === "bare") {
  const app = Fastify();
  app.get("/constant", async () => ({ ok: true }));
  const size = Number(nodesArg ?? 0);
  const sized = Buffer.from(JSON.stringify({ pad: "x".repeat(Math.max(0, size - 10)) }));
  app.get("/constant-sized", (_request, reply) => {
    reply.header("content-type", "application/json; charset=utf-8").send(sized);
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  console.log(`READY ${typeof address === "object" && address ? address.port : 0}`);
} else if (mode === "directory") {
  const nodes = Number(nodesArg);
  const log = createLogger({ name: "bench", level: "silent" });
  const directory = createDirectory(
    {
      http: { host: "127.0.0.1", port: 0 },
      storage: { path: dbPath ?? ":memory:" },
      presence: { ttlSeconds: 3600 },
      rateLimit: { writesPerAddressPerMinute: 100_000, writesPerKeyPerMinute: 100_000 },
    },
    { log },
  );
  await directory.start();
  const gateways = Math.max(1, Math.round(nodes / 10));
  for (let i = 0; i < nodes; i++) {
    const { signer } = generateEd25519Identity();
    // A real X25519 key: the directory refuses non-canonical and small-order Sphinx keys.
    const sphinxKey = generateKeyPairSync("x25519").publicKey.export({ format: "raw-public" }).toString("hex");
    const isGateway = i < gateways;
    const kind = isGateway ? "gateway" : "mixnode";
    const payload: RegistrationByKind["gateway"] | RegistrationByKind["mixnode"] = isGateway
      ? {
          identityKey: signer.publicKey,
          sphinxKey,
          mixnetAddress: `10.1.${i >> 8}.${i & 255}:1789`,
          clientAddress: `10.1.${i >> 8}.${i & 255}:9000`,
          version: "0.1.0",
        }
      : {
          identityKey: signer.publicKey,
          sphinxKey,
          host: `10.0.${i >> 8}.${i & 255}:1789`,
          layer: (i % 3) + 1,
          version: "0.1.0",
        };
    const body = await signPayload(`register:${kind}`, payload, signer, Date.now());
    const response = await directory.app.inject({
      method: "POST",
      url: `/api/v1/presence/${kind}s`,
      payload: body,
    });
    if (response.statusCode !== 200) throw new Error(`registration failed: ${response.body}`);
  }
  console.log(`READY ${new URL(directory.url()).port}`);
} else {
  console.error("usage: server.ts bare <size> | directory <nodes> <dbPath>");
  process.exit(2);
}

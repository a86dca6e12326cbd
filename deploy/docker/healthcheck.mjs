// The images' health check (the HEALTHCHECK instructions of the root Dockerfile): exits 0 when the URL answers with
// a 2xx status within 2.5 s, 1 otherwise, printing why (Docker keeps the output in the container's health log). With
// a JSON-RPC method (anvil's `eth_chainId`), POSTs that call and also needs a `result` in the answer. Node's fetch,
// as the slim images have no curl.
//
//   node healthcheck.mjs <url> [json-rpc-method]
const [url, method] = process.argv.slice(2);
if (!url) {
  console.error("usage: node healthcheck.mjs <url> [json-rpc-method]");
  process.exit(2);
}

const request =
  method === undefined
    ? {}
    : {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }),
      };
try {
  const response = await fetch(url, { ...request, signal: AbortSignal.timeout(2500) });
  if (!response.ok) {
    console.log(`unhealthy: ${url} answered HTTP ${response.status}`);
    process.exit(1);
  }
  if (method !== undefined) {
    const body = await response.json();
    if (body?.result === undefined) {
      console.log(`unhealthy: ${url} answered ${method} without a result`);
      process.exit(1);
    }
  }
  process.exit(0);
} catch (error) {
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
  console.log(`unhealthy: ${url}: ${error instanceof Error ? error.message : String(error)}${cause}`);
  process.exit(1);
}

/**
 * Child process of request-log.test.ts: sends two requests through the real tRPC route handler and
 * prints each answer's status and x-request-id on stderr (stdout is the structured log).
 */
const route = await import("../../api/trpc/[trpc]/route");
const requests: Record<string, string>[] = [
  { "x-request-id": "req-abc-123", cookie: "ledgerline.session_token=SECRET-COOKIE-4242" },
  { "x-request-id": "not a plain token; drop table", authorization: "Bearer llt_SECRET-TOKEN-9999" },
];
for (const headers of requests) {
  const response = await route.GET(new Request("http://localhost:3000/api/trpc/flows.list", { headers }));
  process.stderr.write(`${JSON.stringify({ status: response.status, requestId: response.headers.get("x-request-id") })}\n`);
}
process.exit(0);

export {};

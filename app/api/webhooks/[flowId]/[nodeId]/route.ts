/**
 * Webhook deliveries for a flow's trigger. The raw body is handed over untouched: signatures are
 * computed over the exact bytes received.
 */
import { getDb } from "../../../../../db/client";
import { handleWebhook } from "../../../../../engine/triggers";

export const dynamic = "force-dynamic";

async function handle(req: Request, { params }: { params: Promise<{ flowId: string; nodeId: string }> }) {
  const { flowId, nodeId } = await params;
  const url = new URL(req.url);
  const rawBody = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
  try {
    const result = await handleWebhook(
      getDb(),
      { flowId, nodeId },
      { method: req.method, headers: Object.fromEntries(req.headers.entries()), rawBody, query: Object.fromEntries(url.searchParams.entries()) },
    );
    const body = typeof result.body === "string" ? result.body : JSON.stringify(result.body ?? {});
    return new Response(body, {
      status: result.status,
      headers: { "content-type": typeof result.body === "string" ? "text/plain" : "application/json", ...(result.headers ?? {}) },
    });
  } catch (error) {
    // A retryable problem (the signing keys' host is down...): the sender retries later.
    console.error(`[webhook] ${flowId}/${nodeId}: ${(error as Error).message}`);
    return Response.json({ error: "temporarily unavailable" }, { status: 503 });
  }
}

export { handle as GET, handle as POST };

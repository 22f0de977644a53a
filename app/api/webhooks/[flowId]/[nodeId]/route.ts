/**
 * Webhook deliveries for a flow's trigger. The raw body is handed over untouched: signatures are
 * computed over the exact bytes received. Bodies are capped while they stream (5 MB by default,
 * LEDGERLINE_WEBHOOK_MAX_BODY): a larger delivery answers 413 before anything is stored.
 */
import { getDb } from "../../../../../db/client";
import { env } from "../../../../../db/env";
import { errorFields, requestLogger, type Logger } from "../../../../../engine/logging";
import { recordWebhookRejection } from "../../../../../engine/metrics/webhook-rejections";
import { handleWebhook } from "../../../../../engine/triggers";
import { BodyTooLargeError, readBodyCapped, tooLarge } from "../../../../server/http-guards";

export const dynamic = "force-dynamic";

async function handle(req: Request, { params }: { params: Promise<{ flowId: string; nodeId: string }> }) {
  const { flowId, nodeId } = await params;
  const { log: requestLog, requestId } = requestLogger(req);
  const log = requestLog.child({ flowId, nodeId });
  const url = new URL(req.url);
  const limit = env.webhookMaxBody;
  let rawBody: string;
  try {
    rawBody = req.method === "GET" || req.method === "HEAD" ? "" : await readBodyCapped(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      log.warn({ status: 413, limit }, "webhook delivery too large");
      await countRejection(log, null, 413);
      return tooLarge(limit);
    }
    throw error;
  }
  try {
    const result = await handleWebhook(
      getDb(),
      { flowId, nodeId },
      { method: req.method, headers: Object.fromEntries(req.headers.entries()), rawBody, query: Object.fromEntries(url.searchParams.entries()) },
    );
    if (result.status >= 400 && result.status < 500) await countRejection(log, { flowId, nodeId }, result.status);
    log[result.status >= 400 ? "warn" : "info"]({ status: result.status }, "webhook delivery");
    const body = typeof result.body === "string" ? result.body : JSON.stringify(result.body ?? {});
    return new Response(body, {
      status: result.status,
      headers: {
        "content-type": typeof result.body === "string" ? "text/plain" : "application/json",
        // Why no-transform: an acknowledgement is a few bytes, and the web server's gzip stream
        // per response cost more CPU than the rest of the delivery (set up, flush, tear down).
        "cache-control": "no-store, no-transform",
        "x-request-id": requestId,
        ...(result.headers ?? {}),
      },
    });
  } catch (error) {
    // A retryable problem (the signing keys' host is down...): the sender retries later.
    log.error({ status: 503, err: errorFields(error) }, "webhook delivery failed");
    return Response.json({ error: "temporarily unavailable" }, { status: 503 });
  }
}

/** For /api/metrics; a failure to count never changes the answer. */
async function countRejection(log: Logger, target: { flowId: string; nodeId: string } | null, status: number) {
  await recordWebhookRejection(getDb(), target, status).catch((e) => log.error({ err: errorFields(e) }, "counting a webhook rejection failed"));
}

export { handle as GET, handle as POST };

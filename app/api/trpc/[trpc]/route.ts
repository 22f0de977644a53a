/**
 * tRPC over HTTP. Before the router sees a request: a cookie-carrying POST must come from the
 * app's own pages (CSRF), and its body is capped while it streams (413 past the cap).
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { env } from "../../../../db/env";
import { requestLogger, type Logger } from "../../../../engine/logging";
import { BodyTooLargeError, crossSiteRefusal, readBodyCapped, tooLarge } from "../../../server/http-guards";
import { appRouter } from "../../../server/root";
import { createContext, type Context } from "../../../server/trpc";

export const dynamic = "force-dynamic";

/**
 * One line per request (request id, procedure, status, time, workspace once resolved) and one per
 * server error; the request id is answered in `x-request-id`.
 */
async function trpc(req: Request, log: Logger, requestId: string, startedAt = performance.now()): Promise<Response> {
  let context: Context | undefined;
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async (opts) => (context = await createContext(opts)),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") log.error({ procedure: path, workspaceId: context?.workspace?.id, error: { message: error.message } }, "procedure failed");
    },
  });
  const procedure = new URL(req.url).pathname.replace(/^\/api\/trpc\/?/, "");
  log.info({ procedure, status: response.status, durationMs: Math.round(performance.now() - startedAt), workspaceId: context?.workspace?.id }, "trpc request");
  response.headers.set("x-request-id", requestId);
  return response;
}

async function GET(req: Request): Promise<Response> {
  const { log, requestId } = requestLogger(req);
  return trpc(req, log, requestId);
}

async function POST(req: Request): Promise<Response> {
  const startedAt = performance.now();
  const { log, requestId } = requestLogger(req);
  const refused = crossSiteRefusal(req);
  if (refused) {
    log.warn({ status: refused.status }, "cross-site request refused");
    return refused;
  }
  const limit = env.trpcMaxBody;
  let body: string;
  try {
    body = await readBodyCapped(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      log.warn({ status: 413, limit }, "request body too large");
      return tooLarge(limit);
    }
    throw error;
  }
  return trpc(new Request(req.url, { method: "POST", headers: req.headers, body, signal: req.signal }), log, requestId, startedAt);
}

export { GET, POST };

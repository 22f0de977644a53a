/**
 * tRPC over HTTP. Before the router sees a request: a cookie-carrying POST must come from the
 * app's own pages (CSRF), and its body is capped while it streams (413 past the cap).
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { env } from "../../../../db/env";
import { BodyTooLargeError, crossSiteRefusal, readBodyCapped, tooLarge } from "../../../server/http-guards";
import { appRouter } from "../../../server/root";
import { createContext } from "../../../server/trpc";

export const dynamic = "force-dynamic";

function trpc(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext,
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[app] ${path}: ${error.message}`);
    },
  });
}

async function POST(req: Request): Promise<Response> {
  const refused = crossSiteRefusal(req);
  if (refused) return refused;
  const limit = env.trpcMaxBody;
  let body: string;
  try {
    body = await readBodyCapped(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return tooLarge(limit);
    throw error;
  }
  return trpc(new Request(req.url, { method: "POST", headers: req.headers, body, signal: req.signal }));
}

export { trpc as GET, POST };

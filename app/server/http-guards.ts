/**
 * Guards the route handlers share, before any of our code reads a request:
 * - body caps: a body is read as it streams and refused with 413 the moment it passes the cap
 *   (a declared Content-Length over the cap is refused before a byte is read), so a large
 *   request never sits in memory. tRPC 1 MB and webhooks 5 MB by default (db/env.ts).
 * - same origin (CSRF): a state-changing request that carries cookies must come from the app's
 *   own pages (`Sec-Fetch-Site: same-origin`, or an `Origin` equal to the app's), else 403. A
 *   request with `Authorization: Bearer` carries its own credential and passes; one with neither
 *   cookie nor token is anonymous and left to answer 401.
 */
import "server-only";
import { env } from "../../db/env";
import { BodyTooLargeError, tooLargeBody } from "./body-limit";

export { BodyTooLargeError };

/** 413 with a JSON error a client can show. */
export function tooLarge(limit: number): Response {
  return Response.json(tooLargeBody(limit), { status: 413, headers: { connection: "close" } });
}

/** The body as text, read chunk by chunk; throws `BodyTooLargeError` as soon as it passes `limit` bytes. */
export async function readBodyCapped(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The origins the app's own pages are served from: the public URL's, and the one this request was addressed to. */
function ownOrigins(req: Request): Set<string> {
  const origins = new Set<string>();
  try {
    origins.add(new URL(env.publicUrl).origin);
  } catch {
    // a malformed LEDGERLINE_PUBLIC_URL allows no origin from it
  }
  origins.add(new URL(req.url).origin);
  return origins;
}

/** 403 when a cookie-carrying, state-changing request does not come from the app's own pages; else null. */
export function crossSiteRefusal(req: Request): Response | null {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return null;
  if (/^Bearer\s/i.test(req.headers.get("authorization") ?? "")) return null;
  if (!req.headers.get("cookie")) return null;
  const site = req.headers.get("sec-fetch-site");
  const origin = req.headers.get("origin");
  if (site === "same-origin") return null;
  if (!site && origin && ownOrigins(req).has(origin)) return null;
  return Response.json(
    {
      error: {
        code: "FORBIDDEN",
        message: "This request did not come from Ledgerline's own pages. Scripts and other tools: send an API token as Authorization: Bearer <token>.",
      },
    },
    { status: 403 },
  );
}

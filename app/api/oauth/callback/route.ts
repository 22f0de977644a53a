/**
 * OAuth 2.0 callback ("Connect"): the state is checked (single use), the code exchanged and the
 * browser sent back to the connections page with the outcome.
 */
import { getDb } from "../../../../db/client";
import { env } from "../../../../db/env";
import { finishOAuth } from "../../../../engine/connection-actions";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  const url = new URL(req.url);
  const state = url.searchParams.get("state");
  const code = url.searchParams.get("code");
  const back = new URL("/connections", env.publicUrl);
  if (!state || !code) {
    back.searchParams.set("oauth", "error");
    back.searchParams.set("message", url.searchParams.get("error_description") ?? url.searchParams.get("error") ?? "The sign-in did not return a code");
    return Response.redirect(back, 302);
  }
  try {
    const { connectionId } = await finishOAuth(getDb(), state, code);
    back.searchParams.set("oauth", "connected");
    back.searchParams.set("connection", connectionId);
  } catch (error) {
    back.searchParams.set("oauth", "error");
    back.searchParams.set("message", (error as Error).message);
  }
  return Response.redirect(back, 302);
}

/**
 * OAuth 2.0 callback ("Connect"): public, and scoped by its state: single use, and finished only
 * in the signed-in browser of the admin who pressed Connect (engine/connection-actions.ts). The
 * code is exchanged and the browser sent back with the outcome: to the page Connect was pressed
 * on when it named one (a path of this app), else to the connections page.
 */
import { env } from "../../../../db/env";
import { finishOAuth } from "../../../../engine/connection-actions";
import { createContext } from "../../../server/auth/context";

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
    const { db, caller } = await createContext({ req });
    const { connectionId, returnTo } = await finishOAuth(db, state, code, caller?.kind === "user" ? caller.userId : null);
    // Back where Connect was pressed (the template wizard), else the connections page.
    const to = returnTo ? new URL(returnTo, env.publicUrl) : back;
    to.searchParams.set("oauth", "connected");
    to.searchParams.set("connection", connectionId);
    return Response.redirect(to, 302);
  } catch (error) {
    back.searchParams.set("oauth", "error");
    back.searchParams.set("message", (error as Error).message);
  }
  return Response.redirect(back, 302);
}

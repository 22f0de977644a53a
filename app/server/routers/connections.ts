/**
 * Connections: write-only secrets (never returned, only which fields are set), test ("ping your
 * real system"), pickers, the one-click sandbox connection, OAuth connect.
 *
 * Roles: viewer lists (no secret values) and reads the sandbox settings; operator tests a
 * connection and loads picker lists (reads the remote system with the stored secrets, changes
 * nothing there); admin creates, changes, deletes and connects.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { env } from "../../../db/env";
import {
  ConnectionInputError,
  createConnection,
  createSandboxConnection,
  deleteConnection,
  listConnections,
  sandboxSettings,
  updateConnection,
} from "../../../engine/connection-admin";
import { loadPicker, RETURN_PATH, startOAuth, testConnection } from "../../../engine/connection-actions";
import { actorOf, attempt } from "../procedure";
import { adminProcedure, operatorProcedure, router, viewerProcedure } from "../trpc";

const id = z.string().uuid();
const system = z.string().min(1).max(40);
const name = z.string().trim().min(1).max(120);

/** Domain errors as answers; a user's mistake says what to fix. */
async function answer<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ConnectionInputError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
    return attempt(Promise.reject(error));
  }
}

export const connectionsRouter = router({
  list: viewerProcedure.query(({ ctx }) => listConnections(ctx.db, ctx.workspaceId)),

  create: adminProcedure
    .input(z.object({ system, name, config: z.unknown(), secrets: z.unknown() }))
    .mutation(({ ctx, input }) => answer(createConnection(ctx.db, ctx.workspaceId, actorOf(ctx), input))),

  /** Secrets given replace those fields; omitted ones are kept unless the endpoint moved (then all are needed again). */
  update: adminProcedure
    .input(z.object({ id, name: name.optional(), config: z.unknown().optional(), secrets: z.record(z.string(), z.unknown()).optional() }))
    .mutation(({ ctx, input }) => answer(updateConnection(ctx.db, ctx.workspaceId, actorOf(ctx), input))),

  delete: adminProcedure.input(z.object({ id })).mutation(({ ctx, input }) => answer(deleteConnection(ctx.db, ctx.workspaceId, actorOf(ctx), input.id))),

  test: operatorProcedure.input(z.object({ id })).mutation(({ ctx, input }) => answer(testConnection(ctx.db, ctx.workspaceId, input.id, actorOf(ctx)))),

  picker: operatorProcedure
    .input(z.object({ connectionId: id, picker: z.string().min(1).max(80) }))
    .query(({ ctx, input }) => answer(loadPicker(ctx.db, ctx.workspaceId, input.connectionId, input.picker))),

  /** The settings of the local sandbox (no secrets: the sandbox connection is created server-side). */
  sandboxSettings: viewerProcedure.input(z.object({ system })).query(({ input }) => answer(Promise.resolve().then(() => sandboxSettings(input.system)))),

  /** One click: a connection to the local sandbox with its demo credentials. */
  createSandbox: adminProcedure
    .input(z.object({ system, name: name.optional() }))
    .mutation(({ ctx, input }) => answer(createSandboxConnection(ctx.db, ctx.workspaceId, actorOf(ctx), input))),

  /** Start OAuth "Connect": returns the URL to send the browser to; `returnTo` (a path of this app) is where it comes back. */
  connect: adminProcedure
    .input(z.object({ id, returnTo: z.string().max(300).regex(RETURN_PATH, "a path of this app").optional() }))
    .mutation(async ({ ctx, input }) => ({ url: await answer(startOAuth(ctx.db, ctx.workspaceId, input.id, `${env.publicUrl}/api/oauth/callback`, actorOf(ctx), input.returnTo)) })),
});

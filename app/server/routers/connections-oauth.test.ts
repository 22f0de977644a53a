/**
 * OAuth "Connect" is scoped by its state: single use, and finished only by the admin who started
 * it, in their workspace. Real Exact sandbox (authorize, token exchange), real PostgreSQL, the
 * real appRouter for starting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox as createExact } from "../../../connectors/exact/sandbox";
import type { SandboxServer } from "../../../connectors/sdk";
import { addMember, member, type Member } from "../test/caller";
import { finishOAuth } from "../../../engine/connection-actions";
import { registry } from "../../../engine/registry";
import { createWorkspace, testDb } from "../../../engine/test/helpers";

const db = testDb();
let exact: SandboxServer;
let workspaceId: string;
let admin: Member;
let otherAdmin: Member;
let connectionId: string;

beforeAll(async () => {
  exact = await createExact().listen(0);
  workspaceId = await createWorkspace(db, "OAuth");
  admin = await member(db, workspaceId, "admin");
  otherAdmin = await member(db, await createWorkspace(db, "OAuth other"), "admin");
  const values = registry.connector("exact")!.sandbox!(exact.url);
  ({ id: connectionId } = await admin.caller.connections.create({ system: "exact", name: "Exact", config: values.config, secrets: values.secrets }));
});
afterAll(async () => {
  await exact.close();
  await db.close();
});

/** Press Connect and let the sandbox approve: the state and code the callback would receive. */
async function approve(by: Member = admin, returnTo?: string): Promise<{ state: string; code: string }> {
  const { url } = await by.caller.connections.connect({ id: connectionId, returnTo });
  const response = await fetch(url, { redirect: "manual" });
  const location = new URL(response.headers.get("location")!);
  return { state: location.searchParams.get("state")!, code: location.searchParams.get("code")! };
}

async function connectionState() {
  const [row] = await db.sql<{ status: string; hasTokens: boolean }[]>`select status, state_enc is not null as "hasTokens" from connections where id = ${connectionId}`;
  return row!;
}

describe("OAuth callback", () => {
  it("refuses another workspace's admin, a signed-out browser, and a state used once", async () => {
    const stolen = await approve();
    await expect(finishOAuth(db, stolen.state, stolen.code, otherAdmin.user.id)).rejects.toThrow(/started by someone else/);
    // Consumed by that attempt: not even its starter can use it now.
    await expect(finishOAuth(db, stolen.state, stolen.code, admin.user.id)).rejects.toThrow(/expired or was already used/);

    const signedOut = await approve();
    await expect(finishOAuth(db, signedOut.state, signedOut.code, null)).rejects.toThrow(/Sign in to Ledgerline/);
    expect(await connectionState()).toMatchObject({ hasTokens: false });
  });

  it("refuses the starter once they are no longer an admin there", async () => {
    const pending = await approve();
    await addMember(db, workspaceId, admin.user.id, "editor");
    try {
      await expect(finishOAuth(db, pending.state, pending.code, admin.user.id)).rejects.toThrow(/needs the admin role/);
    } finally {
      await addMember(db, workspaceId, admin.user.id, "admin");
    }
  });

  it("connects for the admin who started it, and audits it under their name", async () => {
    const { state, code } = await approve();
    await expect(finishOAuth(db, state, code, admin.user.id)).resolves.toEqual({ workspaceId, connectionId, returnTo: null });
    expect(await connectionState()).toEqual({ status: "ok", hasTokens: true });
    const events = await db.sql<{ action: string; actor: string }[]>`
      select action, actor from audit_events where entity_id = ${connectionId} and action like 'connection.connect%' order by id`;
    expect(events.at(-1)).toEqual({ action: "connection.connected", actor: admin.user.email });
    expect(events.filter((e) => e.action === "connection.connect_started").every((e) => e.actor === admin.actor)).toBe(true);
  });

  it("comes back to the page Connect was pressed on (the template wizard), and only to a path of this app", async () => {
    const { state, code } = await approve(admin, "/templates/exact-invoice-avalara-journal");
    await expect(finishOAuth(db, state, code, admin.user.id)).resolves.toEqual({ workspaceId, connectionId, returnTo: "/templates/exact-invoice-avalara-journal" });
    for (const elsewhere of ["https://evil.example/x", "//evil.example/x", "templates", "/a b"]) {
      await expect(admin.caller.connections.connect({ id: connectionId, returnTo: elsewhere })).rejects.toThrow(/a path of this app/);
    }
  });

  it("forgets a pending Connect when the connection's region changes", async () => {
    const pending = await approve();
    const [row] = await db.sql<{ config: Record<string, unknown> }[]>`select config from connections where id = ${connectionId}`;
    await admin.caller.connections.update({ id: connectionId, config: { ...row!.config, region: "NL" }, secrets: { clientSecret: "re-entered-secret" } });
    await expect(finishOAuth(db, pending.state, pending.code, admin.user.id)).rejects.toThrow(/expired or was already used/);
    expect(await connectionState()).toEqual({ status: "untested", hasTokens: false });
  });
});

/**
 * Workspace SSO settings and just-in-time membership on real PostgreSQL: the client secret is
 * stored encrypted and never read back, a new issuer needs the secret again, issuers are https
 * (loopback aside), an e-mail domain belongs to one workspace, and a person from an allowed domain
 * becomes a member with the default role (once), while other domains are refused.
 * (The whole sign-in through a real OpenID provider is the browser test e2e/sso.test.ts.)
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { decrypt } from "../../db/crypto";
import { testDb } from "../test/helpers";
import { getSsoConfig, provisionSsoUser, saveSsoConfig } from "./sso";
import { ensureUser } from "./users";
import { createWorkspace } from "./workspaces";

let db: Db;
const actor = { label: "test", kind: "system" as const };
const base = { issuer: "https://login.example.com/realms/finance", clientId: "ledgerline", allowedDomains: [] as string[], defaultRole: "viewer" as const, enabled: true };

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db.close();
});

async function workspace(name: string) {
  const owner = await ensureUser(db.sql, { email: `${name.toLowerCase()}.${randomUUID().slice(0, 6)}@owner.test` });
  return createWorkspace(db, `${name} ${randomUUID().slice(0, 4)}`, owner.id, actor);
}

describe("SSO settings", () => {
  it("keeps the secret encrypted and write-only, and asks for it again when the provider changes", async () => {
    const ws = await workspace("Sso");
    const domain = `d${randomUUID().slice(0, 6)}.example`;
    await expect(saveSsoConfig(db, ws.id, { ...base, allowedDomains: [domain] }, actor)).rejects.toThrow(/client secret/);
    await expect(saveSsoConfig(db, ws.id, { ...base, issuer: "http://login.example.com", clientSecret: "s3cret-value", allowedDomains: [domain] }, actor)).rejects.toThrow(/https/);
    await saveSsoConfig(db, ws.id, { ...base, clientSecret: "s3cret-value", allowedDomains: [domain] }, actor);
    const [row] = await db.sql<{ client_secret_enc: string }[]>`select client_secret_enc from workspace_sso where workspace_id = ${ws.id}`;
    expect(row!.client_secret_enc).not.toContain("s3cret-value");
    expect(decrypt(row!.client_secret_enc)).toBe("s3cret-value");
    const view = await getSsoConfig(db, ws.id, "https://ledgerline.example");
    expect(JSON.stringify(view)).not.toContain("s3cret");
    expect(view).toMatchObject({ hasSecret: true, redirectUri: "https://ledgerline.example/api/auth/sso/callback" });
    // Same provider: the secret stays. Another issuer: enter it again.
    await saveSsoConfig(db, ws.id, { ...base, allowedDomains: [domain], defaultRole: "editor" }, actor);
    await expect(saveSsoConfig(db, ws.id, { ...base, issuer: "https://evil.example.net", allowedDomains: [domain] }, actor)).rejects.toThrow(/enter the client secret again/);
    const [audit] = await db.sql<{ data: unknown }[]>`select data from audit_events where workspace_id = ${ws.id} and action like 'sso.%' order by id desc limit 1`;
    expect(JSON.stringify(audit!.data)).not.toContain("s3cret");

    const other = await workspace("Other");
    await expect(saveSsoConfig(db, other.id, { ...base, clientSecret: "x", allowedDomains: [domain] }, actor)).rejects.toThrow(/already signs in to another workspace/);
  });

  it("makes a person from an allowed domain a member with the default role, once", async () => {
    const ws = await workspace("Jit");
    const provider = { workspaceId: ws.id, defaultRole: "operator" as const, allowedDomains: ["jit.example"] };
    const sub = randomUUID();
    const first = await provisionSsoUser(db, provider, { sub, email: "Pat@JIT.example", name: "Pat" }, "203.0.113.1");
    expect(first.joined).toBe(true);
    const again = await provisionSsoUser(db, provider, { sub, email: "pat@jit.example" }, null);
    expect(again).toEqual({ userId: first.userId, joined: false });
    const [member] = await db.sql<{ role: string }[]>`select role from memberships where workspace_id = ${ws.id} and user_id = ${first.userId}`;
    expect(member!.role).toBe("operator");
    await expect(provisionSsoUser(db, provider, { sub: randomUUID(), email: "mallory@evil.example" }, null)).rejects.toThrow(/not in a domain allowed/);
  });
});

/**
 * Identity on real PostgreSQL through the real Better Auth handler: password sign-in sets an
 * HttpOnly SameSite=Lax session cookie (Secure on https), the cookie resolves to the user and the
 * workspace they chose (checked against membership), wrong passwords are refused and rate limited
 * per account, API tokens resolve to their one workspace and role and stop on revoke or expiry,
 * the last owner cannot leave, and TOTP two-factor (also when a workspace requires it) works.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { testDb } from "../test/helpers";
import { totpCode } from "../test/totp";
import { createAuth, type LedgerlineAuth } from "./better-auth";
import { resolveRequest, WORKSPACE_HEADER } from "./request";
import { MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_IP } from "./sign-in-limits";
import { createToken, TokenRoleError } from "./tokens";
import { ensureUser, setPassword } from "./users";
import { addMember, changeMemberRole, createWorkspace, MembershipError, removeMember, setRequireTwoFactor } from "./workspaces";

const ORIGIN = "http://ledgerline.test";
const PASSWORD = "correct horse battery staple";
let db: Db;
let auth: LedgerlineAuth;

const actor = { label: "test", kind: "system" as const };
const uniqueEmail = (name: string) => `${name}.${randomUUID().slice(0, 8)}@ledgerline.test`;

function signIn(email: string, password: string, ip = "198.51.100.20") {
  return auth.handler(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, "x-forwarded-for": ip },
      body: JSON.stringify({ email, password }),
    }),
  );
}

const cookieOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");

async function person(name: string) {
  const email = uniqueEmail(name);
  const user = await ensureUser(db.sql, { email, name });
  await setPassword(db, user.id, PASSWORD);
  return { ...user, email };
}

beforeAll(() => {
  db = testDb();
  auth = createAuth(db, { publicUrl: ORIGIN });
});
afterAll(async () => {
  await db.close();
});

describe("password sign-in and sessions", () => {
  it("signs in, sets a safe cookie and resolves the user and the chosen workspace", async () => {
    const alice = await person("alice");
    const first = await createWorkspace(db, "Alice Books", alice.id, actor);
    const second = await createWorkspace(db, "Alice Second", alice.id, actor);
    const res = await signIn(alice.email, PASSWORD);
    expect(res.status).toBe(200);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("ledgerline.session_token="))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    const cookie = cookieOf(res);

    // Last chosen (creating the second made it the choice).
    const plain = await resolveRequest(db, auth, new Headers({ cookie, "x-forwarded-for": "203.0.113.5, 10.0.0.1" }));
    expect(plain.caller).toMatchObject({ kind: "user", userId: alice.id, email: alice.email });
    expect(plain.workspace).toMatchObject({ id: second.id, role: "owner" });
    expect(plain.ip).toBe("203.0.113.5");

    const chosen = await resolveRequest(db, auth, new Headers({ cookie, [WORKSPACE_HEADER]: first.id }));
    expect(chosen.workspace).toMatchObject({ id: first.id, name: "Alice Books", role: "owner" });

    // Someone else's workspace, or junk: no workspace at all.
    const bob = await person("bob");
    const bobs = await createWorkspace(db, "Bob Books", bob.id, actor);
    expect((await resolveRequest(db, auth, new Headers({ cookie, [WORKSPACE_HEADER]: bobs.id }))).workspace).toBeNull();
    expect((await resolveRequest(db, auth, new Headers({ cookie, [WORKSPACE_HEADER]: "demo" }))).workspace).toBeNull();

    // A forged or signed-out cookie is nobody.
    expect((await resolveRequest(db, auth, new Headers({ cookie: cookie.replace(/=(.)/, "=x$1") }))).caller).toBeNull();
    const out = await auth.handler(new Request(`${ORIGIN}/api/auth/sign-out`, { method: "POST", headers: { cookie, origin: ORIGIN } }));
    expect(out.status).toBe(200);
    expect((await resolveRequest(db, auth, new Headers({ cookie }))).caller).toBeNull();
  });

  it("marks the cookie Secure when the public URL is https", async () => {
    const carol = await person("carol");
    const secure = createAuth(db, { publicUrl: "https://ledgerline.example" });
    const res = await secure.handler(
      new Request("https://ledgerline.example/api/auth/sign-in/email", {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://ledgerline.example" },
        body: JSON.stringify({ email: carol.email, password: PASSWORD }),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().find((c) => c.includes("session_token="))).toMatch(/^__Secure-ledgerline\.session_token=.*Secure/i);
  });

  it("refuses a wrong password and limits failed attempts per account with a clear message", async () => {
    const dave = await person("dave");
    const wrong = await signIn(dave.email, "not the password at all");
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).message).toMatch(/invalid email or password/i);
    for (let i = 1; i < MAX_FAILURES_PER_ACCOUNT; i++) expect((await signIn(dave.email, `wrong ${i} password`, `198.51.100.${30 + i}`)).status).toBe(401);
    const limited = await signIn(dave.email, PASSWORD, "198.51.100.99");
    expect(limited.status).toBe(429);
    expect((await limited.json()).message).toMatch(/Too many failed sign-ins for this account\. Try again in \d+ minutes/);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another account from the same addresses is not affected.
    const erin = await person("erin");
    expect((await signIn(erin.email, PASSWORD, "198.51.100.99")).status).toBe(200);
  });

  it("limits failed attempts per IP address across accounts", async () => {
    const ip = `198.51.100.${200 + Math.floor(Math.random() * 50)}`;
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) expect((await signIn(uniqueEmail(`nobody${i}`), "guessing a password", ip)).status).toBe(401);
    const victim = await person("victim");
    const blocked = await signIn(victim.email, PASSWORD, ip);
    expect(blocked.status).toBe(429);
    expect((await blocked.json()).message).toMatch(/Too many failed sign-ins from this network address/);
    // The account itself is fine from elsewhere.
    expect((await signIn(victim.email, PASSWORD, "192.0.2.77")).status).toBe(200);
  });

  it("does not let anyone sign up without an invitation", async () => {
    const res = await auth.handler(
      new Request(`${ORIGIN}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN },
        body: JSON.stringify({ email: uniqueEmail("mallory"), password: PASSWORD, name: "Mallory" }),
      }),
    );
    expect(res.status).toBe(403);
    expect((await res.json()).message).toMatch(/created by invitation/);
  });
});

describe("API tokens", () => {
  it("acts for its one workspace with a role no higher than its creator's, until revoked or expired", async () => {
    const fay = await person("fay");
    const ws = await createWorkspace(db, "Fay Books", fay.id, actor);
    const other = await createWorkspace(db, "Fay Other", fay.id, actor);
    const gus = await person("gus");
    await addMember(db.sql, ws.id, gus.id, "editor");
    await expect(createToken(db, { workspaceId: ws.id, userId: gus.id, creatorRole: "editor", name: "too high", role: "admin", expiresInDays: null, actor })).rejects.toThrow(TokenRoleError);
    const token = await createToken(db, { workspaceId: ws.id, userId: gus.id, creatorRole: "editor", name: "ci", role: "editor", expiresInDays: 30, actor });
    expect(token.token).toMatch(/^llt_/);
    const [stored] = await db.sql<{ token_hash: string; prefix: string }[]>`select token_hash, prefix from api_tokens where id = ${token.id}`;
    expect(stored!.token_hash).not.toContain(token.token.slice(4));
    expect(token.token.startsWith(stored!.prefix)).toBe(true);

    const auth1 = new Headers({ authorization: `Bearer ${token.token}` });
    const resolved = await resolveRequest(db, auth, auth1);
    expect(resolved.caller).toMatchObject({ kind: "token", tokenId: token.id, tokenName: "ci", userId: gus.id });
    expect(resolved.workspace).toMatchObject({ id: ws.id, role: "editor" });
    // Bound to its workspace.
    expect((await resolveRequest(db, auth, new Headers({ authorization: `Bearer ${token.token}`, [WORKSPACE_HEADER]: other.id }))).workspace).toBeNull();
    // The creator's role drops: so does the token's.
    await changeMemberRole(db, { workspaceId: ws.id, userId: gus.id, role: "viewer", actorRole: "owner", actor });
    expect((await resolveRequest(db, auth, auth1)).workspace?.role).toBe("viewer");
    // Unknown, revoked, expired: nobody.
    expect((await resolveRequest(db, auth, new Headers({ authorization: `Bearer llt_${"A".repeat(43)}` }))).caller).toBeNull();
    await db.sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${token.id}`;
    expect((await resolveRequest(db, auth, auth1)).caller).toBeNull();
    await db.sql`update api_tokens set expires_at = null, revoked_at = now() where id = ${token.id}`;
    expect((await resolveRequest(db, auth, auth1)).caller).toBeNull();
  });
});

describe("members", () => {
  it("keeps the last owner and lets only owners touch owners", async () => {
    const hal = await person("hal");
    const ivy = await person("ivy");
    const ws = await createWorkspace(db, "Hal Books", hal.id, actor);
    await addMember(db.sql, ws.id, ivy.id, "admin");
    await expect(removeMember(db, { workspaceId: ws.id, userId: hal.id, actorUserId: hal.id, actorRole: "owner", actor })).rejects.toThrow(/last owner/);
    await expect(changeMemberRole(db, { workspaceId: ws.id, userId: hal.id, role: "viewer", actorRole: "owner", actor })).rejects.toThrow(/last owner/);
    await expect(removeMember(db, { workspaceId: ws.id, userId: hal.id, actorUserId: ivy.id, actorRole: "admin", actor })).rejects.toThrow(MembershipError);
    await expect(changeMemberRole(db, { workspaceId: ws.id, userId: ivy.id, role: "owner", actorRole: "admin", actor })).rejects.toThrow(/Only an owner/);
    await changeMemberRole(db, { workspaceId: ws.id, userId: ivy.id, role: "owner", actorRole: "owner", actor });
    await removeMember(db, { workspaceId: ws.id, userId: hal.id, actorUserId: hal.id, actorRole: "owner", actor });
    const rows = await db.sql`select role from memberships where workspace_id = ${ws.id}`;
    expect(rows.map((r) => r.role)).toEqual(["owner"]);
  });
});

describe("two-factor", () => {
  it("turns TOTP on with a first code, then asks for a code at sign-in; a workspace can require it", async () => {
    const kim = await person("kim");
    const ws = await createWorkspace(db, "Kim Books", kim.id, actor);
    const cookie = cookieOf(await signIn(kim.email, PASSWORD));
    const post = (path: string, body: unknown, cookieHeader: string) =>
      auth.handler(new Request(`${ORIGIN}/api/auth${path}`, { method: "POST", headers: { "content-type": "application/json", origin: ORIGIN, cookie: cookieHeader }, body: JSON.stringify(body) }));

    // Required by the workspace: without two-factor, no workspace.
    await setRequireTwoFactor(db, ws.id, true, actor);
    expect((await resolveRequest(db, auth, new Headers({ cookie }))).workspace).toBeNull();

    expect((await post("/two-factor/enable", { password: "wrong password here" }, cookie)).status).toBe(400);
    const enabled = await post("/two-factor/enable", { password: PASSWORD }, cookie);
    expect(enabled.status).toBe(200);
    const { totpURI, backupCodes } = (await enabled.json()) as { totpURI: string; backupCodes: string[] };
    expect(backupCodes.length).toBeGreaterThan(5);
    expect((await post("/two-factor/verify-totp", { code: "000000" === totpCode(totpURI) ? "111111" : "000000" }, cookie)).status).toBe(401);
    expect((await post("/two-factor/verify-totp", { code: totpCode(totpURI) }, cookie)).status).toBe(200);
    const [row] = await db.sql<{ two_factor_enabled: boolean }[]>`select two_factor_enabled from users where id = ${kim.id}`;
    expect(row!.two_factor_enabled).toBe(true);

    // Sign-in now stops after the password: no session until the code.
    const first = await signIn(kim.email, PASSWORD);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ twoFactorRedirect: true });
    const pending = cookieOf(first);
    expect((await resolveRequest(db, auth, new Headers({ cookie: pending }))).caller).toBeNull();
    const verified = await post("/two-factor/verify-totp", { code: totpCode(totpURI) }, pending);
    expect(verified.status).toBe(200);
    const session = cookieOf(verified);
    const resolved = await resolveRequest(db, auth, new Headers({ cookie: session }));
    expect(resolved.caller).toMatchObject({ userId: kim.id });
    expect(resolved.workspace).toMatchObject({ id: ws.id, role: "owner" });
  });
});

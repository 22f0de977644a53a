/**
 * The admin CLI as operators script it, run as a real process on the test database: `user create`
 * creates the workspace and makes its first member owner, a second member gets the role asked for,
 * `token create` prints the token alone on the last line and that token works as a Bearer token
 * with its role; bad input exits 2 with the reason and changes nothing.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Db } from "../db/client";
import { createAuth } from "../engine/auth/better-auth";
import { resolveRequest } from "../engine/auth/request";
import { testDb } from "../engine/test/helpers";

const run = promisify(execFile);
const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
let db: Db;

async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, ["scripts/admin.ts", ...args], { env: { ...process.env, DATABASE_URL: inject("databaseUrl") }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db.close();
});

describe("npm run admin", () => {
  it("creates users, workspaces and tokens the way scripts expect", async () => {
    const workspace = `CLI Books ${randomUUID().slice(0, 6)}`;
    const owner = `owner.${randomUUID().slice(0, 6)}@cli.test`;
    const editor = `editor.${randomUUID().slice(0, 6)}@cli.test`;

    const first = await admin("user", "create", "--email", owner, "--password", "owner-password-1", "--workspace", workspace, "--role", "viewer");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${owner} is owner in "${workspace}"`);
    const second = await admin("user", "create", "--email", editor, "--password", "editor-password-1", "--workspace", workspace, "--role", "editor");
    expect(second.code).toBe(0);
    const roles = await db.sql<{ email: string; role: string }[]>`
      select u.email, m.role from memberships m join users u on u.id = m.user_id join workspaces w on w.id = m.workspace_id where w.name = ${workspace} order by u.email`;
    expect(roles).toEqual([{ email: editor, role: "editor" }, { email: owner, role: "owner" }]);

    const tooHigh = await admin("token", "create", "--email", editor, "--workspace", workspace, "--role", "admin");
    expect(tooHigh.code).toBe(2);
    expect(tooHigh.stderr).toContain("a token's role can be at most that");

    const made = await admin("token", "create", "--email", editor, "--workspace", workspace, "--role", "operator", "--expires", "30");
    expect(made.code).toBe(0);
    const token = made.stdout.trim().split("\n").at(-1)!;
    expect(token).toMatch(/^llt_[A-Za-z0-9_-]{43}$/);
    const resolved = await resolveRequest(db, createAuth(db, { publicUrl: "http://cli.test" }), new Headers({ authorization: `Bearer ${token}` }));
    expect(resolved.workspace).toMatchObject({ name: workspace, role: "operator" });
    expect(resolved.caller).toMatchObject({ kind: "token", email: editor });
    const [stored] = await db.sql<{ n: number }[]>`select count(*)::int as n from api_tokens where token_hash = ${token}`;
    expect(stored!.n).toBe(0);

    const reset = await admin("user", "set-password", "--email", editor, "--password", "short");
    expect(reset.code).toBe(2);
    expect(reset.stderr).toContain("at least 10 characters");
    const unknown = await admin("user", "remove", "--email", editor);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command: user remove");
  });
});

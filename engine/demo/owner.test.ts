/**
 * The demo owner's password: generated once into the data folder (mode 0600) and usable to sign
 * in; a second start neither prints nor changes it.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { createAuth } from "../auth/better-auth";
import { ensureUser } from "../auth/users";
import { testDb } from "../test/helpers";
import { ensureDemoOwnerPassword } from "./owner";
import { DEMO_USER } from "./seed";

let db: Db;
let dir: string;

beforeAll(async () => {
  db = testDb();
  dir = await mkdtemp(path.join(tmpdir(), "ledgerline-demo-owner-"));
});
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

describe("demo owner password", () => {
  it("is generated once, kept with mode 0600, and signs in", async () => {
    await ensureUser(db.sql, { email: DEMO_USER.email, name: DEMO_USER.name });
    const first = await ensureDemoOwnerPassword(db, dir);
    expect(first.password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect((await readFile(first.file, "utf8")).trim()).toBe(first.password);

    const second = await ensureDemoOwnerPassword(db, dir);
    expect(second.password).toBeNull();

    const origin = "http://demo.test";
    const auth = createAuth(db, { publicUrl: origin });
    const res = await auth.handler(
      new Request(`${origin}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin },
        body: JSON.stringify({ email: DEMO_USER.email, password: first.password }),
      }),
    );
    expect(res.status).toBe(200);
  });
});

/**
 * Connections through the appRouter as real members: roles, workspace isolation, secrets that
 * never come back, secrets entered again when the endpoint moves (checked on the wire: the new
 * host never sees the old secrets), endpoints outside the allowed hosts refused at save time, and
 * an audit event per change without secret values. Real PostgreSQL, real Avalara sandbox.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox as createAvalara } from "../../../connectors/avalara/sandbox";
import { DEMO } from "../../../connectors/avalara/sandbox/seed";
import type { SandboxServer } from "../../../connectors/sdk";
import { decryptJson, encryptJson } from "../../../db/crypto";
import { createWorkspace, testDb } from "../../../engine/test/helpers";
import { member, type Member } from "../test/caller";

const db = testDb();
let avalara: SandboxServer;
let elsewhere: Server;
let elsewhereUrl: string;
const elsewhereSaw: { headers: IncomingHttpHeaders; body: string }[] = [];
let workspaceId: string;
let admin: Member;
let operator: Member;
let viewer: Member;
let otherAdmin: Member;

beforeAll(async () => {
  avalara = await createAvalara().listen(0);
  // "The new host": records what reaches it.
  elsewhere = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      elsewhereSaw.push({ headers: req.headers, body });
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "AuthenticationException", message: "no" } }));
    });
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
  elsewhereUrl = `http://localhost:${(elsewhere.address() as AddressInfo).port}`;
  workspaceId = await createWorkspace(db, "Connections");
  admin = await member(db, workspaceId, "admin");
  operator = await member(db, workspaceId, "operator");
  viewer = await member(db, workspaceId, "viewer");
  otherAdmin = await member(db, await createWorkspace(db, "Other"), "admin");
});
afterAll(async () => {
  await avalara.close();
  await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
  await db.close();
});

const demoSecrets = { accountId: DEMO.accountId, licenseKey: DEMO.licenseKey };
const custom = (baseUrl: string) => ({ environment: "custom", baseUrl });

async function stored(id: string) {
  const [row] = await db.sql<{ secretsEnc: string; stateEnc: string | null; status: string; config: Record<string, unknown> }[]>`
    select secrets_enc as "secretsEnc", state_enc as "stateEnc", status, config from connections where id = ${id}`;
  return { ...row!, secrets: decryptJson<Record<string, unknown>>(row!.secretsEnc) };
}

function basicUser(headers: IncomingHttpHeaders): string {
  return Buffer.from(String(headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
}

describe("connections", () => {
  it("lists for a viewer without secret values; only an admin creates, changes or deletes", async () => {
    const { id } = await admin.caller.connections.create({ system: "avalara", name: "AvaTax", config: custom(avalara.url), secrets: demoSecrets });
    const listed = await viewer.caller.connections.list();
    const row = listed.find((c) => c.id === id)!;
    expect(row.secretFields.sort()).toEqual(["accountId", "licenseKey"]);
    expect(JSON.stringify(listed)).not.toContain(DEMO.licenseKey);

    await expect(viewer.caller.connections.create({ system: "avalara", name: "X", config: custom(avalara.url), secrets: demoSecrets })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(operator.caller.connections.update({ id, name: "Renamed" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.caller.connections.test({ id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(operator.caller.connections.delete({ id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const tested = await operator.caller.connections.test({ id });
    expect(tested.ok).toBe(true);
    expect(JSON.stringify(tested)).not.toContain(DEMO.licenseKey);
  });

  it("needs the secrets again when the base URL changes; the new host never sees the old ones", async () => {
    const { id } = await admin.caller.connections.create({ system: "avalara", name: "Moving", config: custom(avalara.url), secrets: demoSecrets });
    await db.sql`update connections set state_enc = ${encryptJson({ cached: "token" })} where id = ${id}`;

    await expect(admin.caller.connections.update({ id, config: custom(elsewhereUrl) })).rejects.toThrow(
      /Changing baseUrl changes where the credentials are sent: enter the credentials again \(accountId, licenseKey\)/,
    );
    await expect(admin.caller.connections.update({ id, config: custom(elsewhereUrl), secrets: { accountId: "", licenseKey: "" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // Nothing changed: the connection still points at the sandbox, with its secrets and cache.
    const unchanged = await stored(id);
    expect(unchanged.config.baseUrl).toBe(avalara.url);
    expect(unchanged.secrets).toEqual(demoSecrets);
    expect(unchanged.stateEnc).not.toBeNull();
    expect((await admin.caller.connections.test({ id })).ok).toBe(true);
    expect(elsewhereSaw).toHaveLength(0);

    // Switching environment is a move too.
    await expect(admin.caller.connections.update({ id, config: { environment: "production" } })).rejects.toThrow(/Changing environment, baseUrl/);

    // With new secrets given: only those are stored, the token cache is gone, Test sends only them.
    const result = await admin.caller.connections.update({ id, config: custom(elsewhereUrl), secrets: { username: "new.user@example.com", password: "n3w-pass" } });
    expect(result.endpointChanged).toEqual(["baseUrl"]);
    const moved = await stored(id);
    expect(moved.secrets).toEqual({ username: "new.user@example.com", password: "n3w-pass" });
    expect(moved.stateEnc).toBeNull();
    expect(moved.status).toBe("untested");
    const tested = await admin.caller.connections.test({ id });
    expect(tested.ok).toBe(false);
    expect(elsewhereSaw.length).toBeGreaterThan(0);
    for (const seen of elsewhereSaw) {
      expect(basicUser(seen.headers)).toBe("new.user@example.com:n3w-pass");
      expect(JSON.stringify(seen)).not.toContain(DEMO.licenseKey);
      expect(JSON.stringify(seen)).not.toContain(Buffer.from(`${DEMO.accountId}:${DEMO.licenseKey}`).toString("base64"));
    }

    // Changing a non-endpoint setting keeps the secrets.
    await admin.caller.connections.update({ id, config: { ...custom(elsewhereUrl), timeoutMs: 5000 } });
    expect((await stored(id)).secrets).toEqual({ username: "new.user@example.com", password: "n3w-pass" });
  });

  it("needs the secrets again when Commerce's IMS token URL or deployment, or Exact's region, changes", async () => {
    const commerce = await admin.caller.connections.createSandbox({ system: "commerce", name: "Shop" });
    const shop = await stored(commerce.id);
    await expect(admin.caller.connections.update({ id: commerce.id, config: { ...shop.config, imsTokenUrl: "http://localhost:9/ims/token/v3" } })).rejects.toThrow(/Changing imsTokenUrl/);
    await expect(admin.caller.connections.update({ id: commerce.id, config: { ...shop.config, deployment: "saas" } })).rejects.toThrow(/Changing deployment/);
    await admin.caller.connections.update({ id: commerce.id, config: { ...shop.config, pageSize: 50 } });

    const exact = await admin.caller.connections.createSandbox({ system: "exact", name: "Books" });
    const books = await stored(exact.id);
    await expect(admin.caller.connections.update({ id: exact.id, config: { ...books.config, region: "NL" } })).rejects.toThrow(/Changing region/);
    await admin.caller.connections.update({ id: exact.id, config: { ...books.config, region: "NL" }, secrets: { clientSecret: "another-secret" } });
    expect((await stored(exact.id)).secrets).toEqual({ clientSecret: "another-secret" });
  });

  it("refuses endpoints outside the system's official hosts, and metadata addresses whatever is allowed", async () => {
    const attempt = (baseUrl: string) => admin.caller.connections.create({ system: "avalara", name: `To ${baseUrl}`, config: custom(baseUrl), secrets: demoSecrets });
    await expect(attempt("http://169.254.169.254/latest")).rejects.toThrow(/link-local, metadata or reserved address/);
    await expect(attempt("https://avatax.evil.example")).rejects.toThrow(/not an official Avalara AvaTax host/);
    await expect(attempt("http://10.0.0.8:4102")).rejects.toThrow(/private network address/);
    const { id } = await admin.caller.connections.create({ system: "avalara", name: "Production", config: { environment: "production" }, secrets: demoSecrets });
    await expect(admin.caller.connections.update({ id, config: custom("http://metadata.google.internal/"), secrets: demoSecrets })).rejects.toThrow(/metadata/);
    await expect(admin.caller.connections.create({ system: "intacct", name: "Gateway", config: { baseUrl: "https://api.intacct.com.evil.example", senderId: "s", companyId: "c", userId: "u" }, secrets: { senderPassword: "a", userPassword: "b" } })).rejects.toThrow(/not an official Sage Intacct host/);

    const before = process.env.LEDGERLINE_ALLOWED_HOSTS;
    process.env.LEDGERLINE_ALLOWED_HOSTS = "avatax.evil.example, 169.254.169.254";
    try {
      await expect(attempt("https://avatax.evil.example")).resolves.toMatchObject({ id: expect.any(String) });
      await expect(attempt("http://169.254.169.254/latest")).rejects.toThrow(/never reachable/);
    } finally {
      if (before === undefined) delete process.env.LEDGERLINE_ALLOWED_HOSTS;
      else process.env.LEDGERLINE_ALLOWED_HOSTS = before;
    }
  });

  it("keeps each workspace's connections to itself", async () => {
    const { id } = await admin.caller.connections.create({ system: "avalara", name: "Mine", config: custom(avalara.url), secrets: demoSecrets });
    expect((await otherAdmin.caller.connections.list()).map((c) => c.id)).not.toContain(id);
    await expect(otherAdmin.caller.connections.update({ id, name: "Stolen" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(otherAdmin.caller.connections.test({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(otherAdmin.caller.connections.delete({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(otherAdmin.caller.connections.connect({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(otherAdmin.caller.connections.picker({ connectionId: id, picker: "companies" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const [row] = await db.sql<{ name: string }[]>`select name from connections where id = ${id}`;
    expect(row!.name).toBe("Mine");
  });

  it("writes an audit event per change, with the actor and IP and no secret values", async () => {
    const { id } = await admin.caller.connections.create({ system: "avalara", name: "Audited", config: custom(avalara.url), secrets: demoSecrets });
    await admin.caller.connections.update({ id, name: "Audited 2", secrets: { licenseKey: "B2C3D4E5F6071829" } });
    await operator.caller.connections.test({ id });
    await admin.caller.connections.delete({ id });
    const events = await db.sql<{ action: string; actor: string; ip: string | null; data: unknown }[]>`
      select action, actor, ip, data from audit_events where workspace_id = ${workspaceId} and entity_id = ${id} order by id`;
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ["connection.created", admin.actor],
      ["connection.updated", admin.actor],
      ["connection.tested", operator.actor],
      ["connection.deleted", admin.actor],
    ]);
    expect(events.every((e) => e.ip === "203.0.113.7")).toBe(true);
    expect(events[1]!.data).toMatchObject({ changes: { name: { from: "Audited", to: "Audited 2" } }, secretFieldsReplaced: ["licenseKey"] });
    const text = JSON.stringify(events);
    expect(text).not.toContain(DEMO.licenseKey);
    expect(text).not.toContain("B2C3D4E5F6071829");
  });
});

/**
 * The demo workspace seed over real sandboxes and PostgreSQL: what it creates, that a second start
 * changes nothing, that a moved sandbox is followed, and that the seeded flows post end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox as createExact } from "../../connectors/exact/sandbox";
import { Redactor, type SandboxServer } from "../../connectors/sdk";
import { decryptJson } from "../../db/crypto";
import { buildEnv, loadConnection } from "../connections";
import { activateFlow, validateForWorkspace } from "../flows";
import { executeRun } from "../executor/run";
import { registry } from "../registry";
import { templates } from "../templates";
import { runRecords, sandboxPost, sandboxState, startSandboxes, type Sandboxes } from "../templates/test-helpers";
import { testDb } from "../test/helpers";
import { tick } from "../triggers";
import { DEMO_WORKSPACE_SLUG, seedDemoWorkspace } from "./seed";

const db = testDb();
let sb: Sandboxes;
let workspaceId: string;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  sb = await startSandboxes();
  workspaceId = await seedDemoWorkspace(db, { sandboxUrls: sb.urls });
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

async function counts() {
  const [row] = await db.sql<{ workspaces: number; users: number; memberships: number; connections: number; flows: number; tables: number; rows: number }[]>`
    select (select count(*)::int from workspaces where slug = ${DEMO_WORKSPACE_SLUG}) as workspaces,
           (select count(*)::int from users where email = 'demo@ledgerline.example') as users,
           (select count(*)::int from memberships where workspace_id = ${workspaceId}) as memberships,
           (select count(*)::int from connections where workspace_id = ${workspaceId}) as connections,
           (select count(*)::int from flows where workspace_id = ${workspaceId}) as flows,
           (select count(*)::int from lookup_tables where workspace_id = ${workspaceId}) as tables,
           (select count(*)::int from lookup_rows where workspace_id = ${workspaceId}) as rows`;
  return row!;
}

async function connectionOf(system: string) {
  const [row] = await db.sql<{ id: string; name: string; status: string; config: Record<string, unknown>; secrets_enc: string; state_enc: string | null }[]>`
    select id::text, name, status, config, secrets_enc, state_enc from connections where workspace_id = ${workspaceId} and system = ${system}`;
  return row!;
}

async function testConnection(system: string) {
  const connection = await loadConnection(db, workspaceId, (await connectionOf(system)).id);
  const client = connection.connector.createClient(buildEnv(db, connection, { log: silent, signal: new AbortController().signal, redactor: new Redactor() }));
  return connection.connector.test(client);
}

async function flowOf(templateId: string) {
  const [row] = await db.sql<{ id: string; version_id: string; definition: unknown }[]>`
    select f.id::text, v.id::text as version_id, v.definition from flows f join flow_versions v on v.flow_id = f.id
    where f.workspace_id = ${workspaceId} and f.template_id = ${templateId} order by v.version desc limit 1`;
  return row!;
}

describe("seedDemoWorkspace", () => {
  it("creates the workspace, the demo user, one encrypted sandbox connection per system and a flow per template", async () => {
    const [workspace] = await db.sql`select name, slug from workspaces where id = ${workspaceId}`;
    expect(workspace).toEqual({ name: "Demo Finance Co", slug: "demo" });
    expect(await counts()).toMatchObject({ workspaces: 1, users: 1, memberships: 1, connections: 4, flows: templates.length });
    for (const system of ["intacct", "avalara", "exact", "commerce"]) {
      const row = await connectionOf(system);
      expect(row.status).toBe("untested");
      expect(row.secrets_enc).toMatch(/^v1\./);
      expect(decryptJson(row.secrets_enc)).toEqual(registry.connector(system)!.sandbox!(sb.urls[system as keyof typeof sb.urls]).secrets);
      expect(await testConnection(system), system).toMatchObject({ ok: true });
    }
    for (const template of templates) {
      const flow = await flowOf(template.id);
      expect((await validateForWorkspace(db, workspaceId, flow.definition)).problems, template.id).toEqual([]);
    }
  });

  it("completes Exact's OAuth connect: the token pair is in the encrypted connection state", async () => {
    const exact = await connectionOf("exact");
    expect(exact.state_enc).toMatch(/^v1\./);
    const state = decryptJson<Record<string, unknown>>(exact.state_enc!);
    expect(JSON.stringify(state)).toMatch(/access/i);
    expect(await testConnection("exact")).toMatchObject({ ok: true, details: { division: 1001 } });
  });

  it("changes nothing on the next start, and follows a sandbox that moved to another port", async () => {
    const before = await counts();
    expect(await seedDemoWorkspace(db, { sandboxUrls: sb.urls })).toBe(workspaceId);
    expect(await counts()).toEqual(before);

    const moved = createExact();
    let server: SandboxServer | undefined;
    try {
      server = await moved.listen(0);
      await seedDemoWorkspace(db, { sandboxUrls: { ...sb.urls, exact: server.url } });
      expect(await counts()).toEqual(before);
      expect((await connectionOf("exact")).config).toMatchObject({ baseUrl: server.url });
      expect(await testConnection("exact")).toMatchObject({ ok: true });
    } finally {
      await seedDemoWorkspace(db, { sandboxUrls: sb.urls });
      await server?.close();
    }
    expect((await connectionOf("exact")).config).toMatchObject({ baseUrl: sb.urls.exact });
  });

  it("runs the seeded flows end to end: tax journal in Exact, tax through AR in Intacct, AP bill for a Commerce order", async () => {
    // Exact: an invoice to Lone Star Components (Austin TX).
    const exactFlow = await flowOf("exact-invoice-avalara-journal");
    const lonestar = sb.exact.world.regions.get("us")!.divisions.get(1001)!.accounts.find((a) => a.Name === "Lone Star Components Inc.")!.ID;
    const invoice = (await sandboxPost(sb.urls.exact, "/__sandbox/invoices", {
      invoice: { InvoiceTo: lonestar, SalesInvoiceLines: [{ ItemCode: "LIC-PRO", Quantity: 1 }] },
    })) as { InvoiceID: string };
    const [exactRun] = await runRecords(db, { workspaceId, flowId: exactFlow.id, versionId: exactFlow.version_id }, [
      { key: `exact:1001:${invoice.InvoiceID}`, version: "1", data: { division: 1001, invoiceId: invoice.InvoiceID, action: "Create" } },
    ]);
    expect(exactRun!.status).toBe("succeeded");
    const exactState = await sandboxState(sb.urls.exact);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const entries = exactState.regions.us.divisions.find((d: any) => d.code === 1001).journalEntries;
    expect(entries).toHaveLength(1);
    // 12,000 licence in Austin TX: 750.00 state, 120.00 city, 120.00 transit.
    expect(entries[0].lines.map((l: { GLAccountCode: string; AmountFC: number }) => [l.GLAccountCode, l.AmountFC])).toEqual([
      ["2230", -750],
      ["2250", -120],
      ["2250", -120],
      ["4100", 990],
    ]);

    // Intacct: switch the poll on, one tick, Globex's invoice.
    const intacctFlow = await flowOf("intacct-sales-avalara-gl");
    await activateFlow(db, workspaceId, intacctFlow.id);
    expect((await tick(db, intacctFlow.id)).created).toBe(7);
    const [globex] = await db.sql<{ id: string }[]>`select id::text from runs where flow_id = ${intacctFlow.id} and record_label = 'Sales Invoice-SI-1002'`;
    expect((await executeRun(db, globex!.id)).status).toBe("succeeded");
    const intacctRecords = (await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"].records;
    expect(intacctRecords.GLBATCH).toEqual([]);
    // The tax reaches Globex's AR balance: a debit memo against customer C200 and invoice SI-1002.
    expect(intacctRecords.ARADJUSTMENT.map((a: { CUSTOMERID: string; DOCNUMBER: string; ADJUSTMENTTYPE: string; TOTALENTERED: string }) => [a.CUSTOMERID, a.DOCNUMBER, a.ADJUSTMENTTYPE, a.TOTALENTERED])).toEqual([
      ["C200", "SI-1002", "Debit Memo", "532.50"],
    ]);

    // Commerce: a guest order becomes a bill under a vendor created for the guest's e-mail.
    const commerceFlow = await flowOf("commerce-order-intacct-ap-bill");
    const { order } = (await sandboxPost(sb.urls.commerce, "/__sandbox/orders", { customerId: null, lines: [{ sku: "TONER-BK-XL", qty: 2 }] })) as {
      order: { entity_id: number; increment_id: string; updated_at: string; grand_total: number };
    };
    const [commerceRun] = await runRecords(db, { workspaceId, flowId: commerceFlow.id, versionId: commerceFlow.version_id }, [
      { key: `commerce:order:${order.entity_id}`, version: order.updated_at, data: { entity: "order", entityId: order.entity_id } },
    ]);
    expect(commerceRun!.status).toBe("succeeded");
    const bills = (await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"].records.APBILL;
    expect(bills.map((b: { RECORDID: string; TOTALENTERED: string }) => [b.RECORDID, b.TOTALENTERED])).toEqual([[`COM-${order.increment_id}`, order.grand_total.toFixed(2)]]);

    // Connections that were "untested" after seeding are marked working by their first successful calls.
    const statuses = await db.sql<{ system: string; status: string }[]>`
      select system, status from connections where workspace_id = ${workspaceId} order by system`;
    expect(Object.fromEntries(statuses.map((c) => [c.system, c.status]))).toEqual({ avalara: "ok", commerce: "ok", exact: "ok", intacct: "ok" });
  });
});

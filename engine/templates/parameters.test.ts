/**
 * Templates outside the demo workspace: nothing of the sandboxes' demo books (offset accounts,
 * journals, tax company, terms, mapping rows) gets into a real workspace's flow. Real PostgreSQL.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createWorkspace, testDb } from "../test/helpers";
import { instantiateTemplate, templateParameters, templates, templateVersion } from "./index";

const db = testDb();
afterAll(async () => {
  await db.close();
});

/** A value per parameter that no demo value uses. */
const realValues = (templateId: string) =>
  Object.fromEntries(templateParameters(templates.find((t) => t.id === templateId)!).map((p, i) => [p.key, `REAL-${p.key}-${i}`]));

describe("templates in a workspace that is not the demo", () => {
  it("every template asks for its offset accounts, journals, tax company or terms", () => {
    const keys = Object.fromEntries(templates.map((t) => [t.id, templateParameters(t).map((p) => p.key)]));
    expect(keys).toEqual({
      "exact-invoice-avalara-journal": ["offsetAccount", "journalCode", "companyCode"],
      "exact-invoice-avalara-journal-poll": ["offsetAccount", "journalCode", "companyCode"],
      "intacct-sales-avalara-gl": ["companyCode"],
      "intacct-sales-avalara-gl-summary": ["companyCode", "journal"],
      "intacct-bill-avalara-use-tax": ["companyCode", "journal"],
      "commerce-order-intacct-ap-bill": ["shippingAccount", "taxAccount", "billTerms"],
      "commerce-b2b-po-intacct-po": ["transactionType"],
      // Master data syncs: nothing of the books to ask for, only the mapping tables.
      "commerce-company-intacct-vendor": [],
      "intacct-vendor-commerce-company": [],
      "intacct-customer-avalara-customer": [],
      "avalara-exemption-intacct-customer": [],
    });
  });

  const withParameters = templates.filter((t) => templateParameters(t).length > 0);

  it.each(withParameters.map((t) => [t.id]))("%s without parameters is refused, naming what is missing, and creates nothing", async (templateId) => {
    const ws = await createWorkspace(db, `Real books ${templateId}`);
    const template = templates.find((t) => t.id === templateId)!;
    const labels = templateParameters(template).map((p) => p.label);
    const refusal = instantiateTemplate(db, ws, templateId);
    await expect(refusal).rejects.toThrow(`template "${template.title}" needs: `);
    const message = await refusal.catch((e: Error) => e.message);
    for (const label of labels) expect(message).toContain(label);
    // Some of the values (or blanks) is still refused, naming only the rest.
    const [first, ...rest] = templateParameters(template);
    const blanks = Object.fromEntries(rest.map((p) => [p.key, "  "]));
    const partial = await instantiateTemplate(db, ws, templateId, { parameters: { ...blanks, [first!.key]: rest.length ? "X1" : " " } }).catch((e: Error) => e.message);
    for (const p of rest.length ? rest : [first!]) expect(partial).toContain(p.label);
    if (rest.length) expect(partial).not.toContain(first!.label);
    const [counts] = await db.sql<{ flows: number; tables: number }[]>`
      select (select count(*)::int from flows where workspace_id = ${ws}) as flows,
             (select count(*)::int from lookup_tables where workspace_id = ${ws}) as tables`;
    expect(counts).toEqual({ flows: 0, tables: 0 });
  });

  it.each(templates.map((t) => [t.id]))("%s with parameters uses them, nothing demo-specific, and records the template version", async (templateId) => {
    const ws = await createWorkspace(db, `Real books with values ${templateId}`);
    const template = templates.find((t) => t.id === templateId)!;
    const values = realValues(templateId);
    const created = await instantiateTemplate(db, ws, templateId, { parameters: values });

    const [flow] = await db.sql<{ template_id: string; template_version: number; definition: unknown }[]>`
      select f.template_id, f.template_version, v.definition from flows f join flow_versions v on v.id = ${created.versionId}
      where f.id = ${created.flowId} and f.workspace_id = ${ws}`;
    expect(flow!.template_id).toBe(templateId);
    expect(flow!.template_version).toBe(templateVersion(template));

    const text = JSON.stringify(flow!.definition);
    for (const value of Object.values(values)) expect(text).toContain(value);
    for (const parameter of templateParameters(template)) {
      // The demo value appears nowhere as a JSON string or a JSONata string literal.
      expect(text).not.toContain(JSON.stringify(parameter.demo));
      expect(text).not.toContain(JSON.stringify(JSON.stringify(parameter.demo)).slice(1, -1));
    }
    // The mapping tables are created empty: the wizard fills them from the connected systems.
    const rows = await db.sql<{ n: number }[]>`select count(*)::int as n from lookup_rows where workspace_id = ${ws}`;
    expect(rows[0]!.n).toBe(0);
    const tables = await db.sql<{ n: number }[]>`select count(*)::int as n from lookup_tables where workspace_id = ${ws}`;
    expect(tables[0]!.n).toBe(template.tables.length);
  });

  it("the demo workspace gets the demo values and rows", async () => {
    const ws = await createWorkspace(db, "Demo-like");
    const created = await instantiateTemplate(db, ws, "commerce-order-intacct-ap-bill", { demo: true });
    const [version] = await db.sql<{ definition: unknown }[]>`select definition from flow_versions where id = ${created.versionId}`;
    const text = JSON.stringify(version!.definition);
    expect(text).toContain(JSON.stringify(JSON.stringify("6200")).slice(1, -1));
    expect(text).toContain('"termName":"Net 30"');
    const rows = await db.sql<{ n: number }[]>`select count(*)::int as n from lookup_rows where workspace_id = ${ws}`;
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});

/**
 * B2B company master data against the sandbox over HTTP: the companies poll starts runs only for
 * changes of its watched fields, and Update B2B company PUTs the saved company with only the
 * fields that differ (nothing when it already matches), with Magento's error for a blank field.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PermanentError, type TriggerContext } from "../sdk";
import type { CommerceClient } from "./client";
import { companiesUpdated } from "./nodes/companiesUpdated";
import { updateCompany } from "./nodes/updateCompany";
import { admin, makeClient, startHarness, T0, type Harness } from "./testkit";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  h.clock.now = T0;
  await admin(h, "POST", "/__sandbox/reset", {});
});

function triggerCtx(client: CommerceClient): TriggerContext<CommerceClient> {
  const noop = () => undefined;
  return { client, log: { info: noop, warn: noop, error: noop }, signal: new AbortController().signal, workspaceId: "w", flowId: "f", nodeId: "n" };
}
const poll = (client: CommerceClient, checkpoint: unknown) => companiesUpdated.trigger!.poll!(triggerCtx(client), companiesUpdated.config.parse({}), checkpoint);
const run = (ctx: ReturnType<typeof makeClient>["ctx"], input: unknown) => updateCompany.run(ctx, updateCompany.input.parse(input), {});

describe("commerce.companiesUpdated", () => {
  it("records where companies stand, then starts a run only for a change of a watched field", async () => {
    const { client } = makeClient(h, "oauth1");
    const first = await poll(client, null);
    expect(first.records).toEqual([]);
    await admin(h, "POST", "/__sandbox/companies/2/edit", { vat_tax_id: "DE000000001" });
    expect((await poll(client, first.checkpoint)).records).toEqual([]);
    await admin(h, "POST", "/__sandbox/companies/2/edit", { company_email: "kreditoren@bergmann.example" });
    const second = await poll(client, first.checkpoint);
    expect(second.records.map((r) => [r.key, r.label])).toEqual([["commerce:company:2", "Company Bergmann Industriebedarf"]]);
    expect((await poll(client, second.checkpoint)).records).toEqual([]);
  });
});

describe("commerce.updateCompany", () => {
  it("PUTs the saved company with only the changed field, then sends nothing for the same values", async () => {
    const { ctx, env } = makeClient(h, "adminToken");
    const out = await run(ctx, { companyId: 2, changeKey: "v1", fields: { vatTaxId: "DE811907981", email: "buchhaltung@bergmann.example" } });
    expect(out).toEqual({ companyId: 2, changed: ["vatTaxId"] });
    const put = env.calls.find((c) => c.method === "PUT");
    expect(put?.url).toMatch(/\/rest\/default\/V1\/company\/2$/);
    const sent = JSON.parse(put!.requestBody!) as { company: Record<string, unknown> };
    expect(sent.company).toMatchObject({ id: 2, vat_tax_id: "DE811907981", company_name: "Bergmann Industriebedarf", company_email: "buchhaltung@bergmann.example", street: ["Leopoldstraße 12"] });
    const again = makeClient(h, "adminToken");
    expect(await again.client.getCompany(2)).toMatchObject({ vatTaxId: "DE811907981", email: "buchhaltung@bergmann.example", name: "Bergmann Industriebedarf" });
    expect(await run(again.ctx, { companyId: 2, changeKey: "v2", fields: { vatTaxId: "DE811907981" } })).toEqual({ companyId: 2, changed: [] });
    expect(again.env.calls.some((c) => c.method === "PUT")).toBe(false);
  });

  it("a blank required field is refused with Magento's message and changes nothing", async () => {
    const { ctx } = makeClient(h, "oauth1");
    const error = await run(ctx, { companyId: 1, changeKey: "v1", fields: { name: "" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toContain('"company_name" is required');
    const check = makeClient(h, "oauth1");
    expect((await check.client.getCompany(1))?.name).toBe("Northwind Distribution");
  });
});

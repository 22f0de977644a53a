/**
 * "Try it" on the demo flows: real sandboxes over HTTP, real PostgreSQL, the real executor. After
 * it, the demo flows are on, and the runs it started give a review item for the bad address, one
 * for the unmapped SKU, and postings in the sandboxes' own ledgers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../executor/run";
import { createWorkspace, testDb } from "../test/helpers";
import { instantiateTemplate, templates } from "../templates";
import { sandboxConnection, sandboxState, startSandboxes, type Sandboxes } from "../templates/test-helpers";
import { SYSTEM_ACTOR } from "../audit";
import { tryDemo } from "./try-it";

const db = testDb();
let sb: Sandboxes;
let workspaceId: string;

beforeAll(async () => {
  sb = await startSandboxes();
  workspaceId = await createWorkspace(db, "Demo try it");
  for (const system of ["avalara", "intacct", "commerce"] as const) await sandboxConnection(db, workspaceId, system, sb.urls[system]);
  for (const t of templates.filter((t) => !t.systems.includes("exact"))) await instantiateTemplate(db, workspaceId, t.id, { demo: true });
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

describe("Try it", () => {
  it("switches the demo flows on, creates sample documents, and its runs give review items and postings", async () => {
    const intacctBefore = (await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"].records;
    const result = await tryDemo(db, workspaceId, SYSTEM_ACTOR);
    // Intacct sales (AR), Intacct sales (summary), Intacct bills (use tax), Commerce orders, Commerce B2B purchase orders,
    // the vendor <-> company syncs and the customer <-> Avalara exemption syncs (their first polls
    // only record where things stand).
    expect(result.activated.length).toBe(9);
    expect(result.documents).toHaveLength(4);

    const runs = await db.sql<{ id: string }[]>`select id::text from runs where workspace_id = ${workspaceId} and status = 'queued'`;
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) await executeRun(db, run.id);

    const reviews = await db.sql<{ reason_code: string; reason: string }[]>`
      select reason_code, reason from review_items where workspace_id = ${workspaceId}`;
    expect(reviews.some((r) => r.reason_code === "invalid_address")).toBe(true);
    expect(reviews.some((r) => r.reason_code === "lookup_miss" && r.reason.includes("GIFT-CARD-50"))).toBe(true);

    const after = (await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"].records;
    const count = (records: Record<string, unknown[] | undefined>, object: string) => (records[object] ?? []).length;
    expect(count(after, "APBILL")).toBeGreaterThan(count(intacctBefore, "APBILL"));
    expect(count(after, "ARADJUSTMENT") + count(after, "GLBATCH")).toBeGreaterThan(count(intacctBefore, "ARADJUSTMENT") + count(intacctBefore, "GLBATCH"));
    // The seeded B2B purchase orders of Northwind become open Intacct purchase orders.
    expect(count(after, "PODOCUMENT")).toBe(count(intacctBefore, "PODOCUMENT") + 2);
    const active = await db.sql<{ n: number }[]>`select count(*)::int as n from flows where workspace_id = ${workspaceId} and active`;
    expect(active[0]!.n).toBe(9);
  });
});

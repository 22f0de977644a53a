/**
 * What the audit trail costs: the write every mutation adds (recordAudit inside a transaction),
 * and the Audit page's reads at 100k events: the first page, a page deep in the trail by keyset,
 * one person's events, one entity's events, and a time window. On the bench's own PostgreSQL
 * (bench/engine/database.ts).
 *
 *   npx tsx bench/audit/run.ts                 # 100,000 events, 200 timed calls per case
 *   npx tsx bench/audit/run.ts --events 500000 --calls 100
 *
 * Prints ms per call (mean, p50, p95) for each case.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createDb } from "../../db/client";
import { auditFacets, listAudit, recordAudit, type Actor } from "../../engine/audit";
import { startBenchDatabase } from "../engine/database";

delete process.env.DATABASE_URL;
const { values } = parseArgs({ options: { events: { type: "string", default: "100000" }, calls: { type: "string", default: "200" } } });
const events = Number(values.events);
const calls = Number(values.calls);

const database = await startBenchDatabase({ profile: false });
const db = createDb(database.url, { max: 4 });
try {
  const [ws] = await db.sql<{ id: string }[]>`insert into workspaces (name, slug) values ('Bench', ${`bench-${randomUUID().slice(0, 6)}`}) returning id::text`;
  const workspaceId = ws!.id;
  const people = Array.from({ length: 20 }, () => randomUUID());
  const entities = Array.from({ length: 500 }, () => randomUUID());
  // Bulk history: 100k events over 90 days, 20 people, 500 flows.
  await db.sql`
    insert into audit_events (workspace_id, at, actor, actor_kind, actor_user_id, ip, action, entity_type, entity_id, data)
    select ${workspaceId}, now() - (random() * interval '90 days'), 'person' || (i % 20) || '@bench.test', 'user',
           (${people}::uuid[])[1 + i % 20], '192.0.2.1', 'flow.updated', 'flow', (${entities}::text[])[1 + i % 500],
           jsonb_build_object('changes', jsonb_build_object('name', jsonb_build_object('from', 'a', 'to', 'b')))
    from generate_series(1, ${events}) i`;
  await db.sql`analyze audit_events`;
  const actor: Actor = { label: "bench@bench.test", kind: "user", userId: people[0], ip: "192.0.2.1" };
  const [deep] = await db.sql<{ id: number }[]>`
    select id::int from audit_events where workspace_id = ${workspaceId} order by at desc, id desc offset ${Math.floor(events * 0.9)} limit 1`;

  const cases: [string, () => Promise<unknown>][] = [
    ["write one event (its own transaction)", () => db.sql.begin((tx) => recordAudit(tx, workspaceId, actor, { action: "flow.updated", entityType: "flow", entityId: entities[0]!, data: { changes: { name: { from: "a", to: "b" } } } }))],
    ["first page (50 newest)", () => listAudit(db, workspaceId, {}, { limit: 50 })],
    ["page at 90% depth (keyset)", () => listAudit(db, workspaceId, {}, { limit: 50, before: deep!.id })],
    ["one person's newest 50", () => listAudit(db, workspaceId, { actorUserId: people[3] }, { limit: 50 })],
    ["one flow's newest 50", () => listAudit(db, workspaceId, { entityType: "flow", entityId: entities[7] }, { limit: 50 })],
    ["last 24 hours, first page", () => listAudit(db, workspaceId, { from: new Date(Date.now() - 86_400_000) }, { limit: 50 })],
    ["filter menus (actors, entity types, actions)", () => auditFacets(db, workspaceId)],
  ];
  console.log(`audit trail: ${events.toLocaleString("en")} events, ${calls} calls per case, ${database.description}\n`);
  console.log("| case | mean ms | p50 ms | p95 ms |\n| --- | --- | --- | --- |");
  for (const [name, run] of cases) {
    for (let i = 0; i < 20; i++) await run();
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    console.log(`| ${name} | ${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(2)} | ${at(0.5).toFixed(2)} | ${at(0.95).toFixed(2)} |`);
  }
} finally {
  await db.close();
  await database.stop();
}

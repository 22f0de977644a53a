/**
 * What the run did, counted from the systems themselves: postings from the sandboxes' own state
 * (GET /__sandbox/state), runs and review reasons from the database. Per integration: documents
 * created and what became of each (posted once, parked with its reason, failed, unfinished), the
 * runs by status, duplicates (a document with more than one posting) and losses (a document with
 * neither a run nor a posting).
 */
import type { Db } from "../../db/client";
import type { CreatedDocument } from "./documents";
import type { Recovery } from "./recovery";
import { INTEGRATIONS, type Integration } from "./setup";

type Rec = Record<string, unknown>;

export interface IntegrationFigures {
  integration: Integration;
  title: string;
  documents: number;
  posted: number;
  skipped: number;
  needsReview: number;
  failed: number;
  unfinished: number;
  /** reason_code -> documents */
  reviewReasons: Record<string, number>;
  /** error message -> documents */
  failures: Record<string, number>;
  runs: Record<string, number>;
  /** needs-review runs by reason_code, failed runs by error message */
  runReviewReasons: Record<string, number>;
  runFailures: Record<string, number>;
  duplicates: Array<{ label: string; postings: number }>;
  /** Reversals of a bench document's tax posting (none expected: the bench never edits a document) */
  reversals: number;
  losses: string[];
}

export interface ChaosFigures {
  integrations: IntegrationFigures[];
  recoveries: Recovery[];
  /** slowest recovery over all faults (ms); Infinity when a run never moved again */
  slowestRecoveryMs: number;
  unexpectedWorkerExits: number;
  durationMs: number;
  /** when the chaos phase started (fault times are printed from here) */
  startedAt: number;
  ok: boolean;
}

/**
 * Postings per `<kind>|<business key>` (lower case) in the target sandboxes' own state:
 * - `tax|tax:<document>`: the tax flows' postings for a document version. Exact journal entries
 *   carry `tax:<document>|v=<version>` in their lines' Notes, Intacct AR adjustments in EXTERNALID;
 *   an entry that also says `|reverses=` is a reversal (`reversals|tax:<document>`), not a posting;
 * - `journal|<key>:journal` and `GLBATCH|<REFERENCENO>`: the same flows' earlier postings;
 * - `APBILL|<RECORDID>`, `APADJUSTMENT|<RECORDID>`: the Commerce flow's bills and adjustments.
 */
export async function postingCounts(urls: { exact: string; intacct: string }, division: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key.toLowerCase(), (counts.get(key.toLowerCase()) ?? 0) + 1);
  const tax = (marker: string) => {
    const match = /^(tax:[^|]+)\|/.exec(marker);
    if (!match) return false;
    add(/\|reverses=/.test(marker) ? `reversals|${match[1]}` : `tax|${match[1]}`);
    return true;
  };
  const exact = (await (await fetch(`${urls.exact}/__sandbox/state`)).json()) as { regions: Record<string, { divisions: Array<{ code: number; journalEntries: Array<{ lines: Rec[] }> }> }> };
  for (const region of Object.values(exact.regions)) {
    for (const div of region.divisions) {
      if (div.code !== division) continue;
      for (const entry of div.journalEntries) {
        const note = String(entry.lines[0]?.Notes ?? "");
        if (!tax(note) && note.endsWith(":journal")) add(`journal|${note}`);
      }
    }
  }
  const intacct = (await (await fetch(`${urls.intacct}/__sandbox/state`)).json()) as { companies: Record<string, { records: Record<string, Rec[]> }> };
  const records = intacct.companies["LEDGERLINE-DEMO"]!.records;
  for (const adj of records.ARADJUSTMENT ?? []) tax(String(adj.EXTERNALID ?? ""));
  for (const batch of records.GLBATCH ?? []) add(`GLBATCH|${String(batch.REFERENCENO)}`);
  for (const bill of records.APBILL ?? []) add(`APBILL|${String(bill.RECORDID)}`);
  for (const adj of records.APADJUSTMENT ?? []) add(`APADJUSTMENT|${String(adj.RECORDID)}`);
  return counts;
}

export async function countFigures(db: Db, documents: CreatedDocument[], postings: Map<string, number>): Promise<IntegrationFigures[]> {
  // Record keys and Exact's journal keys compare without case (GUIDs are spelled either way).
  const keys = documents.map((d) => d.recordKey.toLowerCase());
  const runs = await db.sql<{ record_key: string; status: string; created_at: Date; error: { message?: string } | null; reason_code: string | null }[]>`
    select lower(r.record_key) as record_key, r.status, r.created_at, r.error,
      (select ri.reason_code from review_items ri where ri.run_id = r.id order by ri.created_at desc limit 1) as reason_code
    from runs r where lower(r.record_key) = any(${keys}::text[]) order by r.created_at`;
  type RunRow = (typeof runs)[number];
  const byKey = new Map<string, RunRow[]>();
  for (const run of runs) byKey.set(run.record_key, [...(byKey.get(run.record_key) ?? []), run]);
  const out: IntegrationFigures[] = [];
  for (const integration of Object.keys(INTEGRATIONS) as Integration[]) {
    const docs = documents.filter((d) => d.plan.integration === integration);
    const f: IntegrationFigures = {
      integration,
      title: INTEGRATIONS[integration].title,
      documents: docs.length,
      posted: 0,
      skipped: 0,
      needsReview: 0,
      failed: 0,
      unfinished: 0,
      reviewReasons: {},
      failures: {},
      runs: {},
      runReviewReasons: {},
      runFailures: {},
      duplicates: [],
      reversals: 0,
      losses: [],
    };
    for (const doc of docs) {
      const keysOf = doc.postings.map((k) => k.toLowerCase());
      const count = keysOf.reduce((n, k) => n + (postings.get(k) ?? 0), 0);
      f.reversals += keysOf.filter((k) => k.startsWith("tax|")).reduce((n, k) => n + (postings.get(`reversals|${k.slice(4)}`) ?? 0), 0);
      const docRuns = byKey.get(doc.recordKey.toLowerCase()) ?? [];
      for (const run of docRuns) {
        f.runs[run.status] = (f.runs[run.status] ?? 0) + 1;
        if (run.status === "needs_review") f.runReviewReasons[run.reason_code ?? "unknown"] = (f.runReviewReasons[run.reason_code ?? "unknown"] ?? 0) + 1;
        if (run.status === "failed") {
          const message = (run.error?.message ?? "no message").slice(0, 160);
          f.runFailures[message] = (f.runFailures[message] ?? 0) + 1;
        }
      }
      if (count > 1) f.duplicates.push({ label: doc.label, postings: count });
      if (count >= 1) {
        f.posted++;
        continue;
      }
      if (docRuns.length === 0) {
        f.losses.push(doc.label);
        continue;
      }
      // Not posted: what its runs say, best outcome first (a later replay or poll may have finished it).
      const statuses = new Set(docRuns.map((r) => r.status));
      if (statuses.has("succeeded") || statuses.has("skipped")) f.skipped++;
      else if (["queued", "running", "waiting"].some((s) => statuses.has(s))) f.unfinished++;
      else if (statuses.has("needs_review")) {
        f.needsReview++;
        const reason = docRuns.filter((r) => r.status === "needs_review").at(-1)!.reason_code ?? "unknown";
        f.reviewReasons[reason] = (f.reviewReasons[reason] ?? 0) + 1;
      } else {
        f.failed++;
        const message = (docRuns.at(-1)!.error?.message ?? "no message").slice(0, 140);
        f.failures[message] = (f.failures[message] ?? 0) + 1;
      }
    }
    out.push(f);
  }
  return out;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const seconds = (ms: number | undefined) => (ms === undefined ? "-" : Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : "never");

export function printFigures(figures: ChaosFigures, print: (line: string) => void = console.log): void {
  print("");
  print("Chaos bench: what happened to every document");
  for (const f of figures.integrations) {
    print("");
    print(f.title);
    print(`  ${pad("documents created", 28)}${f.documents}`);
    print(`  ${pad("posted (in the sandbox)", 28)}${f.posted}`);
    print(`  ${pad("nothing to post (skipped)", 28)}${f.skipped}`);
    print(`  ${pad("needs review", 28)}${f.needsReview}${Object.keys(f.reviewReasons).length ? `  (${Object.entries(f.reviewReasons).map(([k, v]) => `${k} ${v}`).join(", ")})` : ""}`);
    print(`  ${pad("failed", 28)}${f.failed}`);
    for (const [message, n] of Object.entries(f.failures)) print(`      ${n} x ${message}`);
    print(`  ${pad("unfinished", 28)}${f.unfinished}`);
    print(`  ${pad("runs", 28)}${Object.values(f.runs).reduce((a, b) => a + b, 0)}  (${Object.entries(f.runs).map(([k, v]) => `${k} ${v}`).join(", ")})`);
    if (Object.keys(f.runReviewReasons).length) print(`      needs review: ${Object.entries(f.runReviewReasons).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    for (const [message, n] of Object.entries(f.runFailures)) print(`      failed ${n} x ${message}`);
    print(`  ${pad("duplicates", 28)}${f.duplicates.length}${f.duplicates.length ? `  (${f.duplicates.slice(0, 5).map((d) => `${d.label}: ${d.postings} postings`).join("; ")})` : ""}`);
    if (f.integration !== "commerce") print(`  ${pad("tax reversals", 28)}${f.reversals}`);
    print(`  ${pad("losses", 28)}${f.losses.length}${f.losses.length ? `  (${f.losses.slice(0, 5).join("; ")})` : ""}`);
  }
  print("");
  print("Recovery: from each fault to every interrupted run being claimed again (lease taken over, released or finished) and to its next node");
  print("(its next step: an attempt of a node started, a node started or finished, or the run finished; \"node done\" leaves attempts out,");
  print(" so it also holds the node's retry waits and any later fault the run met)");
  for (const r of figures.recoveries) {
    const who = r.event.worker ? ` worker ${r.event.worker}` : "";
    const stuck = r.stuck.length ? `, ${r.stuck.length} never resumed` : "";
    print(
      `  ${pad(`${r.event.kind}${who}`, 24)} at +${pad(((r.event.at - figures.startedAt) / 1000).toFixed(0) + " s", 7)} ${pad(`${r.event.runIds.length} runs in flight`, 18)} ` +
        `claimed again within ${pad(seconds(r.slowestReclaimMs), 8)} next node within ${pad(seconds(r.slowestMs), 8)} (node done within ${pad(seconds(r.slowestNodeDoneMs) + ")", 9)}${stuck}${r.event.note ? `  (${r.event.note})` : ""}`,
    );
  }
  print(`  longest kill -> resumed run's next node: ${seconds(figures.slowestRecoveryMs)}`);
  // Why the slow ones were slow: the slowest run of every fault past 45 s, and of the slowest fault.
  const slowest = figures.recoveries.reduce<Recovery | undefined>((a, r) => ((r.slowestRun?.ms ?? -1) > (a?.slowestRun?.ms ?? -1) ? r : a), undefined);
  for (const r of figures.recoveries) {
    if (!r.slowestRun || (r !== slowest && r.slowestRun.ms < 45_000)) continue;
    print(`  slowest after ${r.event.kind}${r.event.worker ? ` worker ${r.event.worker}` : ""} at +${((r.event.at - figures.startedAt) / 1000).toFixed(0)} s (${seconds(r.slowestRun.ms)}), times from the fault:`);
    for (const line of r.slowestRun.trace) print(`    ${line}`);
  }
  if (figures.unexpectedWorkerExits) print(`  workers that exited on their own (and were replaced): ${figures.unexpectedWorkerExits}`);
  const duplicates = figures.integrations.reduce((n, f) => n + f.duplicates.length, 0);
  const losses = figures.integrations.reduce((n, f) => n + f.losses.length, 0);
  print("");
  print(
    `${figures.ok ? "PASS" : "FAIL"}: ${duplicates} duplicates, ${losses} losses, slowest recovery ${seconds(figures.slowestRecoveryMs)} (limit 60 s); ${(figures.durationMs / 1000).toFixed(0)} s in all`,
  );
}

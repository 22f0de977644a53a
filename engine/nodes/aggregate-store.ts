/**
 * Summary posting's durable buckets (tables summary_windows and summary_items).
 *
 * Glossary
 * - summary: a name shared by the flows that deposit records into it (node `core.aggregate`) and
 *            the flow that posts it (trigger `core.summaryClose`).
 * - window:  the period a record belongs to (an hour, a day or a month of the record's date, UTC).
 *            It takes deposits until it is closed, once, by the close trigger after its end (plus
 *            a grace period for late records).
 * - group:   the value of the group-by expression (channel, account, dimension set...): the close
 *            yields one posting per (window, group), keyed by both, so a replay posts nothing new.
 * - item:    one source record's lines in one window, one row per (summary, record key): a
 *            replayed record replaces its own item while the window is open and never adds twice.
 *
 * Amounts are exact: decimal strings parsed into integer minor units (bigint), never floats.
 */
import { createHash } from "node:crypto";
import { NeedsReviewError, PermanentError } from "../../connectors/sdk";
import { jsonb, type Db } from "../../db/client";

export type WindowSize = "hour" | "day" | "month";

/** One line of a record (or of a group's summed entry): an exact amount and the fields that name it. */
export interface SummaryLine {
  amount: string;
  type?: "debit" | "credit";
  [field: string]: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Exact amounts

/** A decimal (string, or a number whose shortest form has at most `scale` decimals) in minor units. */
export function toMinor(value: unknown, scale = 2, what = "amount"): bigint {
  const raw = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : typeof value === "string" ? value.trim() : "";
  const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(raw);
  if (!m) throw new PermanentError(`${what} must be a decimal number such as "12.34", got ${JSON.stringify(value)}`);
  const decimals = m[3] ?? "";
  if (decimals.length > scale && /[1-9]/.test(decimals.slice(scale))) {
    throw new PermanentError(
      `${what} ${raw} has more than ${scale} decimals: round it in the mapping (e.g. $formatNumber(x, "0.00")) so nothing is lost silently`,
    );
  }
  const minor = BigInt(m[2]!) * 10n ** BigInt(scale) + BigInt((decimals.slice(0, scale) || "0").padEnd(scale, "0"));
  return m[1] === "-" ? -minor : minor;
}

export function formatMinor(minor: bigint, scale = 2): string {
  const negative = minor < 0n;
  const abs = (negative ? -minor : minor).toString().padStart(scale + 1, "0");
  const whole = abs.slice(0, abs.length - scale);
  const frac = abs.slice(abs.length - scale);
  return `${negative ? "-" : ""}${whole}${scale > 0 ? `.${frac}` : ""}`;
}

// ---------------------------------------------------------------------------------------------
// Windows

export interface WindowBounds {
  key: string;
  start: Date;
  end: Date;
}

/** The window of a date (YYYY-MM-DD or an ISO date-time; UTC). */
export function windowOf(date: unknown, size: WindowSize): WindowBounds {
  const text = typeof date === "string" ? date.trim() : "";
  const at = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00.000Z`) : new Date(text);
  if (!text || Number.isNaN(at.getTime())) throw new PermanentError(`the record's date must be YYYY-MM-DD or an ISO date-time, got ${JSON.stringify(date)}`);
  const y = at.getUTCFullYear();
  const mo = at.getUTCMonth();
  const d = at.getUTCDate();
  const h = at.getUTCHours();
  const iso = at.toISOString();
  if (size === "hour") return { key: iso.slice(0, 13), start: new Date(Date.UTC(y, mo, d, h)), end: new Date(Date.UTC(y, mo, d, h + 1)) };
  if (size === "day") return { key: iso.slice(0, 10), start: new Date(Date.UTC(y, mo, d)), end: new Date(Date.UTC(y, mo, d + 1)) };
  return { key: iso.slice(0, 7), start: new Date(Date.UTC(y, mo, 1)), end: new Date(Date.UTC(y, mo + 1, 1)) };
}

// ---------------------------------------------------------------------------------------------
// Groups and lines

/** JSON with sorted keys: the same group value always gives the same key. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export function groupKeyOf(value: unknown): string {
  if (value === undefined || value === null || value === "") throw new PermanentError("the group-by expression gave no value for this record");
  return typeof value === "string" ? value : canonical(value);
}

/** A record's lines, validated: amounts exact, other fields strings; typed lines must balance. */
export function normalizeLines(value: unknown, scale: number): { lines: SummaryLine[]; minor: bigint } {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if (list.length === 0) throw new PermanentError("the lines expression gave no lines for this record");
  const lines: SummaryLine[] = [];
  let debit = 0n;
  let credit = 0n;
  let signed = 0n;
  for (const [i, raw] of list.entries()) {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new PermanentError(`line ${i + 1} must be an object with an amount`);
    const line: SummaryLine = { amount: "" };
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (k === "amount" || v === undefined || v === null) continue;
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw new PermanentError(`line ${i + 1}: field "${k}" must be a text or a number`);
      line[k] = String(v);
    }
    if (line.type !== undefined && line.type !== "debit" && line.type !== "credit") throw new PermanentError(`line ${i + 1}: type must be debit or credit`);
    const minor = toMinor((raw as Record<string, unknown>).amount, scale, `line ${i + 1} amount`);
    line.amount = formatMinor(minor, scale);
    if (line.type === "debit") debit += minor;
    else if (line.type === "credit") credit += minor;
    signed += minor;
    lines.push(line);
  }
  const typed = lines.filter((l) => l.type).length;
  if (typed > 0 && typed !== lines.length) throw new PermanentError("give every line a type (debit or credit), or none");
  if (typed > 0 && debit !== credit) {
    throw new PermanentError(`the record's lines do not balance: debits ${formatMinor(debit, scale)}, credits ${formatMinor(credit, scale)}`);
  }
  return { lines, minor: typed > 0 ? debit : signed };
}

/** Lines of many records summed per identical set of fields (account, type, dimensions...). */
export function sumLines(all: SummaryLine[][], scale: number): { lines: SummaryLine[]; totalDebit: string; totalCredit: string; total: string } {
  const sums = new Map<string, { fields: Omit<SummaryLine, "amount">; minor: bigint }>();
  let debit = 0n;
  let credit = 0n;
  let signed = 0n;
  for (const lines of all) {
    for (const line of lines) {
      const { amount, ...fields } = line;
      const key = canonical(fields);
      const minor = toMinor(amount, scale);
      const sum = sums.get(key) ?? { fields, minor: 0n };
      sum.minor += minor;
      sums.set(key, sum);
      if (line.type === "debit") debit += minor;
      else if (line.type === "credit") credit += minor;
      signed += minor;
    }
  }
  const lines = [...sums.values()].filter((s) => s.minor !== 0n).map((s) => ({ ...s.fields, amount: formatMinor(s.minor, scale) }) as SummaryLine);
  return { lines, totalDebit: formatMinor(debit, scale), totalCredit: formatMinor(credit, scale), total: formatMinor(signed, scale) };
}

// ---------------------------------------------------------------------------------------------
// The store the executor binds to each node context (like the expression scope)

interface StoreScope {
  db: Db;
  /** A dry run checks the deposit and stores nothing (its transaction is rolled back). */
  dryRun: boolean;
}

const scopes = new WeakMap<object, StoreScope>();

/** The executor and the trigger tick give summary nodes their database. */
export function bindSummaryStore(ctx: object, db: Db, options: { dryRun?: boolean } = {}): void {
  scopes.set(ctx, { db, dryRun: options.dryRun ?? false });
}

function scopeOf(ctx: object): StoreScope {
  const scope = scopes.get(ctx);
  if (!scope) throw new PermanentError("summary nodes run only inside the engine (no database bound to this context)");
  return scope;
}

function dbOf(ctx: object): Db {
  return scopeOf(ctx).db;
}

class DryRunRollback extends Error {
  constructor(readonly result: DepositResult) {
    super("dry run: rolled back");
  }
}

export interface Deposit {
  summary: string;
  window: WindowBounds;
  groupKey: string;
  groupValue: unknown;
  lines: SummaryLine[];
  minor: bigint;
}

export interface DepositResult {
  status: "added" | "updated" | "unchanged";
  recordKey: string;
  windowKey: string;
  groupKey: string;
}

/**
 * Put one record's lines into its window, in one transaction with the window row locked, so a
 * deposit and the window's close never cross. A record already posted in a closed window is left
 * as posted: the same lines answer "unchanged"; different lines (or a record arriving after its
 * window closed) park the run for review with the reason, and nothing is posted twice.
 */
export async function deposit(ctx: { workspaceId: string; flowId: string; runId: string }, bound: object, d: Deposit): Promise<DepositResult & { dryRun: boolean }> {
  const { db, dryRun } = scopeOf(bound);
  try {
    const result = await depositIn(db, ctx, d, dryRun);
    return { ...result, dryRun };
  } catch (error) {
    if (error instanceof DryRunRollback) return { ...error.result, dryRun };
    throw error;
  }
}

async function depositIn(db: Db, ctx: { workspaceId: string; flowId: string; runId: string }, d: Deposit, dryRun: boolean): Promise<DepositResult> {
  const done = (result: DepositResult): DepositResult => {
    if (dryRun) throw new DryRunRollback(result);
    return result;
  };
  return db.sql.begin(async (tx) => {
    const [run] = await tx<{ record_key: string }[]>`select record_key from runs where id = ${ctx.runId} and workspace_id = ${ctx.workspaceId}`;
    if (!run) throw new PermanentError(`run ${ctx.runId} not found`);
    const recordKey = run.record_key;
    const [win] = await tx<{ id: string; closed_at: Date | null }[]>`
      insert into summary_windows (workspace_id, summary, window_key, window_start, window_end)
      values (${ctx.workspaceId}, ${d.summary}, ${d.window.key}, ${d.window.start}, ${d.window.end})
      on conflict (workspace_id, summary, window_key) do update set window_key = excluded.window_key
      returning id::text, closed_at`;
    const [existing] = await tx<{ id: string; window_id: string; window_key: string; group_key: string; lines: SummaryLine[]; closed_at: Date | null; run_id: string }[]>`
      select i.id::text, i.window_id::text, w.window_key, i.group_key, i.lines, w.closed_at, i.run_id::text
      from summary_items i join summary_windows w on w.id = i.window_id
      where i.workspace_id = ${ctx.workspaceId} and i.summary = ${d.summary} and i.record_key = ${recordKey}
      for update`;
    const base = { recordKey, windowKey: d.window.key, groupKey: d.groupKey };
    if (existing) {
      const same = existing.window_id === win!.id && existing.group_key === d.groupKey && canonical(existing.lines) === canonical(d.lines);
      if (same) return done({ status: "unchanged", ...base });
      if (existing.closed_at) {
        throw new NeedsReviewError(
          `Record ${recordKey} was already posted in summary "${d.summary}", window ${existing.window_key} (closed ${existing.closed_at.toISOString()}); ` +
            `its new lines (window ${d.window.key}, group ${d.groupKey}) are not posted: post the difference as a correction or dismiss this review`,
          { reasonCode: "summary_window_closed", details: { summary: d.summary, recordKey, postedWindow: existing.window_key, postedGroup: existing.group_key, postedLines: existing.lines, newLines: d.lines } },
        );
      }
    }
    if (win!.closed_at) {
      throw new NeedsReviewError(
        `Record ${recordKey} arrived after window ${d.window.key} of summary "${d.summary}" closed (${win!.closed_at.toISOString()}); it is not in that posting: post it by hand or dismiss this review`,
        { reasonCode: "summary_window_closed", details: { summary: d.summary, recordKey, window: d.window.key, group: d.groupKey, lines: d.lines } },
      );
    }
    if (existing) {
      await tx`
        update summary_items set window_id = ${win!.id}, group_key = ${d.groupKey}, group_value = ${jsonb(d.groupValue)}::text::jsonb,
          lines = ${jsonb(d.lines)}::text::jsonb, amount_minor = ${d.minor.toString()}, run_id = ${ctx.runId}, flow_id = ${ctx.flowId}, updated_at = now()
        where id = ${existing.id}`;
      return done({ status: "updated", ...base });
    }
    await tx`
      insert into summary_items (workspace_id, window_id, summary, group_key, group_value, record_key, run_id, flow_id, lines, amount_minor)
      values (${ctx.workspaceId}, ${win!.id}, ${d.summary}, ${d.groupKey}, ${jsonb(d.groupValue)}::text::jsonb, ${recordKey}, ${ctx.runId}, ${ctx.flowId},
              ${jsonb(d.lines)}::text::jsonb, ${d.minor.toString()})`;
    return done({ status: "added", ...base });
  });
}

export interface SummaryGroup {
  summary: string;
  window: string;
  windowStart: string;
  windowEnd: string;
  /** The window's last day (YYYY-MM-DD): the natural posting date for an hour, a day or a month. */
  date: string;
  groupKey: string;
  group: unknown;
  /** Short, stable reference of the posting (window + hash of summary and group), at most 40 characters. */
  reference: string;
  /** The same identity as a GUID, for nodes keyed by a source document id (Exact's journal). */
  postingId: string;
  lines: SummaryLine[];
  totalDebit: string;
  totalCredit: string;
  total: string;
  count: number;
  /** The source records in this posting, each with the run that deposited it. */
  records: Array<{ recordKey: string; runId: string; flowId: string; amount: string }>;
}

export function referenceFor(summary: string, windowKey: string, groupKey: string): string {
  return `${windowKey}-${createHash("sha256").update(`${summary}\n${groupKey}`).digest("hex").slice(0, 10).toUpperCase()}`;
}

/** A name-based GUID (RFC 9562 version 5 layout, SHA-256 truncated) of summary, window and group. */
export function postingIdFor(summary: string, windowKey: string, groupKey: string): string {
  const h = createHash("sha256").update(`ledgerline-summary\n${summary}\n${windowKey}\n${groupKey}`).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Windows a page of the close reads at most. */
const WINDOWS_PER_PAGE = 10;

/**
 * One page of the close: windows emitted by the previous page are marked (their runs were stored
 * with that page's checkpoint), windows past their end plus the grace are closed, and the groups
 * of closed windows not yet emitted are returned.
 */
export async function closeWindows(
  bound: object,
  args: { workspaceId: string; summary: string; graceMinutes: number; scale: number; emitted: string[]; now?: Date },
): Promise<{ groups: SummaryGroup[]; windowIds: string[]; hasMore: boolean }> {
  const sql = dbOf(bound).sql;
  const now = args.now ?? new Date();
  if (args.emitted.length > 0) {
    await sql`update summary_windows set emitted_at = now() where workspace_id = ${args.workspaceId} and id = any(${args.emitted}::uuid[]) and emitted_at is null`;
  }
  await sql`
    update summary_windows set closed_at = now()
    where workspace_id = ${args.workspaceId} and summary = ${args.summary} and closed_at is null
      and window_end + make_interval(mins => ${args.graceMinutes}) <= ${now}`;
  const windows = await sql<{ id: string; window_key: string; window_start: Date; window_end: Date }[]>`
    select id::text, window_key, window_start, window_end from summary_windows
    where workspace_id = ${args.workspaceId} and summary = ${args.summary} and closed_at is not null and emitted_at is null
    order by window_start limit ${WINDOWS_PER_PAGE + 1}`;
  const page = windows.slice(0, WINDOWS_PER_PAGE);
  const groups: SummaryGroup[] = [];
  for (const w of page) {
    const items = await sql<{ group_key: string; group_value: unknown; record_key: string; run_id: string; flow_id: string; lines: SummaryLine[]; amount_minor: string }[]>`
      select group_key, group_value, record_key, run_id::text, flow_id::text, lines, amount_minor::text from summary_items
      where workspace_id = ${args.workspaceId} and window_id = ${w.id} order by group_key, record_key`;
    const byGroup = new Map<string, (typeof items)[number][]>();
    for (const item of items) byGroup.set(item.group_key, [...(byGroup.get(item.group_key) ?? []), item]);
    for (const [groupKey, members] of byGroup) {
      const summed = sumLines(members.map((m) => m.lines), args.scale);
      groups.push({
        summary: args.summary,
        window: w.window_key,
        windowStart: w.window_start.toISOString(),
        windowEnd: w.window_end.toISOString(),
        date: new Date(w.window_end.getTime() - 1).toISOString().slice(0, 10),
        groupKey,
        group: members[0]!.group_value,
        reference: referenceFor(args.summary, w.window_key, groupKey),
        postingId: postingIdFor(args.summary, w.window_key, groupKey),
        ...summed,
        count: members.length,
        records: members.map((m) => ({ recordKey: m.record_key, runId: m.run_id, flowId: m.flow_id, amount: formatMinor(BigInt(m.amount_minor), args.scale) })),
      });
    }
  }
  return { groups, windowIds: page.map((w) => w.id), hasMore: windows.length > WINDOWS_PER_PAGE };
}

/**
 * A posting run's summary record must be what its closed window holds: the same records with the
 * same amounts. A record typed in by hand ("Run now" with made-up data) or one whose window is
 * still open is refused before anything is posted.
 */
export async function verifyGroup(
  bound: object,
  args: { workspaceId: string; summary: string; window: string; groupKey: string; records: Array<{ recordKey: string; amount: string }>; scale: number },
): Promise<void> {
  const sql = dbOf(bound).sql;
  const rows = await sql<{ record_key: string; amount_minor: string; closed_at: Date | null }[]>`
    select i.record_key, i.amount_minor::text, w.closed_at from summary_items i join summary_windows w on w.id = i.window_id
    where w.workspace_id = ${args.workspaceId} and w.summary = ${args.summary} and w.window_key = ${args.window} and i.group_key = ${args.groupKey}`;
  const where = `summary "${args.summary}", window ${args.window}, group ${args.groupKey}`;
  if (rows.length === 0) throw new PermanentError(`Nothing was deposited in ${where}: only the Summary close starts its postings`);
  if (rows.some((r) => !r.closed_at)) throw new PermanentError(`${where} is not closed yet: only the Summary close starts its postings`);
  const held = new Map(rows.map((r) => [r.record_key, formatMinor(BigInt(r.amount_minor), args.scale)]));
  const given = new Map(args.records.map((r) => [r.recordKey, r.amount]));
  const differs = held.size !== given.size || [...held].some(([k, v]) => given.get(k) !== v);
  if (differs) {
    throw new PermanentError(`The records of this posting differ from what ${where} holds (${held.size} records): only the Summary close starts its postings`);
  }
}

/**
 * The sandbox's REST API under `/api/v1/`: division scoping, per-division rate limits with
 * Exact's headers, error budget, fault injection, OData reads (standard, bulk and sync
 * endpoints with their page sizes and `$select` rules) and the writes the connector uses.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { delay, dropResponse, nextFault, readBody, send, type FaultSettings } from "../../sdk";
import { authenticate, expireToken, type Authenticated } from "./auth";
import { ODataError, compileFilter, normValue, odataDate, parseSelect, requiredValue, serialize, type EntityShape, type Row } from "./odata";
import {
  createEntry,
  createInvoice,
  dateMs,
  deleteInvoice,
  financialPeriods,
  findById,
  journalStatuses,
  newGuid,
  updateInvoice,
  type DivisionData,
  type RegionData,
  type SandboxWorld,
} from "./store";
import { TOPICS, notify, validateCallback } from "./webhooks";

type Kind = "standard" | "bulk" | "sync";

const line = (path: string, type: string): EntityShape => ({ path, key: "ID", type });
const INVOICE_LINES = line("salesinvoice/SalesInvoiceLines", "SalesInvoiceLine");
const ENTRY_LINES = line("generaljournalentry/GeneralJournalEntryLines", "GeneralJournalEntryLine");
const SHAPES = {
  accounts: { path: "crm/Accounts", key: "ID", type: "Account" },
  addresses: { path: "crm/Addresses", key: "ID", type: "Address" },
  items: { path: "logistics/Items", key: "ID", type: "Item" },
  glAccounts: { path: "financial/GLAccounts", key: "ID", type: "GLAccount" },
  costCenters: { path: "hrm/Costcenters", key: "ID", type: "Costcenter" },
  costUnits: { path: "hrm/Costunits", key: "ID", type: "Costunit" },
  vatCodes: { path: "vat/VATCodes", key: "ID", type: "VATCode" },
  journals: { path: "financial/Journals", key: "ID", type: "Journal" },
  invoices: {
    path: "salesinvoice/SalesInvoices",
    key: "InvoiceID",
    type: "SalesInvoice",
    nav: { SalesInvoiceLines: { rows: (r: Row) => r._lines as Row[], shape: INVOICE_LINES } },
  },
  invoiceLines: INVOICE_LINES,
  entries: {
    path: "generaljournalentry/GeneralJournalEntries",
    key: "EntryID",
    type: "GeneralJournalEntry",
    nav: { GeneralJournalEntryLines: { rows: (r: Row) => r._lines as Row[], shape: ENTRY_LINES } },
  },
  entryLines: ENTRY_LINES,
  subscriptions: { path: "webhooks/WebhookSubscriptions", key: "ID", type: "WebhookSubscription" },
  deleted: { path: "sync/Deleted", key: "ID", type: "Deleted" },
  periods: { path: "financial/FinancialPeriods", key: "ID", type: "FinancialPeriod" },
  journalStatus: { path: "read/financial/JournalStatusByFinancialPeriod", key: "ID", type: "JournalStatusByFinancialPeriod" },
  syncInvoices: { path: "sync/SalesInvoice/SalesInvoices", key: "ID", type: "SyncSalesInvoice" },
} satisfies Record<string, EntityShape>;

interface Route {
  shape: EntityShape;
  kind: Kind;
  rows: (div: DivisionData) => Row[];
  /** rows() is the division's own array (not one built per read): reads by key use an index. */
  stored?: true;
}

/** Every line of the given documents (a loop: flatMap was the sandbox's largest cost with thousands of entries). */
function flatLines(rows: Row[]): Row[] {
  const out: Row[] = [];
  for (const r of rows) for (const l of r._lines as Row[]) out.push(l);
  return out;
}

/**
 * Rows by key for the stored collections (the division's own arrays), so `Key eq guid'...'` reads
 * one row as a real API's index would, not every row. Those arrays only grow in place (push) or are
 * replaced whole (a delete filters into a new array), and a row's key never changes: an index is
 * kept per array and extended with the rows added since.
 */
const keyIndexes = new WeakMap<Row[], { key: string; size: number; byKey: Map<unknown, Row[]> }>();

function rowsWithKey(rows: Row[], key: string, value: unknown): Row[] {
  let index = keyIndexes.get(rows);
  if (!index || index.key !== key || index.size > rows.length) keyIndexes.set(rows, (index = { key, size: 0, byKey: new Map() }));
  for (; index.size < rows.length; index.size++) {
    const row = rows[index.size]!;
    const k = normValue(row[key] ?? null);
    const same = index.byKey.get(k);
    if (same) same.push(row);
    else index.byKey.set(k, [row]);
  }
  return index.byKey.get(value) ?? [];
}

/** One sync row per invoice line, header fields repeated, Timestamp of the line's rowversion. */
function syncInvoiceRows(div: DivisionData): Row[] {
  return div.invoices.flatMap((inv) =>
    (inv._lines as Row[]).map((l) => {
      const header = Object.fromEntries(Object.entries(inv).filter(([k]) => !k.startsWith("_")));
      return {
        ...header,
        ID: l.ID,
        LineNumber: l.LineNumber,
        Item: l.Item,
        ItemCode: l.ItemCode,
        Quantity: l.Quantity,
        UnitPrice: l.UnitPrice,
        NetPrice: l.NetPrice,
        LineAmountFC: l.AmountFC,
        GLAccount: l.GLAccount,
        Timestamp: Math.max(l._ts as number, inv._ts as number),
        _ts: Math.max(l._ts as number, inv._ts as number),
      };
    }),
  );
}

const withTimestamp = (rows: Row[]) => rows.map((r) => ({ ...r, Timestamp: r._ts }));

const ROUTES: Record<string, Route> = {
  "crm/accounts": { shape: SHAPES.accounts, kind: "standard", rows: (d) => d.accounts, stored: true },
  "crm/addresses": { shape: SHAPES.addresses, kind: "standard", rows: (d) => d.addresses, stored: true },
  "logistics/items": { shape: SHAPES.items, kind: "standard", rows: (d) => d.items, stored: true },
  "financial/glaccounts": { shape: SHAPES.glAccounts, kind: "standard", rows: (d) => d.glAccounts, stored: true },
  "hrm/costcenters": { shape: SHAPES.costCenters, kind: "standard", rows: (d) => d.costCenters, stored: true },
  "hrm/costunits": { shape: SHAPES.costUnits, kind: "standard", rows: (d) => d.costUnits, stored: true },
  "vat/vatcodes": { shape: SHAPES.vatCodes, kind: "standard", rows: (d) => d.vatCodes, stored: true },
  "financial/journals": { shape: SHAPES.journals, kind: "standard", rows: (d) => d.journals, stored: true },
  "salesinvoice/salesinvoices": { shape: SHAPES.invoices, kind: "standard", rows: (d) => d.invoices, stored: true },
  "salesinvoice/salesinvoicelines": { shape: SHAPES.invoiceLines, kind: "standard", rows: (d) => flatLines(d.invoices) },
  "generaljournalentry/generaljournalentries": { shape: SHAPES.entries, kind: "standard", rows: (d) => d.entries, stored: true },
  "generaljournalentry/generaljournalentrylines": { shape: SHAPES.entryLines, kind: "standard", rows: (d) => flatLines(d.entries) },
  "webhooks/webhooksubscriptions": { shape: SHAPES.subscriptions, kind: "standard", rows: (d) => d.subscriptions, stored: true },
  "financial/financialperiods": { shape: SHAPES.periods, kind: "standard", rows: financialPeriods },
  "read/financial/journalstatusbyfinancialperiod": { shape: SHAPES.journalStatus, kind: "standard", rows: journalStatuses },
  "bulk/crm/accounts": { shape: SHAPES.accounts, kind: "bulk", rows: (d) => d.accounts, stored: true },
  "bulk/financial/glaccounts": { shape: SHAPES.glAccounts, kind: "bulk", rows: (d) => d.glAccounts, stored: true },
  "bulk/logistics/items": { shape: SHAPES.items, kind: "bulk", rows: (d) => d.items, stored: true },
  "bulk/salesinvoice/salesinvoices": { shape: SHAPES.invoices, kind: "bulk", rows: (d) => d.invoices, stored: true },
  "bulk/salesinvoice/salesinvoicelines": { shape: SHAPES.invoiceLines, kind: "bulk", rows: (d) => flatLines(d.invoices) },
  "sync/salesinvoice/salesinvoices": { shape: SHAPES.syncInvoices, kind: "sync", rows: syncInvoiceRows },
  "sync/crm/accounts": { shape: SHAPES.accounts, kind: "sync", rows: (d) => withTimestamp(d.accounts) },
  "sync/crm/addresses": { shape: SHAPES.addresses, kind: "sync", rows: (d) => withTimestamp(d.addresses) },
  "sync/financial/glaccounts": { shape: SHAPES.glAccounts, kind: "sync", rows: (d) => withTimestamp(d.glAccounts) },
  "sync/deleted": { shape: SHAPES.deleted, kind: "sync", rows: (d) => d.deleted },
};

const SYNC_API_NAMES: Record<string, string> = {
  "salesinvoice/salesinvoices": "sync/salesinvoice/salesinvoices",
  "crm/accounts": "sync/crm/accounts",
  "crm/addresses": "sync/crm/addresses",
  "financial/glaccounts": "sync/financial/glaccounts",
  deleted: "sync/deleted",
};

export function envelope(message: string): object {
  return { error: { code: "", message: { lang: "", value: message } } };
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  send(res, status, envelope(message), headers);
}

// ------------------------------------------------------------------------------ rate limits

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Count the call; returns the headers to send and, when over a limit, which one. */
function rateLimit(world: SandboxWorld, div: DivisionData, clientId: string, count: boolean): { headers: Record<string, string>; exceeded?: "minutely" | "daily" } {
  const now = world.now();
  let c = div.rate.get(clientId);
  if (!c) {
    c = { minuteStart: now, minuteCount: 0, dayStart: Math.floor(now / DAY) * DAY, dayCount: 0 };
    div.rate.set(clientId, c);
  }
  if (now >= c.minuteStart + MINUTE) {
    c.minuteStart = now;
    c.minuteCount = 0;
  }
  if (now >= c.dayStart + DAY) {
    c.dayStart = Math.floor(now / DAY) * DAY;
    c.dayCount = 0;
  }
  const minutelyLimit = div.limits?.minutely ?? world.settings.minutelyLimit;
  const dailyLimit = div.limits?.daily ?? world.settings.dailyLimit;
  const daily = {
    "x-ratelimit-limit": String(dailyLimit),
    "x-ratelimit-reset": String(c.dayStart + DAY),
  };
  const minutely = {
    "x-ratelimit-minutely-limit": String(minutelyLimit),
    "x-ratelimit-minutely-reset": String(c.minuteStart + MINUTE),
  };
  if (count && (c.dayCount >= dailyLimit || c.minuteCount >= minutelyLimit)) c.refused = (c.refused ?? 0) + 1;
  if (c.dayCount >= dailyLimit) return { headers: { ...daily, "x-ratelimit-remaining": "0" }, exceeded: "daily" };
  if (c.minuteCount >= minutelyLimit) return { headers: { ...minutely, "x-ratelimit-minutely-remaining": "0" }, exceeded: "minutely" };
  if (count) {
    c.dayCount += 1;
    c.minuteCount += 1;
  }
  return {
    headers: {
      ...daily,
      "x-ratelimit-remaining": String(dailyLimit - c.dayCount),
      ...minutely,
      "x-ratelimit-minutely-remaining": String(minutelyLimit - c.minuteCount),
    },
  };
}

/** A 429 as the `rateLimit` fault: the minutely window is used up now. */
function forcedMinutely429(world: SandboxWorld, div: DivisionData, clientId: string): Record<string, string> {
  const now = world.now();
  const c = div.rate.get(clientId) ?? { minuteStart: now, minuteCount: 0, dayStart: Math.floor(now / DAY) * DAY, dayCount: 0 };
  div.rate.set(clientId, c);
  c.minuteCount = div.limits?.minutely ?? world.settings.minutelyLimit;
  return {
    "x-ratelimit-minutely-limit": String(c.minuteCount),
    "x-ratelimit-minutely-remaining": "0",
    "x-ratelimit-minutely-reset": String(c.minuteStart + MINUTE),
  };
}

// ------------------------------------------------------------------------------ reads

interface ReadContext {
  base: string;
  division: DivisionData;
  url: URL;
  settings: SandboxWorld["settings"];
}

function collection(res: ServerResponse, route: Route, ctx: ReadContext, headers: Record<string, string>): void {
  const { url } = ctx;
  const select = parseSelect(url.searchParams.get("$select"));
  const expand = parseSelect(url.searchParams.get("$expand"));
  if (route.kind === "bulk" && !select) throw new ODataError("Please add a $select statement to the query string: it is mandatory for bulk endpoints.");
  if (route.kind === "sync" && (!select || select.includes("*"))) {
    throw new ODataError("$select is mandatory for sync endpoints and $select=* is not supported.");
  }
  if (url.searchParams.has("$orderby")) throw new ODataError("$orderby is not supported by the sandbox");
  let rows = route.rows(ctx.division);
  const known = route.kind === "sync" ? ["Timestamp", "EntityType"] : rows[0] ? Object.keys(rows[0]).filter((k) => !k.startsWith("_")) : undefined;
  if (route.kind === "sync" && !url.searchParams.get("$filter")) throw new ODataError("Sync endpoints require a $filter on Timestamp");
  const filter = compileFilter(url.searchParams.get("$filter"), known);
  const key = route.stored ? requiredValue(url.searchParams.get("$filter"), route.shape.key) : undefined;
  rows = (key === undefined ? rows : rowsWithKey(rows, route.shape.key, key)).filter(filter);
  const orderKey = route.kind === "sync" ? "_ts" : route.shape.key;
  const cmp = (a: Row, b: Row) => {
    const x = a[orderKey] as string | number;
    const y = b[orderKey] as string | number;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  rows = [...rows].sort(cmp);
  const skip = url.searchParams.get("$skiptoken");
  if (skip) {
    const m = /^guid'(.+)'$/.exec(skip) ?? /^(\d+)L?$/.exec(skip);
    if (!m) throw new ODataError("Invalid $skiptoken");
    const after = route.kind === "sync" ? Number(m[1]) : m[1].toLowerCase();
    rows = rows.filter((r) => (route.kind === "sync" ? (r._ts as number) > (after as number) : String(r[orderKey]).toLowerCase() > (after as string)));
  }
  const top = url.searchParams.get("$top");
  const pageSize = route.kind === "standard" ? ctx.settings.pageSize : ctx.settings.bulkPageSize;
  const ser = (r: Row) => {
    const out = serialize(r, route.shape, { base: ctx.base, division: ctx.division.code, select, expand });
    if (route.kind === "sync") delete out.__metadata;
    return out;
  };
  if (top !== null) {
    const n = Number(top);
    if (!Number.isInteger(n) || n < 0) throw new ODataError("Invalid $top");
    // Queries with $top come back as a bare array in `d`.
    return send(res, 200, { d: rows.slice(0, Math.min(n, pageSize)).map(ser) }, headers);
  }
  const page = rows.slice(0, pageSize);
  const d: Row = { results: page.map(ser) };
  if (rows.length > pageSize) {
    const last = page[page.length - 1];
    // Exact's next links keep the query as sent and append `$skiptoken` unencoded.
    const kept = url.search
      .slice(1)
      .split("&")
      .filter((p) => p && !/^(\$|%24)skiptoken=/i.test(p));
    kept.push(`$skiptoken=${route.kind === "sync" ? `${last._ts}L` : `guid'${String(last[orderKey])}'`}`);
    d.__next = `${ctx.base}${url.pathname.replace(/^\/[a-z]{2}(?=\/api\/)/, "")}?${kept.join("&")}`;
  }
  send(res, 200, { d }, headers);
}

// ------------------------------------------------------------------------------ the API

export interface ApiCall {
  world: SandboxWorld;
  region: RegionData;
  faults: FaultSettings;
  base: string;
  /** Path after `/api/v1/`. */
  path: string;
  url: URL;
}

const ERROR_STATUSES = new Set([400, 401, 403, 404]);

export async function handleApi(call: ApiCall, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { world, region, faults } = call;
  const method = req.method ?? "GET";
  const isWrite = method !== "GET";
  if (faults.latencyMs > 0) await delay(faults.latencyMs);
  const who = authenticate(world, region, req);
  if (!who) {
    return sendError(res, 401, "Unauthorized: the access token is missing, unknown in this region, or expired", {
      "www-authenticate": 'Bearer error="invalid_token"',
    });
  }
  const fault = nextFault(faults, isWrite, undefined, world.now());
  if (fault === "expireAuth") {
    expireToken(region, req, world.now());
    return sendError(res, 401, "Unauthorized: the access token has expired", { "www-authenticate": 'Bearer error="invalid_token"' });
  }
  if (call.path.toLowerCase() === "current/me") {
    if (fault === "serverError") return sendError(res, 503, "Service Unavailable");
    if (fault === "rateLimit") return sendError(res, 429, "Too many requests", { "retry-after": String(faults.retryAfterSeconds ?? 60) });
    return send(res, 200, {
      d: {
        results: [
          {
            __metadata: { uri: `${call.base}/api/v1/current/Me(guid'${who.user.id}')`, type: "Exact.Web.Api.System.Me" },
            UserID: who.user.id,
            UserName: who.user.email,
            FullName: who.user.name,
            Email: who.user.email,
            CurrentDivision: who.user.current,
            DivisionCustomer: null,
            LanguageCode: "en-US",
          },
        ],
      },
    });
  }
  const match = /^(\d+)\/(.+)$/.exec(call.path);
  if (!match) return sendError(res, 404, "Not found");
  const division = region.divisions.get(Number(match[1]));
  if (!division || !who.user.divisions.includes(division.code)) return sendError(res, 403, "Forbidden - WrongDivision");
  const rest = match[2];
  const keyMatch = /^(.*)\((guid'[^']*'|\d+)\)$/.exec(rest);
  const entityPath = (keyMatch ? keyMatch[1] : rest).toLowerCase();
  const key = keyMatch ? keyMatch[2].replace(/^guid'|'$/g, "") : undefined;
  const errorKey = `${who.pair.clientId}|${who.user.id}|${division.code}|${entityPath}`;
  const recent = (region.errors.get(errorKey) ?? []).filter((t) => world.now() - t < 3_600_000);
  if (recent.length >= world.settings.errorLimitPerHour) {
    return sendError(res, 429, `Too many errors on ${entityPath}: the app is blocked for this endpoint for an hour`, {
      "retry-after": String(Math.ceil((recent[0] + 3_600_000 - world.now()) / 1000)),
    });
  }

  const limits = rateLimit(world, division, who.pair.clientId, fault !== "rateLimit");
  if (fault === "rateLimit") {
    // With retryAfterSeconds set: one refused call with Retry-After (the window's budget is left alone);
    // otherwise the minute's budget is spent, as when the app really exceeds it.
    if (faults.retryAfterSeconds !== undefined) {
      return sendError(res, 429, "Too many requests", { ...limits.headers, "retry-after": String(faults.retryAfterSeconds) });
    }
    return sendError(res, 429, "Too many requests: API limit per minute reached", forcedMinutely429(world, division, who.pair.clientId));
  }
  if (limits.exceeded) {
    return sendError(res, 429, `Too many requests: ${limits.exceeded} API limit reached`, limits.headers);
  }
  if (fault === "serverError") return sendError(res, 503, "Service Unavailable", limits.headers);

  const status = await dispatch({ ...call, who, division, entityPath, key, method, headers: limits.headers }, req, res, fault === "dropAfterWrite");
  if (ERROR_STATUSES.has(status)) {
    const list = region.errors.get(errorKey) ?? [];
    list.push(world.now());
    region.errors.set(errorKey, list);
  }
}

interface Dispatch extends ApiCall {
  who: Authenticated;
  division: DivisionData;
  entityPath: string;
  key?: string;
  method: string;
  headers: Record<string, string>;
}

/** Route one call; returns the status sent (0 when the response was dropped). */
async function dispatch(d: Dispatch, req: IncomingMessage, res: ServerResponse, drop: boolean): Promise<number> {
  const { world, division, entityPath, key, method, headers } = d;
  const reply = (status: number, body?: object): number => {
    if (drop) {
      dropResponse(res);
      return 0;
    }
    if (status === 204) {
      res.writeHead(204, headers);
      res.end();
    } else send(res, status, body, headers);
    return status;
  };
  try {
    if (method === "GET" && entityPath === "system/divisions") {
      const rows = [...d.region.divisions.values()]
        .filter((x) => d.who.user.divisions.includes(x.code))
        .map((x) => ({ Code: x.code, Description: x.description, Country: x.country, Currency: x.currency, Current: x.code === d.who.user.current }));
      const filtered = rows.filter(compileFilter(d.url.searchParams.get("$filter"), ["Code", "Description", "Country", "Currency", "Current"]));
      return reply(200, {
        d: {
          results: filtered.map((r) => ({ __metadata: { uri: `${d.base}/api/v1/${division.code}/system/Divisions(${r.Code})`, type: "Exact.Web.Api.Models.Division" }, ...r })),
        },
      });
    }
    if (method === "GET" && entityPath === "read/sync/sync/synctimestamp") {
      const modified = d.url.searchParams.get("modified") ?? "";
      const endPoint = (d.url.searchParams.get("endPoint") ?? "").replace(/^'|'$/g, "").toLowerCase();
      const routeName = SYNC_API_NAMES[endPoint];
      const m = /^datetime'(.+)'$/.exec(modified);
      if (!routeName || !m) throw new ODataError("Parameters modified (datetime'…') and endPoint ('SalesInvoice/SalesInvoices') are required");
      const since = dateMs(m[1]);
      if (since === undefined) throw new ODataError("Invalid modified date");
      const rows = ROUTES[routeName].rows(division);
      const before = rows.filter((r) => (dateMs(r.Modified ?? r.DeletedDate) ?? 0) < since).map((r) => r._ts as number);
      const ts = before.length ? Math.max(...before) : 1;
      return reply(200, { d: { results: [{ Modified: odataDate(since), API: endPoint, TimeStampAsBigInt: ts }] } });
    }
    const route = ROUTES[entityPath];
    if (!route) return reply(404, envelope(`Resource not found: ${entityPath}`));
    const ctx: ReadContext = { base: d.base, division, url: d.url, settings: world.settings };
    if (method === "GET") {
      if (key) {
        const row = route.rows(division).find((r) => String(r[route.shape.key]).toLowerCase() === key.toLowerCase());
        if (!row) return reply(404, envelope("Not found"));
        return reply(200, {
          d: serialize(row, route.shape, { base: d.base, division: division.code, select: parseSelect(d.url.searchParams.get("$select")), expand: parseSelect(d.url.searchParams.get("$expand")) }),
        });
      }
      if (drop) {
        dropResponse(res);
        return 0;
      }
      collection(res, route, ctx, headers);
      return 200;
    }
    if (route.kind !== "standard") return reply(405, envelope("Bulk and sync endpoints are read-only"));
    const text = method === "DELETE" ? "" : await readBody(req);
    let body: Record<string, unknown> = {};
    if (text) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new ODataError("Error processing request stream. The request body is not valid JSON.");
      }
    }
    const now = world.now();
    const ser = (row: Row, shape: EntityShape) => serialize(row, shape, { base: d.base, division: division.code });
    switch (`${method} ${entityPath}${key ? "(key)" : ""}`) {
      case "POST salesinvoice/salesinvoices": {
        const invoice = createInvoice(division, body, now);
        notify(world, division, "SalesInvoices", "Create", String(invoice.InvoiceID), SHAPES.invoices.path);
        return reply(201, { d: ser(invoice, SHAPES.invoices) });
      }
      case "PUT salesinvoice/salesinvoices(key)": {
        const invoice = updateInvoice(division, key!, body, now);
        notify(world, division, "SalesInvoices", "Update", String(invoice.InvoiceID), SHAPES.invoices.path);
        return reply(204);
      }
      case "DELETE salesinvoice/salesinvoices(key)": {
        deleteInvoice(division, key!, now, d.who.user.id);
        notify(world, division, "SalesInvoices", "Delete", key!.toLowerCase(), SHAPES.invoices.path);
        return reply(204);
      }
      case "POST generaljournalentry/generaljournalentries": {
        const entry = createEntry(division, body, now);
        notify(world, division, "GeneralJournalEntries", "Create", String(entry.EntryID), SHAPES.entries.path);
        return reply(201, { d: ser(entry, SHAPES.entries) });
      }
      case "POST webhooks/webhooksubscriptions": {
        const callback = typeof body.CallbackURL === "string" ? body.CallbackURL : "";
        const topic = typeof body.Topic === "string" ? body.Topic : "";
        if (!callback) throw new ODataError("Mandatory: CallbackURL");
        if (!TOPICS.includes(topic)) throw new ODataError(`Invalid topic: ${topic || "(empty)"}`);
        if (!/^https?:\/\//.test(callback)) throw new ODataError("CallbackURL must be an absolute URL");
        if (division.subscriptions.some((s) => s.CallbackURL === callback && s.Topic === topic && s.ClientID === d.who.pair.clientId)) {
          throw new ODataError("A subscription for this topic and callback URL already exists");
        }
        const id = newGuid();
        const invalid = await validateCallback(world, id, callback);
        if (invalid) return reply(500, envelope(invalid));
        const sub: Row = {
          ID: id,
          CallbackURL: callback,
          Topic: topic,
          ClientID: d.who.pair.clientId,
          Division: division.code,
          UserID: d.who.user.id,
          IsInstant: false,
          Description: typeof body.Description === "string" ? body.Description : null,
          Created: odataDate(now),
          _base: d.base,
        };
        division.subscriptions.push(sub);
        return reply(201, { d: ser(sub, SHAPES.subscriptions) });
      }
      case "PUT webhooks/webhooksubscriptions(key)":
        throw new ODataError("Webhook subscriptions cannot be updated: delete and create again");
      case "DELETE webhooks/webhooksubscriptions(key)": {
        const sub = findById(division.subscriptions, "ID", key!);
        if (!sub || sub.ClientID !== d.who.pair.clientId) return reply(404, envelope("Not found"));
        division.subscriptions = division.subscriptions.filter((s) => s !== sub);
        return reply(204);
      }
      default:
        return reply(405, envelope(`${method} is not allowed on ${entityPath}`));
    }
  } catch (error) {
    if (error instanceof ODataError) return reply(error.status, envelope(error.message));
    throw error;
  }
}

/**
 * In-memory state of the Exact Online sandbox: seven regions, each with its own users, token
 * stores and divisions; each division with its ledgers, a rowversion counter (sync Timestamp),
 * deletions, webhook subscriptions and rate-limit counters. Domain operations (invoice and
 * journal entry posting) validate like Exact and throw ODataError with Exact's messages.
 */
import { createHash, randomUUID } from "node:crypto";
import { ODataError, odataDate, type Row } from "./odata";

export const REGION_KEYS = ["nl", "be", "uk", "de", "fr", "es", "us"] as const;
export type RegionKey = (typeof REGION_KEYS)[number];

export const REGION_HOSTS: Record<string, RegionKey> = {
  "start.exactonline.nl": "nl",
  "start.exactonline.be": "be",
  "start.exactonline.co.uk": "uk",
  "start.exactonline.de": "de",
  "start.exactonline.fr": "fr",
  "start.exactonline.es": "es",
  "start.exactonline.com": "us",
};

export interface App {
  clientId: string;
  secret: string;
  webhookSecret: string;
  name: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  divisions: number[];
  current: number;
}

export interface CodeGrant {
  clientId: string;
  userId: string;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

/** One issued access/refresh pair. `used` once its access token or refresh token was used. */
export interface TokenPair {
  id: string;
  chainId: string;
  clientId: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  issuedAt: number;
  accessExpiresAt: number;
  used: boolean;
  /** Set when this pair's refresh token was traded for a newer pair. */
  rotatedTo?: string;
  revoked?: boolean;
}

export interface Chain {
  id: string;
  lastIssuedAt: number;
}

export interface RateCounters {
  minuteStart: number;
  minuteCount: number;
  dayStart: number;
  dayCount: number;
  /** Calls answered 429 because a limit was used up (sandbox statistics). */
  refused?: number;
}

export interface DivisionData {
  code: number;
  region: RegionKey;
  description: string;
  country: string;
  currency: string;
  ts: number;
  nextInvoiceNumber: number;
  nextEntryNumber: number;
  accounts: Row[];
  addresses: Row[];
  items: Row[];
  glAccounts: Row[];
  costCenters: Row[];
  costUnits: Row[];
  vatCodes: Row[];
  journals: Row[];
  invoices: Row[];
  entries: Row[];
  subscriptions: Row[];
  deleted: Row[];
  /** Closed financial periods per journal code ("*" closes the period for every journal). */
  closedPeriods: { journal: string; year: number; period: number }[];
  rate: Map<string, RateCounters>;
  /** This division's own limits per app (`POST /__sandbox/limits`); absent: the sandbox settings. */
  limits?: { minutely?: number; daily?: number };
}

export interface RegionData {
  key: RegionKey;
  divisions: Map<number, DivisionData>;
  users: Map<string, User>;
  codes: Map<string, CodeGrant>;
  pairs: Map<string, TokenPair>;
  byAccess: Map<string, string>;
  byRefresh: Map<string, string>;
  chains: Map<string, Chain>;
  /** Token-endpoint calls per app+user per UTC day. */
  tokenCalls: Map<string, { day: number; count: number }>;
  /** Error responses per app+user+division+endpoint (epoch ms). */
  errors: Map<string, number[]>;
}

export interface SandboxSettings {
  pageSize: number;
  bulkPageSize: number;
  minutelyLimit: number;
  dailyLimit: number;
  tokenDailyLimit: number;
  errorLimitPerHour: number;
}

export const defaultSettings = (): SandboxSettings => ({
  pageSize: 60,
  bulkPageSize: 1000,
  minutelyLimit: 60,
  dailyLimit: 5000,
  tokenDailyLimit: 200,
  errorLimitPerHour: 10,
});

/** Stable GUIDs for seeded rows, so demo IDs survive a restart. */
export function stableGuid(...parts: (string | number)[]): string {
  const h = createHash("sha1").update(parts.join("|")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const newGuid = (): string => randomUUID();

export const round2 = (n: number): number => Math.round(n * 100) / 100;
export const dateMs = (value: unknown): number | undefined => {
  if (typeof value !== "string") return undefined;
  const m = /^\/Date\((-?\d+)/.exec(value);
  if (m) return Number(m[1]);
  const parsed = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value) || value.length <= 10 ? value : `${value}Z`);
  return Number.isNaN(parsed) ? undefined : parsed;
};

export function padAccountCode(code: string): string {
  return code.padStart(18, " ");
}
export function padVatCode(code: string): string {
  return code.padEnd(3, " ");
}

const sameId = (a: unknown, b: unknown) => typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();

export function findById(rows: Row[], key: string, id: string): Row | undefined {
  return rows.find((r) => sameId(r[key], id));
}

function touch(div: DivisionData, row: Row, now: number): void {
  div.ts += 1;
  row._ts = div.ts;
  row.Modified = odataDate(now);
}

// ------------------------------------------------------------------------------ sales invoices

export interface InvoiceInput {
  InvoiceTo?: string;
  OrderedBy?: string;
  DeliverTo?: string;
  InvoiceDate?: string;
  Journal?: string;
  Currency?: string;
  /** Sandbox only: the rate from the invoice currency to the division currency (AmountDC = AmountFC x rate). */
  ExchangeRate?: number;
  Description?: string;
  YourRef?: string;
  Status?: number;
  Type?: number;
  SalesInvoiceLines?: {
    Item?: string;
    ItemCode?: string;
    Quantity?: number;
    UnitPrice?: number;
    Discount?: number;
    Description?: string;
    GLAccount?: string;
    VATCode?: string;
    CostCenter?: string;
    CostUnit?: string;
  }[];
}

function vatPercentage(div: DivisionData, code: string): number {
  const vat = div.vatCodes.find((v) => String(v.Code).trim() === code.trim());
  return typeof vat?.Percentage === "number" ? vat.Percentage : 0;
}

function buildLines(div: DivisionData, invoice: Row, lines: NonNullable<InvoiceInput["SalesInvoiceLines"]>, now: number): Row[] {
  const rate = typeof invoice._rate === "number" ? invoice._rate : 1;
  return lines.map((input, index) => {
    const item =
      (input.Item ? findById(div.items, "ID", input.Item) : undefined) ??
      (input.ItemCode ? div.items.find((i) => i.Code === input.ItemCode) : undefined);
    if ((input.Item || input.ItemCode) && !item) throw new ODataError(`Item not found: ${input.Item ?? input.ItemCode}`);
    const quantity = input.Quantity ?? 1;
    const unitPrice = input.UnitPrice ?? (item?._price as number | undefined) ?? 0;
    const discount = input.Discount ?? 0;
    const glAccount = input.GLAccount ?? (item?.GLRevenue as string | undefined);
    if (!glAccount || !findById(div.glAccounts, "ID", glAccount)) throw new ODataError("Mandatory: GL account (revenue) of the line");
    const vatCode = padVatCode((input.VATCode ?? (item?.SalesVatCode as string | undefined) ?? "0").trim());
    const pct = vatPercentage(div, vatCode);
    const amount = round2(quantity * unitPrice * (1 - discount));
    const row: Row = {
      ID: newGuid(),
      InvoiceID: invoice.InvoiceID,
      LineNumber: index + 1,
      Item: item?.ID ?? null,
      ItemCode: item?.Code ?? null,
      ItemDescription: item?.Description ?? null,
      Description: input.Description ?? item?.Description ?? null,
      Quantity: quantity,
      UnitPrice: unitPrice,
      NetPrice: round2(unitPrice * (1 - discount)),
      Discount: discount,
      AmountFC: amount,
      AmountDC: round2(amount * rate),
      VATAmountFC: round2(amount * pct),
      VATAmountDC: round2(amount * pct * rate),
      VATCode: vatCode,
      VATPercentage: pct,
      GLAccount: glAccount,
      CostCenter: input.CostCenter ?? null,
      CostUnit: input.CostUnit ?? null,
      Division: div.code,
    };
    div.ts += 1;
    row._ts = div.ts;
    void now;
    return row;
  });
}

function totals(invoice: Row): void {
  const lines = invoice._lines as Row[];
  const net = round2(lines.reduce((s, l) => s + (l.AmountFC as number), 0));
  const vat = round2(lines.reduce((s, l) => s + (l.VATAmountFC as number), 0));
  const netDC = round2(lines.reduce((s, l) => s + (l.AmountDC as number), 0));
  const vatDC = round2(lines.reduce((s, l) => s + (l.VATAmountDC as number), 0));
  Object.assign(invoice, { AmountFCExclVat: net, VATAmountFC: vat, VATAmountDC: vatDC, AmountFC: round2(net + vat), AmountDC: round2(netDC + vatDC) });
}

export function createInvoice(div: DivisionData, input: InvoiceInput, now: number): Row {
  if (!input.SalesInvoiceLines || input.SalesInvoiceLines.length === 0) {
    throw new ODataError("SalesInvoiceLines: at least one line is required (deep insert)");
  }
  const customer = input.InvoiceTo ?? input.OrderedBy;
  if (!customer) throw new ODataError("Mandatory: OrderedBy");
  const account = findById(div.accounts, "ID", customer);
  if (!account) throw new ODataError(`Customer account not found: ${customer}`);
  const journal = input.Journal ?? "70";
  if (!div.journals.some((j) => j.Code === journal && j.Type === 20)) throw new ODataError(`Journal ${journal} is not a sales journal`);
  const invoiceDate = dateMs(input.InvoiceDate) ?? Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  const invoice: Row = {
    InvoiceID: newGuid(),
    InvoiceNumber: div.nextInvoiceNumber++,
    Division: div.code,
    Status: input.Status ?? 20,
    Type: input.Type ?? 8020,
    Journal: journal,
    InvoiceTo: account.ID,
    InvoiceToName: account.Name,
    OrderedBy: input.OrderedBy ?? account.ID,
    DeliverTo: input.DeliverTo ?? account.ID,
    DeliveryAddress: null,
    InvoiceDate: odataDate(invoiceDate),
    DueDate: odataDate(invoiceDate + 30 * 86_400_000),
    Currency: input.Currency ?? div.currency,
    YourRef: input.YourRef ?? null,
    Description: input.Description ?? null,
    OrderNumber: null,
    Created: odataDate(now),
    Modified: odataDate(now),
  };
  const currency = input.Currency ?? div.currency;
  if (currency !== div.currency && !(typeof input.ExchangeRate === "number" && input.ExchangeRate > 0)) {
    throw new ODataError(`No exchange rate from ${currency} to ${div.currency} for the invoice date`);
  }
  invoice._rate = currency === div.currency ? 1 : input.ExchangeRate;
  if ((invoice.Type === 8021 || invoice.Type === 8024) && input.SalesInvoiceLines.some((l) => (l.Quantity ?? 1) > 0)) {
    throw new ODataError("Credit note lines must have a negative quantity");
  }
  invoice._lines = buildLines(div, invoice, input.SalesInvoiceLines, now);
  totals(invoice);
  touch(div, invoice, now);
  div.invoices.push(invoice);
  return invoice;
}

const UPDATABLE_INVOICE_FIELDS = ["Description", "YourRef", "InvoiceDate", "DueDate", "Status", "OrderNumber", "DeliverTo"];

export function updateInvoice(div: DivisionData, id: string, patch: Record<string, unknown>, now: number): Row {
  const invoice = findById(div.invoices, "InvoiceID", id);
  if (!invoice) throw new ODataError("Not found", 404);
  if (invoice.Status === 50 && Object.keys(patch).some((k) => k !== "Description")) {
    throw new ODataError("Processed invoices cannot be changed");
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === "SalesInvoiceLines") {
      invoice._lines = buildLines(div, invoice, value as NonNullable<InvoiceInput["SalesInvoiceLines"]>, now);
      totals(invoice);
      continue;
    }
    if (!UPDATABLE_INVOICE_FIELDS.includes(key)) throw new ODataError(`Property ${key} cannot be updated`);
    invoice[key] = key.endsWith("Date") && typeof value === "string" ? odataDate(dateMs(value) ?? now) : value;
  }
  for (const line of invoice._lines as Row[]) {
    div.ts += 1;
    line._ts = div.ts;
  }
  touch(div, invoice, now);
  return invoice;
}

export function deleteInvoice(div: DivisionData, id: string, now: number, userId: string): void {
  const invoice = findById(div.invoices, "InvoiceID", id);
  if (!invoice) throw new ODataError("Not found", 404);
  // Draft and open invoices can be removed; a processed one only corrected by a credit note.
  if (invoice.Status === 50) throw new ODataError("Processed invoices cannot be deleted: enter a credit note");
  div.invoices = div.invoices.filter((r) => r !== invoice);
  div.ts += 1;
  div.deleted.push({
    ID: newGuid(),
    EntityKey: invoice.InvoiceID,
    EntityType: 13,
    DeletedBy: userId,
    DeletedDate: odataDate(now),
    Division: div.code,
    Timestamp: div.ts,
    _ts: div.ts,
  });
}

// ------------------------------------------------------------------------------ journal entries

export interface EntryInput {
  JournalCode?: string;
  FinancialYear?: number;
  FinancialPeriod?: number;
  Currency?: string;
  ExchangeRate?: number;
  Reversal?: boolean;
  GeneralJournalEntryLines?: {
    GLAccount?: string;
    AmountFC?: number;
    AmountDC?: number;
    Date?: string;
    Description?: string;
    CostCenter?: string;
    CostUnit?: string;
    VATCode?: string;
    Notes?: string;
    OurRef?: number;
  }[];
  [other: string]: unknown;
}

export function createEntry(div: DivisionData, input: EntryInput, now: number): Row {
  if (!input.JournalCode) throw new ODataError("Mandatory: JournalCode");
  for (const forbidden of ["EntryDate", "Description"]) {
    if (forbidden in input) throw new ODataError(`Property ${forbidden} does not exist on GeneralJournalEntry`);
  }
  const journal = div.journals.find((j) => j.Code === String(input.JournalCode).trim());
  if (!journal) throw new ODataError(`Journal ${input.JournalCode} does not exist`);
  if (journal.Type !== 90) throw new ODataError(`Journal ${input.JournalCode} is not a general journal`);
  if (journal.IsBlocked) throw new ODataError(`Journal ${input.JournalCode} is blocked`);
  const lines = input.GeneralJournalEntryLines ?? [];
  if (lines.length === 0) throw new ODataError("GeneralJournalEntryLines: at least one line is required");
  const currency = input.Currency ?? div.currency;
  if (currency !== div.currency && !journal.AllowVariableCurrency) {
    throw new ODataError(`Journal ${journal.Code} does not allow currency ${currency}: only ${journal.Currency ?? div.currency}`);
  }
  const rate = currency === div.currency ? 1 : input.ExchangeRate;
  if (typeof rate !== "number" || !(rate > 0)) throw new ODataError(`Mandatory: ExchangeRate for currency ${currency}`);
  let total = 0;
  let totalDC = 0;
  const entryId = newGuid();
  const built = lines.map((l, i) => {
    const gl = l.GLAccount ? findById(div.glAccounts, "ID", l.GLAccount) : undefined;
    if (!gl) throw new ODataError(`Line ${i + 1}: GL account not found: ${l.GLAccount ?? "(empty)"}`);
    if (gl.IsBlocked) throw new ODataError(`Line ${i + 1}: GL account ${gl.Code} is blocked`);
    if (typeof l.AmountFC !== "number" || !Number.isFinite(l.AmountFC)) throw new ODataError(`Line ${i + 1}: Mandatory: AmountFC`);
    const date = dateMs(l.Date);
    if (date === undefined) throw new ODataError(`Line ${i + 1}: Mandatory: Date`);
    if (l.VATCode && !journal.AllowVAT) throw new ODataError(`Line ${i + 1}: VAT code not allowed in journal ${journal.Code}`);
    if (l.CostCenter && !div.costCenters.some((c) => c.Code === l.CostCenter)) throw new ODataError(`Line ${i + 1}: Cost center ${l.CostCenter} does not exist`);
    if (l.CostUnit && !div.costUnits.some((c) => c.Code === l.CostUnit)) throw new ODataError(`Line ${i + 1}: Cost unit ${l.CostUnit} does not exist`);
    if (gl.UseCostcenter === 1 && !l.CostCenter) throw new ODataError(`Line ${i + 1}: Mandatory: Cost center for GL account ${gl.Code}`);
    const closed = closedPeriod(div, journal.Code as string, new Date(date));
    if (closed) throw new ODataError(`Period is closed: ${closed.year} - ${closed.period}`);
    const amountDC = typeof l.AmountDC === "number" ? l.AmountDC : round2(l.AmountFC * rate);
    total += Math.round(l.AmountFC * 100);
    totalDC += Math.round(amountDC * 100);
    return {
      ID: newGuid(),
      EntryID: entryId,
      LineNumber: i + 1,
      GLAccount: gl.ID,
      GLAccountCode: gl.Code,
      GLAccountDescription: gl.Description,
      AmountFC: l.AmountFC,
      AmountDC: amountDC,
      VATCode: l.VATCode ? padVatCode(l.VATCode) : null,
      Date: odataDate(date),
      Description: l.Description ?? null,
      CostCenter: l.CostCenter ?? null,
      CostUnit: l.CostUnit ?? null,
      Notes: l.Notes ?? null,
      OurRef: l.OurRef ?? null,
      Division: div.code,
    } as Row;
  });
  if (total !== 0) throw new ODataError(`Entry is not in balance: difference ${(total / 100).toFixed(2)}`);
  if (totalDC !== 0) throw new ODataError(`Entry is not in balance: difference ${div.currency} ${(totalDC / 100).toFixed(2)}`);
  const first = new Date(dateMs(built[0].Date)!);
  if (input.FinancialYear !== undefined && input.FinancialPeriod !== undefined) {
    const header = div.closedPeriods.find((c) => (c.journal === "*" || c.journal === journal.Code) && c.year === input.FinancialYear && c.period === input.FinancialPeriod);
    if (header) throw new ODataError(`Period is closed: ${header.year} - ${header.period}`);
  }
  const entry: Row = {
    EntryID: entryId,
    EntryNumber: div.nextEntryNumber++,
    JournalCode: journal.Code,
    JournalDescription: journal.Description,
    FinancialYear: input.FinancialYear ?? first.getUTCFullYear(),
    FinancialPeriod: input.FinancialPeriod ?? first.getUTCMonth() + 1,
    Currency: currency,
    ExchangeRate: rate,
    Reversal: input.Reversal === true,
    Status: 20,
    Type: 90,
    Division: div.code,
    Created: odataDate(now),
    Modified: odataDate(now),
    _lines: built,
  };
  touch(div, entry, now);
  div.entries.push(entry);
  return entry;
}

// ------------------------------------------------------------------------------ financial periods

/** The closed period (journal or all journals) a date falls in, if any. Periods are calendar months. */
export function closedPeriod(div: DivisionData, journal: string, date: Date): { year: number; period: number } | undefined {
  const year = date.getUTCFullYear();
  const period = date.getUTCMonth() + 1;
  return div.closedPeriods.find((c) => (c.journal === "*" || c.journal === journal) && c.year === year && c.period === period);
}

/** financial/FinancialPeriods: twelve calendar-month periods a year, 2020 to 2030. */
export function financialPeriods(div: DivisionData): Row[] {
  const rows: Row[] = [];
  for (let year = 2020; year <= 2030; year++) {
    for (let period = 1; period <= 12; period++) {
      rows.push({
        ID: stableGuid(div.code, "period", year, period),
        FinYear: year,
        FinPeriod: period,
        StartDate: odataDate(Date.UTC(year, period - 1, 1)),
        EndDate: odataDate(Date.UTC(year, period, 0)),
        Division: div.code,
      });
    }
  }
  return rows;
}

/** read/financial/JournalStatusByFinancialPeriod: Status 0 open, 1 closed, per journal and period. */
export function journalStatuses(div: DivisionData): Row[] {
  return div.journals.flatMap((j) =>
    financialPeriods(div).map((p) => ({
      ID: stableGuid(div.code, "journal-status", String(j.Code), p.FinYear as number, p.FinPeriod as number),
      Journal: j.Code,
      JournalType: j.Type,
      Year: p.FinYear,
      Period: p.FinPeriod,
      Status: div.closedPeriods.some((c) => (c.journal === "*" || c.journal === j.Code) && c.year === p.FinYear && c.period === p.FinPeriod) ? 1 : 0,
      Division: div.code,
    })),
  );
}

// ------------------------------------------------------------------------------ the whole sandbox

export interface Delivery {
  id: string;
  subscriptionId: string;
  callbackUrl: string;
  body: string;
  status?: number;
  error?: string;
  at: number;
  kind: "validation" | "notification";
}

export interface SandboxWorld {
  regions: Map<RegionKey, RegionData>;
  apps: Map<string, App>;
  settings: SandboxSettings;
  now(): number;
  deliveries: Delivery[];
  /** Deliveries still in flight (tests await them). */
  pending: Set<Promise<void>>;
}

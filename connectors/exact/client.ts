/**
 * The Exact Online client nodes use through `ctx.client`: one division of one region, with its
 * token pair in the connection state. Every remote call goes through `ExactTransport`.
 *
 * Why reads filter instead of addressing `Entity(guid'…')`: a missing record then comes back as
 * an empty list rather than a 404, and Exact counts 404s against the app key (10 per endpoint
 * per hour block it).
 */
import type { ConnectorEnv } from "../sdk";
import { NeedsReviewError, PermanentError } from "../sdk";
import { ReferenceCache, type Reference } from "../sdk/reference-cache";
import { TokenManager } from "./auth";
import type { ExactConfig, ExactSecrets } from "./config";
import { dateLiteral, expanded, guidLiteral, int64Literal, isGuid, quote, readEntity, readCollection } from "./odata";
import { regionBaseUrl } from "./regions";
import {
  ADDRESS_TYPE,
  Account,
  Address,
  CostCenter,
  CostUnit,
  Division,
  GLAccount,
  GeneralJournalEntry,
  GeneralJournalEntryLine,
  Journal,
  Me,
  SalesInvoice,
  SalesInvoiceLine,
  SyncDeleted,
  VATCode,
  WebhookSubscription,
  type AddressRecord,
  type AccountRecord,
  type FullSalesInvoice,
  type GLAccountRecord,
  type GeneralJournalEntryLineRecord,
  type GeneralJournalEntryRecord,
  type WebhookSubscriptionRecord,
} from "./schemas";
import { ExactTransport } from "./transport";
import { verifyDelivery } from "./webhook";

export type ExactEnv = ConnectorEnv<ExactConfig, ExactSecrets>;

/** A sales invoice and its lines as `getSalesInvoice` reads them. */
export type SalesInvoiceWithLines = NonNullable<Awaited<ReturnType<ExactClient["getSalesInvoice"]>>>;

export function journalKey(division: number, invoiceId: string): string {
  return `exact:${division}:${invoiceId.toLowerCase()}:journal`;
}

/**
 * A division's currency and chart of accounts, read at most once a minute per worker process
 * instead of once per record (two of the nine calls a posted invoice cost, and the chart is the
 * largest answer of the run). A stale copy never decides a record's outcome: a lookup that misses
 * or meets a blocked account reads the chart again before it sends the record to review, and an
 * entry Exact refuses while its accounts came from here is checked against a fresh chart.
 */
export const REFERENCE_MAX_AGE_MS = 60_000;
const reference = new ReferenceCache({ maxAgeMs: REFERENCE_MAX_AGE_MS, maxEntries: 500 });

/** GL account codes in chart order ("2" before "10"); one collator, not one per comparison. */
const byAccountCode = new Intl.Collator("en", { numeric: true });

/** A chart of accounts in chart order, indexed once per read by code and by GUID. */
interface Chart {
  accounts: GLAccountRecord[];
  byCode: Map<string, GLAccountRecord>;
  byId: Map<string, GLAccountRecord>;
}

function chartOf(accounts: GLAccountRecord[]): Chart {
  accounts.sort((a, b) => byAccountCode.compare(a.Code ?? "", b.Code ?? ""));
  return { accounts, byCode: new Map(accounts.map((a) => [a.Code ?? "", a])), byId: new Map(accounts.map((a) => [a.ID ?? "", a])) };
}

/** Accounts for codes or GUIDs, and the references that are not found or blocked. */
function matchAccounts(chart: Chart, refs: string[]) {
  const out = new Map<string, GLAccountRecord>();
  const missing: string[] = [];
  const blocked: string[] = [];
  for (const ref of new Set(refs)) {
    const key = ref.trim();
    const found = isGuid(key) ? chart.byId.get(key.toLowerCase()) : chart.byCode.get(key);
    if (!found) missing.push(ref);
    else if (found.IsBlocked) blocked.push(`${found.Code} ${found.Description ?? ""}`.trim());
    else out.set(ref, found);
  }
  return { out, missing, blocked };
}

/** Header fields the sync endpoint repeats on each invoice line row. */
const SYNC_INVOICE_SELECT = "Timestamp,InvoiceID,InvoiceNumber,Status,Type,InvoiceDate,Modified,Currency,AmountFC,InvoiceTo";

export interface SyncInvoiceRow {
  timestamp: string;
  invoiceId: string;
  invoiceNumber: number | null;
  status: number | null;
  modified: string | null;
}

export interface NewJournalEntry {
  journalCode: string;
  financialYear?: number;
  financialPeriod?: number;
  currency?: string;
  /** Rate from the entry currency to the division currency (AmountDC = AmountFC x rate). */
  exchangeRate?: number;
  /** A correction with negated amounts on the same side as the entry it corrects. */
  reversal?: boolean;
  lines: {
    glAccount: string;
    amount: number;
    /** Amount in the division currency; Exact computes it from the rate when omitted. */
    amountDC?: number;
    date: string;
    description?: string;
    costCenter?: string;
    costUnit?: string;
    vatCode?: string;
    notes?: string;
  }[];
}

export interface JournalEntryWithLines {
  entry: GeneralJournalEntryRecord;
  lines: GeneralJournalEntryLineRecord[];
}

export class ExactClient {
  readonly division: number;
  readonly region: ExactConfig["region"];
  readonly endpoint: string;
  readonly transport: ExactTransport;
  readonly tokens: TokenManager;
  /** The accounts of the last lookup came from the reference cache, not from a read of this run. */
  private accountsFromCache = false;

  /**
   * `shared`: the connection's transport and token manager, for the view of another division
   * (`forDivision`): one token pair per connection, rate limits per division (the transport
   * counts each call against the division in its path).
   */
  constructor(
    readonly env: ExactEnv,
    shared?: { transport: ExactTransport; tokens: TokenManager; division: number },
  ) {
    this.division = shared?.division ?? env.config.division;
    this.region = env.config.region;
    this.endpoint = regionBaseUrl(env.config.region, env.config.baseUrl);
    if (shared) {
      this.transport = shared.transport;
      this.tokens = shared.tokens;
      return;
    }
    this.transport = new ExactTransport(env, this.endpoint, this.division, env.config.clientId);
    this.tokens = new TokenManager(env, this.endpoint, this.transport, {
      clientId: env.config.clientId,
      clientSecret: env.secrets.clientSecret,
    });
    this.transport.useTokens(this.tokens);
  }

  /** The divisions this connection serves: its current division first, then the listed ones. */
  get divisions(): number[] {
    return [...new Set([this.env.config.division, ...(this.env.config.divisions ?? [])])];
  }

  serves(division: number): boolean {
    return this.divisions.includes(division);
  }

  /**
   * This client for a record's division (undefined: the connection's current division). A
   * division the connection does not list goes to review: posting it elsewhere would be wrong.
   */
  forDivision(division: number | undefined): ExactClient {
    const target = division ?? this.env.config.division;
    if (target === this.division) return this;
    if (!this.serves(target)) {
      throw new NeedsReviewError(
        `Division ${target} is not served by this Exact connection (it serves ${this.divisions.join(", ")}): add it to the connection's divisions or route the record elsewhere`,
        { system: "exact", code: "division_not_served", reasonCode: "division_not_served" },
      );
    }
    return new ExactClient(this.env, { transport: this.transport, tokens: this.tokens, division: target });
  }

  now(): number {
    return this.env.now();
  }

  private path(service: string): string {
    return `${this.division}/${service}`;
  }

  // ------------------------------------------------------------------ identity

  /** https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SystemSystemMe */
  async me() {
    const page = await this.transport.page({ path: "current/Me", query: { select: Me.select }, label: "current/Me" });
    const row = page.rows[0];
    if (!row) throw new PermanentError("Exact Online current/Me returned no user", { system: "exact", code: "no_user" });
    return Me.normalize(row);
  }

  /** https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SystemSystemDivisions */
  async getDivision() {
    const page = await this.transport.page({
      path: this.path("system/Divisions"),
      query: { filter: `Code eq ${this.division}`, select: Division.select },
      label: "system/Divisions",
    });
    return page.rows[0] ? Division.normalize(page.rows[0]) : undefined;
  }

  /** The division's currency (null: Exact did not say), from the reference cache. */
  async divisionCurrency(): Promise<string | null> {
    const { value } = await reference.get(this.referenceKey("division"), () => this.getDivision());
    return value?.Currency ?? null;
  }

  /** Where this connection's reference data for this division is kept. */
  private referenceKey(kind: string): string {
    return `${this.env.connectionId}|${this.endpoint}|${this.division}|${kind}`;
  }

  // ------------------------------------------------------------------ sales invoices

  /** https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SalesInvoiceSalesInvoices */
  async getSalesInvoice(invoiceId: string) {
    if (!isGuid(invoiceId)) throw new PermanentError(`InvoiceID must be a GUID, got "${invoiceId}"`, { system: "exact", code: "invalid_input" });
    const lineSelect = Object.keys(SalesInvoiceLine.fields).map((f) => `SalesInvoiceLines/${f}`);
    const page = await this.transport.page({
      path: this.path("salesinvoice/SalesInvoices"),
      query: {
        filter: `InvoiceID eq ${guidLiteral(invoiceId)}`,
        expand: "SalesInvoiceLines",
        select: [SalesInvoice.select, ...lineSelect].join(","),
      },
      label: "SalesInvoices (with lines)",
    });
    const row = page.rows[0];
    if (!row) return undefined;
    const lines = expanded(row.SalesInvoiceLines).map(SalesInvoiceLine.normalize);
    lines.sort((a, b) => (a.LineNumber ?? 0) - (b.LineNumber ?? 0));
    return { invoice: SalesInvoice.normalize(row), lines };
  }

  async findSalesInvoiceByNumber(invoiceNumber: number): Promise<string | undefined> {
    const page = await this.transport.page({
      path: this.path("salesinvoice/SalesInvoices"),
      query: { filter: `InvoiceNumber eq ${Math.trunc(invoiceNumber)}`, select: "InvoiceID" },
      label: "SalesInvoices by number",
    });
    const id = page.rows[0]?.InvoiceID;
    return typeof id === "string" ? id.toLowerCase() : undefined;
  }

  /** https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=CRMAccounts */
  async getAccount(accountId: string): Promise<AccountRecord | undefined> {
    const page = await this.transport.page({
      path: this.path("crm/Accounts"),
      query: { filter: `ID eq ${guidLiteral(accountId)}`, select: Account.select },
      label: "crm/Accounts",
    });
    return page.rows[0] ? Account.normalize(page.rows[0]) : undefined;
  }

  /** https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=CRMAddresses */
  async listAddresses(accountId: string): Promise<AddressRecord[]> {
    const all = await this.transport.all({
      path: this.path("crm/Addresses"),
      query: { filter: `Account eq ${guidLiteral(accountId)}`, select: Address.select },
      label: "crm/Addresses",
    });
    return all.rows.map(Address.normalize);
  }

  /** The invoice with its lines, its invoice-to account and that account's addresses. */
  async getFullSalesInvoice(invoiceId: string): Promise<FullSalesInvoice> {
    const found = await this.getSalesInvoice(invoiceId);
    if (!found) {
      throw new PermanentError(`Sales invoice ${invoiceId} does not exist in Exact division ${this.division} (deleted?)`, {
        system: "exact",
        code: "not_found",
      });
    }
    return this.withInvoiceAccount(found, invoiceId);
  }

  /** An invoice just read (`getSalesInvoice`) with its invoice-to account and addresses. */
  async withInvoiceAccount(found: SalesInvoiceWithLines, invoiceId: string): Promise<FullSalesInvoice> {
    const accountId = found.invoice.InvoiceTo;
    const account = accountId ? ((await this.getAccount(accountId)) ?? null) : null;
    const addresses = accountId ? await this.listAddresses(accountId) : [];
    return {
      division: this.division,
      invoice: found.invoice,
      lines: found.lines,
      account,
      addresses,
      billingAddress: pickBillingAddress(account, addresses),
      idempotencyKey: journalKey(this.division, found.invoice.InvoiceID ?? invoiceId),
    };
  }

  /**
   * POST a sales invoice with its lines in one request (deep insert; Exact requires the lines).
   * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SalesInvoiceSalesInvoices
   */
  async createSalesInvoice(body: Record<string, unknown>) {
    const { body: answer } = await this.transport.api({
      method: "POST",
      path: this.path("salesinvoice/SalesInvoices"),
      body,
      label: "create SalesInvoice",
    });
    const entity = readEntity(answer);
    if (!entity) throw new PermanentError("Exact Online did not return the created sales invoice", { system: "exact", code: "unexpected_format" });
    return SalesInvoice.normalize(entity);
  }

  // ------------------------------------------------------------------ sync

  /**
   * Rows changed after `timestamp` (one row per invoice line, header fields repeated), 1000 a page.
   * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SyncSalesInvoiceSalesInvoices
   */
  async syncSalesInvoices(timestamp: string): Promise<{ rows: SyncInvoiceRow[]; more: boolean }> {
    const page = await this.transport.page({
      path: this.path("sync/SalesInvoice/SalesInvoices"),
      query: { filter: `Timestamp gt ${int64Literal(timestamp)}`, select: SYNC_INVOICE_SELECT },
      label: "sync SalesInvoices",
    });
    const rows = page.rows.map((row) => ({
      timestamp: String(row.Timestamp),
      invoiceId: String(row.InvoiceID).toLowerCase(),
      invoiceNumber: typeof row.InvoiceNumber === "number" ? row.InvoiceNumber : null,
      status: typeof row.Status === "number" ? row.Status : null,
      modified: SalesInvoice.normalize(row).Modified,
    }));
    return { rows, more: Boolean(page.next) };
  }

  /**
   * The sync timestamp to start from for changes made on or after `date` (YYYY-MM-DD).
   * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=ReadSyncSyncSyncTimestamp
   */
  async syncTimestamp(date: string, endpoint = "SalesInvoice/SalesInvoices"): Promise<string> {
    const { body } = await this.transport.api({
      method: "GET",
      path: this.path("read/sync/Sync/SyncTimestamp"),
      query: { modified: dateLiteral(`${date}T00:00:00`), endPoint: quote(endpoint) },
      label: "SyncTimestamp",
    });
    const row = readEntity(body) ?? readCollection(body)?.rows[0];
    const value = row?.TimeStampAsBigInt;
    if (value === undefined || value === null) {
      throw new PermanentError("Exact Online SyncTimestamp returned no timestamp", { system: "exact", code: "unexpected_format" });
    }
    return String(value);
  }

  /**
   * Deletions after `timestamp` (EntityType 13 = sales invoices).
   * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SyncDeleted
   */
  async syncDeleted(timestamp: string, entityType?: number) {
    const filter = [`Timestamp gt ${int64Literal(timestamp)}`];
    if (entityType !== undefined) filter.push(`EntityType eq ${Math.trunc(entityType)}`);
    const page = await this.transport.page({
      path: this.path("sync/Deleted"),
      query: { filter: filter.join(" and "), select: SyncDeleted.select },
      label: "sync Deleted",
    });
    return { rows: page.rows.map(SyncDeleted.normalize), more: Boolean(page.next) };
  }

  // ------------------------------------------------------------------ reference data

  /**
   * The whole chart of accounts via the bulk endpoint (1000 a page, `$select` mandatory).
   * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=BulkFinancialGLAccounts
   */
  async listGLAccounts(): Promise<GLAccountRecord[]> {
    return (await this.chartOfAccounts(true)).value.accounts;
  }

  /** The chart of accounts from the reference cache (`fresh`: read now, and keep that read). */
  private chartOfAccounts(fresh = false): Promise<Reference<Chart>> {
    return reference.get(
      this.referenceKey("glAccounts"),
      async () => {
        const all = await this.transport.all({
          path: this.path("bulk/Financial/GLAccounts"),
          query: { select: GLAccount.select },
          label: "bulk GLAccounts",
        });
        return chartOf(all.rows.map(GLAccount.normalize));
      },
      { fresh },
    );
  }

  /** https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=HRMCostcenters */
  async listCostCenters() {
    const all = await this.transport.all({ path: this.path("hrm/Costcenters"), query: { select: CostCenter.select }, label: "hrm/Costcenters" });
    return all.rows.map(CostCenter.normalize);
  }

  /** https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=HRMCostunits */
  async listCostUnits() {
    const all = await this.transport.all({ path: this.path("hrm/Costunits"), query: { select: CostUnit.select }, label: "hrm/Costunits" });
    return all.rows.map(CostUnit.normalize);
  }

  /** https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=VATVATCodes */
  async listVatCodes() {
    const all = await this.transport.all({ path: this.path("vat/VATCodes"), query: { select: VATCode.select }, label: "vat/VATCodes" });
    return all.rows.map(VATCode.normalize);
  }

  /** https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=FinancialJournals */
  async listJournals() {
    const all = await this.transport.all({ path: this.path("financial/Journals"), query: { select: Journal.select }, label: "financial/Journals" });
    return all.rows.map(Journal.normalize);
  }

  /**
   * GL account GUIDs for codes or GUIDs (mapping tables hold codes). Unknown or blocked accounts
   * need a person: the mapping table is wrong.
   */
  async resolveGLAccounts(refs: string[], options: { fresh?: boolean } = {}): Promise<Map<string, GLAccountRecord>> {
    let chart = await this.chartOfAccounts(options.fresh);
    let found = matchAccounts(chart.value, refs);
    if (chart.cached && (found.missing.length || found.blocked.length)) {
      chart = await this.chartOfAccounts(true);
      found = matchAccounts(chart.value, refs);
    }
    this.accountsFromCache = chart.cached;
    if (chart.cached) {
      const age = Math.max(0, Math.round((Date.now() - chart.readAt) / 1000));
      this.env.log.info(
        `GL accounts of division ${this.division} as this worker read them ${age} s ago (${chart.value.accounts.length} accounts; read again after ${REFERENCE_MAX_AGE_MS / 1000} s, or at once when an account is not found or blocked)`,
      );
    }
    const { out, missing, blocked } = found;
    if (missing.length) {
      throw new NeedsReviewError(`GL account(s) not found in Exact division ${this.division}: ${missing.join(", ")}`, {
        system: "exact",
        reasonCode: "unknown_gl_account",
        details: { missing },
      });
    }
    if (blocked.length) {
      throw new NeedsReviewError(`GL account(s) blocked in Exact division ${this.division}: ${blocked.join(", ")}`, {
        system: "exact",
        reasonCode: "blocked_gl_account",
        details: { blocked },
      });
    }
    return out;
  }

  // ------------------------------------------------------------------ general journal entries

  /**
   * POST a general journal entry with its lines (deep insert).
   * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=GeneralJournalEntryGeneralJournalEntries
   */
  async createGeneralJournalEntry(entry: NewJournalEntry): Promise<JournalEntryWithLines> {
    const body = {
      JournalCode: entry.journalCode,
      ...(entry.financialYear !== undefined ? { FinancialYear: entry.financialYear } : {}),
      ...(entry.financialPeriod !== undefined ? { FinancialPeriod: entry.financialPeriod } : {}),
      ...(entry.currency ? { Currency: entry.currency } : {}),
      ...(entry.exchangeRate !== undefined ? { ExchangeRate: entry.exchangeRate } : {}),
      ...(entry.reversal ? { Reversal: true } : {}),
      GeneralJournalEntryLines: entry.lines.map((l) => ({
        GLAccount: l.glAccount,
        AmountFC: l.amount,
        ...(l.amountDC !== undefined ? { AmountDC: l.amountDC } : {}),
        Date: l.date,
        ...(l.description ? { Description: l.description } : {}),
        ...(l.costCenter ? { CostCenter: l.costCenter } : {}),
        ...(l.costUnit ? { CostUnit: l.costUnit } : {}),
        ...(l.vatCode ? { VATCode: l.vatCode } : {}),
        ...(l.notes ? { Notes: l.notes } : {}),
      })),
    };
    const { body: answer } = await this.transport
      .api({
        method: "POST",
        path: this.path("generaljournalentry/GeneralJournalEntries"),
        body,
        label: "create GeneralJournalEntry",
      })
      .catch(async (error: unknown) => {
        // Refused with accounts from the reference cache: an account blocked or deleted since then
        // goes to review like one the lookup found so (this throws); otherwise Exact's answer stands.
        if (this.accountsFromCache && error instanceof PermanentError && error.status === 400) {
          this.accountsFromCache = false;
          await this.resolveGLAccounts(
            entry.lines.map((l) => l.glAccount),
            { fresh: true },
          );
        }
        throw error;
      });
    const created = readEntity(answer);
    const entryId = created?.EntryID;
    if (typeof entryId !== "string") {
      throw new PermanentError("Exact Online did not return the created journal entry", { system: "exact", code: "unexpected_format" });
    }
    // Read back: the POST answer leaves the lines deferred.
    const readBack = await this.getGeneralJournalEntry(entryId);
    return readBack ?? { entry: GeneralJournalEntry.normalize(created!), lines: [] };
  }

  async getGeneralJournalEntry(entryId: string): Promise<JournalEntryWithLines | undefined> {
    const lineSelect = Object.keys(GeneralJournalEntryLine.fields).map((f) => `GeneralJournalEntryLines/${f}`);
    const page = await this.transport.page({
      path: this.path("generaljournalentry/GeneralJournalEntries"),
      query: {
        filter: `EntryID eq ${guidLiteral(entryId)}`,
        expand: "GeneralJournalEntryLines",
        select: [GeneralJournalEntry.select, ...lineSelect].join(","),
      },
      label: "GeneralJournalEntries (with lines)",
    });
    const row = page.rows[0];
    if (!row) return undefined;
    return { entry: GeneralJournalEntry.normalize(row), lines: expanded(row.GeneralJournalEntryLines).map(GeneralJournalEntryLine.normalize) };
  }

  /**
   * The entry whose lines carry `key` in Notes, if one was posted.
   * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=GeneralJournalEntryGeneralJournalEntryLines
   */
  async findGeneralJournalEntryByKey(key: string): Promise<JournalEntryWithLines | undefined> {
    const page = await this.transport.page({
      path: this.path("generaljournalentry/GeneralJournalEntryLines"),
      query: { filter: `Notes eq ${quote(key)}`, select: "EntryID", top: 1 },
      label: "GeneralJournalEntryLines by key",
    });
    const entryId = page.rows[0]?.EntryID;
    return typeof entryId === "string" ? this.getGeneralJournalEntry(entryId) : undefined;
  }

  /**
   * Every journal line whose Notes start with `prefix` (the lines a document's postings carry).
   * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=GeneralJournalEntryGeneralJournalEntryLines
   */
  async listJournalLinesByNotes(prefix: string): Promise<GeneralJournalEntryLineRecord[]> {
    const page = await this.transport.all({
      path: this.path("generaljournalentry/GeneralJournalEntryLines"),
      query: { filter: `startswith(Notes,${quote(prefix)})`, select: Object.keys(GeneralJournalEntryLine.fields).join(",") },
      label: "GeneralJournalEntryLines by document",
    });
    return page.rows.map(GeneralJournalEntryLine.normalize);
  }

  /**
   * The first day of the first open period of `journal` after `year`/`period`, from the journal's
   * period statuses and the financial periods' start dates. Undefined when none is open.
   * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=ReadFinancialJournalStatusByFinancialPeriod
   */
  async nextOpenPeriod(journal: string, year: number, period: number): Promise<{ year: number; period: number; startDate: string } | undefined> {
    const statuses = await this.transport.all({
      path: this.path("read/financial/JournalStatusByFinancialPeriod"),
      query: { filter: `Journal eq ${quote(journal)} and Status eq 0 and Year ge ${year}`, select: "Journal,Year,Period,Status" },
      label: "JournalStatusByFinancialPeriod",
    });
    const open = statuses.rows
      .map((r) => ({ year: Number(r.Year), period: Number(r.Period) }))
      .filter((p) => p.year > year || (p.year === year && p.period > period))
      .sort((a, b) => a.year - b.year || a.period - b.period)[0];
    if (!open) return undefined;
    const periods = await this.transport.page({
      path: this.path("financial/FinancialPeriods"),
      query: { filter: `FinYear eq ${open.year} and FinPeriod eq ${open.period}`, select: "FinYear,FinPeriod,StartDate" },
      label: "FinancialPeriods",
    });
    const start = periods.rows[0]?.StartDate;
    const ms = typeof start === "string" ? Number(/\/Date\((-?\d+)/.exec(start)?.[1] ?? Date.parse(start)) : NaN;
    if (!Number.isFinite(ms)) return undefined;
    return { ...open, startDate: new Date(ms).toISOString().slice(0, 10) };
  }

  // ------------------------------------------------------------------ webhooks

  /** https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=WebhooksWebhookSubscriptions */
  async listWebhookSubscriptions(): Promise<WebhookSubscriptionRecord[]> {
    const all = await this.transport.all({
      path: this.path("webhooks/WebhookSubscriptions"),
      query: { select: WebhookSubscription.select },
      label: "WebhookSubscriptions",
    });
    return all.rows.map(WebhookSubscription.normalize);
  }

  /** Exact POSTs to the callback before it accepts the subscription; the callback must answer 2xx. */
  async createWebhookSubscription(callbackUrl: string, topic: string, description?: string): Promise<WebhookSubscriptionRecord> {
    const { body } = await this.transport.api({
      method: "POST",
      path: this.path("webhooks/WebhookSubscriptions"),
      body: { CallbackURL: callbackUrl, Topic: topic, ...(description ? { Description: description } : {}) },
      label: "create WebhookSubscription",
    });
    const entity = readEntity(body);
    if (!entity) throw new PermanentError("Exact Online did not return the created subscription", { system: "exact", code: "unexpected_format" });
    return WebhookSubscription.normalize(entity);
  }

  /** Subscriptions cannot be updated, only deleted and created again. */
  async deleteWebhookSubscription(id: string): Promise<void> {
    await this.transport.api({
      method: "DELETE",
      path: this.path(`webhooks/WebhookSubscriptions(${guidLiteral(id)})`),
      label: "delete WebhookSubscription",
    });
  }

  /** The subscription for (topic, callback) in this division, creating it when there is none. */
  async ensureWebhookSubscription(callbackUrl: string, topic = "SalesInvoices"): Promise<{ subscription: WebhookSubscriptionRecord; created: boolean }> {
    const existing = (await this.listWebhookSubscriptions()).find((s) => s.CallbackURL === callbackUrl && s.Topic === topic);
    if (existing) return { subscription: existing, created: false };
    return { subscription: await this.createWebhookSubscription(callbackUrl, topic), created: true };
  }

  verifyWebhook(rawBody: string) {
    return verifyDelivery(rawBody, this.env.secrets.webhookSecret);
  }
}

/** The address to calculate tax for: main invoice address, any invoice address, visit address, account fields. */
export function pickBillingAddress(account: AccountRecord | null, addresses: AddressRecord[]): FullSalesInvoice["billingAddress"] {
  const byType = (type: number) => addresses.filter((a) => a.Type === type).sort((a, b) => Number(b.Main) - Number(a.Main))[0];
  const invoice = byType(ADDRESS_TYPE.invoice);
  const visit = byType(ADDRESS_TYPE.visit);
  const from = (a: AddressRecord | AccountRecord, source: "invoice" | "visit" | "account") => ({
    line1: a.AddressLine1,
    line2: a.AddressLine2,
    line3: a.AddressLine3,
    city: a.City,
    region: a.State,
    postalCode: a.Postcode,
    country: a.Country,
    source,
  });
  if (invoice) return from(invoice, "invoice");
  if (visit) return from(visit, "visit");
  if (account && (account.AddressLine1 || account.City)) return from(account, "account");
  return null;
}

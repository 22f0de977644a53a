/**
 * Exact Online sandbox: seven regions behind one port, each under its path prefix
 * (`/nl`, `/be`, `/uk`, `/de`, `/fr`, `/es`, `/us`) or its real host name in the Host header,
 * with its own OAuth server, token store, divisions, rate limits and webhooks.
 *
 * Admin routes (besides the shared GET /__sandbox/state, POST /__sandbox/faults, POST /__sandbox/reset):
 * - POST /__sandbox/invoices        `{region?, division?, invoice}`: create a sales invoice as a user
 *                                    would in Exact (deep insert; sends the SalesInvoices webhook)
 * - POST /__sandbox/invoices/<id>   `{region?, division?, patch}`: change one (sends an Update)
 * - POST /__sandbox/invoices/<id>/delete `{region?, division?}`: remove one as a user (Delete
 *   notification and a sync/Deleted row)
 * - POST /__sandbox/periods `{region?, division?, year, period, journal?, closed}`: close or reopen a
 *   financial period (journal "*" or omitted: every journal)
 * - POST /__sandbox/config          `Partial<SandboxSettings>`: page sizes, rate and token limits
 * - POST /__sandbox/limits          `{region?, division, minutely?, daily?}`: that division's own
 *                                    limits per app (sent in its X-RateLimit-* headers)
 * - POST /__sandbox/clock           `{advanceMs}`: move the sandbox clock (token expiry, rate windows)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleAdmin, listen, noFaults, readBody, send, type Sandbox } from "../../sdk";
import { handleAuthorize, handleToken } from "./auth";
import { DEMO } from "./demo";
import { ODataError, type Row } from "./odata";
import { handleApi, envelope } from "./routes";
import { DEMO_APP, seedRegion } from "./seed";
import {
  REGION_HOSTS,
  REGION_KEYS,
  createInvoice,
  defaultSettings,
  deleteInvoice,
  updateInvoice,
  type DivisionData,
  type RegionData,
  type RegionKey,
  type SandboxSettings,
  type SandboxWorld,
} from "./store";
import { notify } from "./webhooks";

export { DEMO } from "./demo";
export type { SandboxWorld } from "./store";

export interface ExactSandbox extends Sandbox {
  world: SandboxWorld;
  /** Resolves when every webhook delivery in flight has been answered. */
  settle(): Promise<void>;
}

export function createSandbox(options: { now?: () => number } = {}): ExactSandbox {
  const base = options.now ?? Date.now;
  let offset = 0;
  const now = () => base() + offset;
  const faults = noFaults();
  const world: SandboxWorld = {
    regions: new Map(),
    apps: new Map([[DEMO_APP.clientId, DEMO_APP]]),
    settings: defaultSettings(),
    now,
    deliveries: [],
    pending: new Set(),
  };
  const seed = () => {
    world.regions.clear();
    for (const key of REGION_KEYS) world.regions.set(key, seedRegion(key, now()));
    world.deliveries.length = 0;
    world.settings = defaultSettings();
    offset = 0;
  };
  seed();

  const summary = (div: DivisionData) => ({
    code: div.code,
    description: div.description,
    currency: div.currency,
    timestamp: div.ts,
    counts: {
      accounts: div.accounts.length,
      glAccounts: div.glAccounts.length,
      invoices: div.invoices.length,
      journalEntries: div.entries.length,
      deleted: div.deleted.length,
    },
    invoices: div.invoices.map((i) => ({
      InvoiceID: i.InvoiceID,
      InvoiceNumber: i.InvoiceNumber,
      InvoiceToName: i.InvoiceToName,
      Type: i.Type,
      Currency: i.Currency,
      AmountFC: i.AmountFC,
      AmountDC: i.AmountDC,
      Status: i.Status,
    })),
    deleted: div.deleted.map(({ _ts, ...row }) => (void _ts, row)),
    closedPeriods: div.closedPeriods,
    journalEntries: div.entries.map((e) => {
      const { _lines, _ts, ...header } = e;
      void _ts;
      return { ...header, lines: (_lines as Row[]).map((l) => ({ ...l })) };
    }),
    subscriptions: div.subscriptions.map((s) => ({ ID: s.ID, Topic: s.Topic, CallbackURL: s.CallbackURL })),
    rate: Object.fromEntries([...div.rate.entries()].map(([k, v]) => [k, { minute: v.minuteCount, day: v.dayCount, refused: v.refused ?? 0 }])),
    limits: div.limits ?? null,
  });
  const inspect = () => ({
    now: new Date(now()).toISOString(),
    settings: world.settings,
    faults,
    regions: Object.fromEntries(
      [...world.regions.entries()].map(([key, region]) => [
        key,
        {
          divisions: [...region.divisions.values()].map(summary),
          tokens: {
            issuedPairs: region.pairs.size,
            tokenCallsToday: Object.fromEntries([...region.tokenCalls.entries()].map(([k, v]) => [k, v.count])),
          },
          errorResponses: Object.fromEntries([...region.errors.entries()].map(([k, v]) => [k, v.length])),
        },
      ]),
    ),
    deliveries: world.deliveries.map((d) => ({ ...d })),
  });

  const pickDivision = (body: { region?: string; division?: number }): DivisionData => {
    const key = (body.region ?? "us").toLowerCase() as RegionKey;
    const region = world.regions.get(key);
    if (!region) throw new ODataError(`Unknown region ${body.region}`);
    const div = region.divisions.get(body.division ?? [...region.divisions.keys()][0]);
    if (!div) throw new ODataError(`Unknown division ${body.division}`);
    return div;
  };

  const admin = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith("/__sandbox/") || req.method !== "POST") return false;
    let body: Record<string, unknown>;
    try {
      const text = await readBody(req);
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      send(res, 400, { error: "body must be JSON" });
      return true;
    }
    try {
      if (url.pathname === "/__sandbox/invoices") {
        const div = pickDivision(body);
        const invoice = createInvoice(div, (body.invoice ?? {}) as Parameters<typeof createInvoice>[1], now());
        notify(world, div, "SalesInvoices", "Create", String(invoice.InvoiceID), "salesinvoice/SalesInvoices");
        send(res, 201, { InvoiceID: invoice.InvoiceID, InvoiceNumber: invoice.InvoiceNumber, AmountFC: invoice.AmountFC, Division: div.code });
        return true;
      }
      const update = /^\/__sandbox\/invoices\/([0-9a-fA-F-]{36})$/.exec(url.pathname);
      if (update) {
        const div = pickDivision(body);
        const invoice = updateInvoice(div, update[1], (body.patch ?? {}) as Record<string, unknown>, now());
        notify(world, div, "SalesInvoices", "Update", String(invoice.InvoiceID), "salesinvoice/SalesInvoices");
        send(res, 200, { InvoiceID: invoice.InvoiceID, InvoiceNumber: invoice.InvoiceNumber, Division: div.code });
        return true;
      }
      const remove = /^\/__sandbox\/invoices\/([0-9a-fA-F-]{36})\/delete$/.exec(url.pathname);
      if (remove) {
        const div = pickDivision(body);
        deleteInvoice(div, remove[1], now(), [...world.regions.get(div.region)!.users.values()][0]?.id ?? "");
        notify(world, div, "SalesInvoices", "Delete", remove[1].toLowerCase(), "salesinvoice/SalesInvoices");
        send(res, 200, { InvoiceID: remove[1].toLowerCase(), deleted: true, Division: div.code });
        return true;
      }
      if (url.pathname === "/__sandbox/periods") {
        const div = pickDivision(body);
        const year = Number(body.year);
        const period = Number(body.period);
        if (!Number.isInteger(year) || !Number.isInteger(period) || period < 1 || period > 12) throw new ODataError("year and period (1-12) are required");
        const journal = typeof body.journal === "string" ? body.journal : "*";
        div.closedPeriods = div.closedPeriods.filter((c) => !(c.journal === journal && c.year === year && c.period === period));
        if (body.closed !== false) div.closedPeriods.push({ journal, year, period });
        send(res, 200, { closedPeriods: div.closedPeriods });
        return true;
      }
      if (url.pathname === "/__sandbox/limits") {
        const div = pickDivision(body);
        const limits: { minutely?: number; daily?: number } = {};
        for (const k of ["minutely", "daily"] as const) {
          const v = body[k];
          if (v === undefined) continue;
          if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new ODataError(`${k} must be a positive integer`);
          limits[k] = v;
        }
        div.limits = limits;
        send(res, 200, { division: div.code, limits });
        return true;
      }
      if (url.pathname === "/__sandbox/config") {
        const patch: Partial<SandboxSettings> = {};
        for (const [k, v] of Object.entries(body)) {
          if (k in world.settings && typeof v === "number" && v >= 0) patch[k as keyof SandboxSettings] = v;
          else throw new ODataError(`Unknown or invalid setting ${k}`);
        }
        Object.assign(world.settings, patch);
        send(res, 200, world.settings);
        return true;
      }
      if (url.pathname === "/__sandbox/clock") {
        const advance = Number(body.advanceMs ?? 0);
        if (!Number.isFinite(advance) || advance < 0) throw new ODataError("advanceMs must be a positive number");
        offset += advance;
        send(res, 200, { now: new Date(now()).toISOString() });
        return true;
      }
    } catch (error) {
      if (error instanceof ODataError) {
        send(res, error.status, envelope(error.message));
        return true;
      }
      throw error;
    }
    return false;
  };

  /** Region from the Host header (real host names) or from the first path segment. */
  const route = (req: IncomingMessage, url: URL): { region: RegionData; rest: string; base: string } | undefined => {
    const host = (req.headers.host ?? "127.0.0.1").toLowerCase();
    const byHost = REGION_HOSTS[host.replace(/:\d+$/, "")];
    if (byHost) return { region: world.regions.get(byHost)!, rest: url.pathname, base: `http://${host}` };
    const m = /^\/([a-z]{2})(\/.*)$/.exec(url.pathname);
    if (!m || !(REGION_KEYS as readonly string[]).includes(m[1])) return undefined;
    return { region: world.regions.get(m[1] as RegionKey)!, rest: m[2], base: `http://${host}/${m[1]}` };
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = new URL(req.url ?? "/", "http://sandbox");
      if (await handleAdmin(req, res, { faults, inspect, reset: seed })) return;
      if (await admin(req, res, url)) return;
      const target = route(req, url);
      if (!target) return send(res, 404, envelope("Unknown region: use /nl, /be, /uk, /de, /fr, /es or /us"));
      if (req.method === "GET" && target.rest === "/api/oauth2/auth") return handleAuthorize(world, target.region, url, res);
      if (req.method === "POST" && target.rest === "/api/oauth2/token") return await handleToken(world, target.region, req, res);
      if (target.rest.startsWith("/api/v1/")) {
        return await handleApi(
          { world, region: target.region, faults, base: target.base, path: decodeURIComponent(target.rest.slice("/api/v1/".length)), url },
          req,
          res,
        );
      }
      send(res, 404, envelope("Not found"));
    } catch (error) {
      if (!res.headersSent) send(res, 500, envelope(`Sandbox error: ${(error as Error).message}`));
      else res.end();
    }
  };

  const sandbox: ExactSandbox = {
    system: "exact",
    handler: (req, res) => void handler(req, res),
    faults,
    world,
    settle: async () => {
      while (world.pending.size) await Promise.all([...world.pending]);
    },
    describe: (baseUrl) => [
      `Exact Online sandbox: ${baseUrl}/<region>/api/v1/… with region nl, be, uk, de, fr, es or us`,
      `  OAuth authorize: ${baseUrl}/us/api/oauth2/auth (auto-approves the demo user), token: ${baseUrl}/us/api/oauth2/token`,
      `  client id ${DEMO.clientId}   client secret ${DEMO.clientSecret}   webhook secret ${DEMO.webhookSecret}`,
      `  demo user ${DEMO.user.email} (${DEMO.user.name}); divisions US ${DEMO.divisions.US} and ${DEMO.usSecondDivision}, NL ${DEMO.divisions.NL}, BE ${DEMO.divisions.BE}, UK ${DEMO.divisions.UK}, DE ${DEMO.divisions.DE}, FR ${DEMO.divisions.FR}, ES ${DEMO.divisions.ES}`,
      `  connection config: {"region":"US","division":${DEMO.usDivision},"clientId":"${DEMO.clientId}","baseUrl":"${baseUrl}"}`,
      `  admin: GET /__sandbox/state, POST /__sandbox/faults|reset|invoices|invoices/<id>|config|limits|clock`,
    ],
    listen: (port = 0, host?: string) => listen(sandbox.handler, port, host),
  };
  return sandbox;
}

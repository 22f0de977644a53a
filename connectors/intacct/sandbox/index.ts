/**
 * Sage Intacct XML gateway sandbox. Routes:
 * - `POST /ia/xml/xmlgw.phtml`      the gateway (getAPISession, readByQuery, readMore, query, read,
 *                                  create, create_apadjustment, create_potransaction);
 * - `GET  /__sandbox/state`         read-only view of companies, records, sessions and settings;
 * - `POST /__sandbox/faults`        fault injection (latencyMs, rateLimitRate, serverErrorRate,
 *                                  dropAfterWriteRate, queue of "rateLimit" | "serverError" |
 *                                  "dropAfterWrite" | "expireAuth" | "gatewayTimeout");
 * - `POST /__sandbox/settings`      { sessionDurationSeconds?, concurrencyLimit?, rateLimitRetryAfterSeconds? };
 * - `POST /__sandbox/expire-sessions` end every open session (the next call gets an auth failure);
 * - `POST /__sandbox/sales-transactions` `{customerId, lines:[{itemId, quantity, price?}], state?}`:
 *                                  a sales invoice entered by a user (SODOCUMENT + its AR invoice);
 * - `POST /__sandbox/sales-transactions/<DOCNO>/reverse`: reverse a posted Sales Invoice (the poll sees it);
 * - `POST /__sandbox/sales-transactions/<DOCNO>/update` `{lines}`: edit its lines (a new AR invoice);
 * - `POST /__sandbox/sales-transactions/<DOCNO>/delete`: delete it (the audit trail keeps a Deleted row);
 * - `POST /__sandbox/bills` `{vendorId, lines:[{accountNo, amount, locationId?, departmentId?, itemId?, memo?}], state?}`:
 *                                  an AP bill entered by a user; `/__sandbox/bills/<RECORDNO>/update` `{lines}`
 *                                  edits it, `/reverse` reverses it (reverse_bill) and `/delete` deletes it (delete_bill);
 * - `POST /__sandbox/periods` `{period: "YYYY-MM", closed}`: close or reopen an accounting period;
 * - `POST /__sandbox/reset`         back to the seeded demo company;
 * - `/ia/api/v1/...`                the REST API over the same store (rest/index.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleAdmin, listen, noFaults, readBody, send, type FaultSettings, type Sandbox } from "../../sdk";
import { LifecycleError, arBalances, deleteBill, deleteSalesDocument, reverseSalesDocument, setPeriod, updateSalesDocument } from "./lifecycle";
import { createSalesTransaction, editBill, enterBill, SalesTransactionError } from "./documents";
import { FUNCTIONS } from "./functions";
import { GATEWAY_PATH, handleGateway, type GatewayDeps, type GatewaySettings } from "./gateway";
import { REST_BASE_PATH, REST_DEMO, createRestApi } from "./rest";
import { DEMO, seedState } from "./seed";
import type { ResultSet, SandboxState, Session } from "./store";

export { DEMO } from "./seed";

export interface IntacctSandboxOptions {
  now?: () => number;
  /** Default 3600 (one hour, sliding). */
  sessionDurationSeconds?: number;
  /** Default 2 concurrent requests per company. */
  concurrencyLimit?: number;
  rateLimitRetryAfterSeconds?: number;
}

export function createSandbox(options: IntacctSandboxOptions = {}): Sandbox {
  const now = options.now ?? Date.now;
  const defaults = (): GatewaySettings => ({
    sessionDurationSeconds: options.sessionDurationSeconds ?? 3600,
    concurrencyLimit: options.concurrencyLimit ?? 2,
    rateLimitRetryAfterSeconds: options.rateLimitRetryAfterSeconds,
  });
  let state: SandboxState = seedState(now());
  const faults: FaultSettings = noFaults();
  const settings = defaults();
  const sessions = new Map<string, Session>();
  const resultSets = new Map<string, ResultSet>();
  const usedControlIds = new Map<string, Set<string>>();
  const inflight = new Map<string, number>();

  const deps: GatewayDeps = {
    state: () => state,
    setCompany: (company) => {
      state.companies[company.companyId] = company;
    },
    sessions,
    resultSets,
    usedControlIds,
    inflight,
    faults,
    settings,
    now,
  };
  // The REST API (/ia/api/v1) over the same store, sessions, faults and concurrency limit.
  const rest = createRestApi(deps);

  const inspect = () => ({
    system: "intacct",
    settings,
    rest: rest.inspect(),
    faults,
    sessions: [...sessions.values()].map((s) => ({
      companyId: s.companyId,
      userId: s.userId,
      locationId: s.locationId,
      expiresAt: new Date(s.expiresAt).toISOString(),
    })),
    companies: Object.fromEntries(
      Object.values(state.companies).map((c) => [
        c.companyId,
        {
          senders: c.senders,
          users: Object.keys(c.users),
          records: c.records,
          closedPeriods: c.closedPeriods ?? [],
          arBalances: arBalances(c),
          usedControlIds: [...(usedControlIds.get(c.companyId) ?? [])],
        },
      ]),
    ),
  });

  const reset = () => {
    state = seedState(now());
    sessions.clear();
    resultSets.clear();
    usedControlIds.clear();
    inflight.clear();
    Object.assign(settings, defaults());
    rest.reset();
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const path = new URL(req.url ?? "/", "http://sandbox").pathname;
      if (req.method === "POST" && path === "/__sandbox/settings") {
        let patch: Partial<GatewaySettings>;
        try {
          patch = JSON.parse((await readBody(req)) || "{}") as Partial<GatewaySettings>;
        } catch {
          return send(res, 400, { error: "settings must be JSON" });
        }
        for (const key of ["sessionDurationSeconds", "concurrencyLimit", "rateLimitRetryAfterSeconds"] as const) {
          const v = patch[key];
          if (v === undefined) continue;
          if (typeof v !== "number" || !Number.isFinite(v) || v < 0) return send(res, 400, { error: `${key} must be a number >= 0` });
          settings[key] = v;
        }
        return send(res, 200, settings);
      }
      if (req.method === "POST" && path === "/__sandbox/expire-sessions") {
        const count = sessions.size;
        sessions.clear();
        return send(res, 200, { expired: count });
      }
      if (req.method === "POST" && path === "/__sandbox/sales-transactions") {
        let body: unknown;
        try {
          body = JSON.parse((await readBody(req)) || "{}");
        } catch {
          return send(res, 400, { error: "the sales transaction must be JSON" });
        }
        try {
          return send(res, 200, createSalesTransaction(state.companies[DEMO.companyId]!, body, now()));
        } catch (error) {
          if (error instanceof SalesTransactionError) return send(res, 400, { error: error.message });
          throw error;
        }
      }
      const sales = /^\/__sandbox\/sales-transactions\/([^/]+)\/(reverse|update|delete)$/.exec(path);
      const bills = /^\/__sandbox\/bills(?:\/([^/]+)\/(update|reverse|delete))?$/.exec(path);
      if (req.method === "POST" && (sales || bills || path === "/__sandbox/periods")) {
        try {
          const company = state.companies[DEMO.companyId]!;
          const body = JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>;
          if (sales) {
            const docNo = decodeURIComponent(sales[1]!);
            if (sales[2] === "reverse") return send(res, 200, reverseSalesDocument(company, docNo, now()));
            if (sales[2] === "update") return send(res, 200, updateSalesDocument(company, docNo, body, now()));
            return send(res, 200, deleteSalesDocument(company, docNo, now()));
          }
          if (bills && !bills[1]) return send(res, 200, enterBill(company, body, now()));
          if (bills && bills[2] === "update") return send(res, 200, editBill(company, decodeURIComponent(bills[1]!), body, now()));
          if (bills && bills[2] === "delete") return send(res, 200, deleteBill(company, decodeURIComponent(bills[1]!), now()));
          if (bills) {
            // What Reverse does in the UI: the gateway's reverse_bill, dated today.
            const today = new Date(now()).toISOString().slice(0, 10).split("-");
            const outcome = FUNCTIONS.reverse_bill!.run(
              { company, now: now(), resultSets },
              { "@key": decodeURIComponent(bills[1]!), datereversed: { year: today[0], month: today[1], day: today[2] }, description: String(body.description ?? "Reversed") },
            );
            if (!outcome.ok) return send(res, 400, { error: outcome.errors.map((e) => e.description2).join("; ") });
            return send(res, 200, company.records.APBILL.find((b) => String(b.RECORDNO) === decodeURIComponent(bills[1]!)) ?? {});
          }
          return send(res, 200, { closedPeriods: setPeriod(company, String(body.period ?? ""), body.closed !== false) });
        } catch (error) {
          if (error instanceof LifecycleError || error instanceof SalesTransactionError || error instanceof SyntaxError) return send(res, 400, { error: error.message });
          throw error;
        }
      }
      if (await rest.handle(req, res)) return;
      if (await handleAdmin(req, res, { faults, inspect, reset, extraFaults: ["gatewayTimeout"] })) return;
      await handleGateway(req, res, deps);
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, `<html><body>Internal error: ${(error as Error).message}</body></html>`, { "content-type": "text/html" });
    });
  };

  return {
    system: "intacct",
    handler,
    faults,
    describe: (baseUrl) => [
      `Sage Intacct XML gateway sandbox: ${baseUrl}${GATEWAY_PATH}`,
      `  connection baseUrl: ${baseUrl}`,
      `  sender ID / password: ${DEMO.senderId} / ${DEMO.senderPassword}`,
      `  company ID: ${DEMO.companyId}   user ID / password: ${DEMO.userId} / ${DEMO.userPassword}`,
      `Sage Intacct REST API sandbox: ${baseUrl}${REST_BASE_PATH} (token: POST ${baseUrl}${REST_BASE_PATH}/oauth2/token)`,
      `  client ID / secret: ${REST_DEMO.clientId} / ${REST_DEMO.clientSecret}   username: ${REST_DEMO.username}`,
      `  inspect: GET ${baseUrl}/__sandbox/state   faults: POST ${baseUrl}/__sandbox/faults   settings: POST ${baseUrl}/__sandbox/settings`,
    ],
    listen: (port = 0, host) => listen(handler, port, host),
  };
}

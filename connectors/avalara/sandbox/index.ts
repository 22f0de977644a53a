/**
 * Avalara AvaTax REST v2 sandbox: accounts with license keys, companies with nexus, a
 * deterministic tax engine over a small gazetteer, stored documents with AvaTax's status rules,
 * address resolution, and fault injection (latency, 429 with Retry-After, 5xx, lost responses).
 *
 * Admin routes (besides the shared /__sandbox/state, /__sandbox/faults, /__sandbox/reset):
 * - POST /__sandbox/lock `{companyCode, code, documentType?}`: mark a document as reported on a
 *   tax return (locked), so changes fail with CannotModifyLockedTransaction.
 * Rate-limit answers carry Retry-After: the shared `retryAfterSeconds` fault setting, default 1.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  delay,
  dropResponse,
  handleAdmin,
  listen,
  nextFault,
  noFaults,
  readBody,
  send,
  type FaultSettings,
  type Sandbox,
} from "../../sdk/sandbox";
import { defaultGazetteer, demoAddresses, type Gazetteer } from "./gazetteer";
import { matchRoute, type Reply } from "./routes";
import { DEMO, seedState, type SandboxState } from "./seed";
import { TransactionStore } from "./store";
import { AvaTaxFault } from "./wire";

export { defaultGazetteer, demoAddresses, places, streets, taxStates } from "./gazetteer";
export type { Gazetteer, GazetteerPlace, GazetteerStreet, Jurisdiction } from "./gazetteer";
export { DEMO } from "./seed";
export { taxCodes } from "./taxCodes";

export interface AvalaraSandboxOptions {
  now?: () => number;
  /** Replace or extend the gazetteer (e.g. `{ places: [...defaultGazetteer.places, extra] }`). */
  gazetteer?: Partial<Gazetteer>;
}

/** `retryAfterSeconds` is a shared fault setting now; the name stays for callers. */
export type AvalaraFaults = FaultSettings;

export interface AvalaraSandbox extends Sandbox {
  /** Live state (tests read it; the HTTP inspection route shows the same). */
  state(): SandboxState;
  /** Stored documents for one company and code (all types). */
  documents(companyCode: string, code: string): ReturnType<SandboxState["documents"]["get"]>[];
}

const JURIS_TYPE_ID: Record<string, string> = { State: "STA", County: "CTY", City: "CIT", Special: "STJ", Country: "CNT" };

function taxByJurisdiction(tx: SandboxState["documents"] extends Map<string, infer D> ? D extends { transaction: infer T } ? T : never : never): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of tx.summary ?? []) {
    const key = `${row.country}:${row.region}:${JURIS_TYPE_ID[row.jurisType] ?? row.jurisType}:${row.jurisCode}`;
    out[key] = Math.round(((out[key] ?? 0) + row.tax) * 100) / 100;
  }
  return out;
}

export function createSandbox(options: AvalaraSandboxOptions = {}): AvalaraSandbox {
  const now = options.now ?? Date.now;
  const gazetteer: Gazetteer = {
    places: options.gazetteer?.places ?? defaultGazetteer.places,
    streets: options.gazetteer?.streets ?? defaultGazetteer.streets,
  };
  let state = seedState();
  let store = new TransactionStore(state, () => gazetteer, now);
  const faults: AvalaraFaults = noFaults();

  const reset = () => {
    state = seedState();
    store = new TransactionStore(state, () => gazetteer, now);
  };

  const inspect = () => ({
    accounts: state.accounts.map((a) => ({
      accountId: a.accountId,
      name: a.name,
      companies: a.companies.map((c) => ({
        id: c.id,
        companyCode: c.companyCode,
        name: c.name,
        nexus: c.nexus,
        isDefault: c.isDefault,
        customers: c.customers,
        certificates: c.certificates,
        taxCodes: c.taxCodes.map((t) => t.taxCode),
      })),
    })),
    documents: [...state.documents.values()].map((d) => ({
      accountId: d.accountId,
      companyId: d.transaction.companyId,
      code: d.transaction.code,
      type: d.transaction.type,
      status: d.transaction.status,
      id: d.transaction.id,
      version: d.transaction.version,
      locked: d.transaction.locked,
      totalAmount: d.transaction.totalAmount,
      totalTax: d.transaction.totalTax,
      totalTaxCalculated: d.transaction.totalTaxCalculated,
      adjustmentReason: d.transaction.adjustmentReason,
      adjustmentDescription: d.transaction.adjustmentDescription ?? null,
      adjustments: d.history.length,
      /** Tax per jurisdiction key <country>:<region>:<STA|CTY|CIT|STJ|CNT>:<code>, summed. */
      taxByJurisdiction: taxByJurisdiction(d.transaction),
      versions: d.history.map((h) => ({ id: h.id, version: h.version, status: h.status, totalTax: h.totalTax, adjustmentReason: h.adjustmentReason })),
      refundOf: d.refundOf ?? null,
    })),
    log: state.log,
    faults,
  });

  const reply = (res: ServerResponse, r: Reply) => send(res, r.status, r.body, r.headers);

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      if (await handleAdmin(req, res, { faults, inspect, reset })) return;
      const url = new URL(req.url ?? "/", "http://sandbox");
      const method = req.method ?? "GET";
      if (method === "POST" && url.pathname === "/__sandbox/lock") {
        const body = JSON.parse((await readBody(req)) || "{}") as { companyCode?: string; code?: string; documentType?: string };
        const principal = { account: state.accounts[0], authenticationType: "AccountIdLicenseKey" as const };
        const tx = store.lock(principal, body.companyCode ?? "DEFAULT", body.code ?? "", body.documentType);
        return send(res, 200, { code: tx.code, type: tx.type, status: tx.status, locked: tx.locked });
      }
      const body = await readBody(req);
      const match = matchRoute(method, url.pathname);
      if (!match) {
        return reply(res, {
          status: 404,
          body: new AvaTaxFault(404, "EntityNotFoundError", `No API at ${method} ${url.pathname}.`, { target: "HttpRequest" }).envelope(),
        });
      }
      if (faults.latencyMs > 0) await delay(faults.latencyMs);
      const fault = match.route.faultFree ? undefined : nextFault(faults, match.route.write);
      if (fault === "rateLimit") {
        const seconds = faults.retryAfterSeconds ?? 1;
        return reply(res, {
          status: 429,
          headers: { "retry-after": String(seconds) },
          body: new AvaTaxFault(429, "RequestLimitExceeded", "Too many requests: the request limit for this account was exceeded.", {
            target: "HttpRequest",
          }).envelope(),
        });
      }
      if (fault === "serverError") {
        // During outages AvaTax "only returns an HTTP 500", not a JSON envelope.
        return send(res, 500, "<html><body><h1>500 - Internal server error.</h1></body></html>", {
          "content-type": "text/html; charset=utf-8",
        });
      }
      if (fault === "expireAuth") {
        return reply(res, { status: 401, body: new AvaTaxFault(401, "AuthenticationException", "Authentication failed.").envelope() });
      }
      let result: Reply;
      try {
        result = match.route.handle({ state, store, gazetteer, req, url, body }, match.params);
      } catch (error) {
        if (!(error instanceof AvaTaxFault)) throw error;
        result = { status: error.status, body: error.envelope() };
      }
      if (fault === "dropAfterWrite") return dropResponse(res);
      return reply(res, result);
    } catch (error) {
      send(res, 500, new AvaTaxFault(500, "ServerConfiguration", `Sandbox error: ${(error as Error).message}`).envelope());
    }
  };

  return {
    system: "avalara",
    handler: (req, res) => void handler(req, res),
    faults,
    state: () => state,
    documents: (companyCode, code) => {
      const principal = { account: state.accounts[0], authenticationType: "AccountIdLicenseKey" as const };
      const company = store.company(principal, companyCode);
      return [...state.documents.entries()]
        .filter(([key]) => key.startsWith(`${company.id}|${code.toLowerCase()}|`))
        .map(([, doc]) => doc);
    },
    describe: (baseUrl) => [
      `Avalara AvaTax sandbox: ${baseUrl}`,
      `  account id ${DEMO.accountId} / license key ${DEMO.licenseKey} (or user ${DEMO.userName} / ${DEMO.password})`,
      `  companies DEFAULT (nexus WA CA NY TX IL CO, VAT/GST CA GB DE NL BE FR ES) and LEDGERLINE-WEST (WA CA)`,
      `  demo addresses: ${demoAddresses.WA.line1}, ${demoAddresses.WA.city} ${demoAddresses.WA.region}; ${demoAddresses.IL.line1}, ${demoAddresses.IL.city} ${demoAddresses.IL.region}; review case: ${demoAddresses.UNDELIVERABLE.line1}, ${demoAddresses.UNDELIVERABLE.city}`,
      `  admin: GET ${baseUrl}/__sandbox/state, POST ${baseUrl}/__sandbox/faults, POST ${baseUrl}/__sandbox/reset, POST ${baseUrl}/__sandbox/lock`,
    ],
    listen: (port = 4102, host) => listen((req, res) => void handler(req, res), port, host),
  };
}

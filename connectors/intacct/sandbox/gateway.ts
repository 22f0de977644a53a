/**
 * The sandbox's XML gateway: `POST /ia/xml/xmlgw.phtml` with a request envelope, answered the
 * way Intacct answers (API notes A2-A4): control, authentication and per-function results,
 * failures inside HTTP 200 bodies, `uniqueid` single-use function controlids, `transaction="true"`
 * all-or-nothing with `aborted` results, sliding sessions, a per-company concurrency limit
 * answered with GW-0010/HTTP 429, and the injected faults.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { XMLValidator } from "fast-xml-parser";
import { delay, dropResponse, nextFault, readBody, send, type FaultSettings } from "../../sdk";
import { DUPLICATE_CONTROLID_ERRORNO, RATE_LIMIT_ERRORNO, ROLLED_BACK_ERRORNO } from "../errors";
import { asArray, element, hasForbidden, obj, parseXml, text, type XmlObject } from "../xml";
import { DIMENSION_FUNCTIONS } from "./dimensions";
import { isEntity, isMultiEntity, sessionEntity } from "./entities";
import { FUNCTIONS as CORE_FUNCTIONS, type ErrorEntry, type FnOutcome } from "./functions";
import { SALES_LIFECYCLE_FUNCTIONS } from "./lifecycle";
import { MASTER_DATA_FUNCTIONS } from "./master-data";
import { PURCHASING_FUNCTIONS } from "./purchasing";
import { isoWithOffset, type Company, type Rec, type ResultSet, type SandboxState, type Session } from "./store";

const FUNCTIONS = { ...CORE_FUNCTIONS, ...SALES_LIFECYCLE_FUNCTIONS, ...PURCHASING_FUNCTIONS, ...MASTER_DATA_FUNCTIONS, ...DIMENSION_FUNCTIONS };

export const GATEWAY_PATH = "/ia/xml/xmlgw.phtml";

export interface GatewaySettings {
  /** Sliding session duration (each call made with the session extends it). */
  sessionDurationSeconds: number;
  /** Concurrent requests allowed per company; more are answered GW-0010 / HTTP 429. */
  concurrencyLimit: number;
  /** Retry-After (seconds) on rate-limit answers; none when undefined (Intacct documents none). */
  rateLimitRetryAfterSeconds?: number;
}

/** Extra queued faults besides the shared ones: "gatewayTimeout" applies the request, then answers 524. */
export type IntacctFault = FaultSettings["queue"][number] | "gatewayTimeout";

export interface GatewayDeps {
  state: () => SandboxState;
  setCompany: (company: Company) => void;
  sessions: Map<string, Session>;
  resultSets: Map<string, ResultSet>;
  usedControlIds: Map<string, Set<string>>;
  inflight: Map<string, number>;
  faults: FaultSettings;
  settings: GatewaySettings;
  now: () => number;
}

const XML_HEADERS = { "content-type": "text/xml; charset=UTF-8" };

function errorXml(errors: ErrorEntry[]): string {
  return element("errormessage", {
    error: errors.map((e) => ({
      errorno: e.errorno,
      description: e.description ?? "",
      description2: e.description2 ?? "",
      correction: e.correction ?? "",
    })),
  });
}

function controlXml(status: string, control: Rec): string {
  return element("control", {
    status,
    senderid: text(control.senderid),
    controlid: text(control.controlid),
    uniqueid: text(control.uniqueid) || "false",
    dtdversion: text(control.dtdversion) || "3.0",
  });
}

function wrap(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<response>${inner}</response>`;
}

/** Whole-request failure (parse, gateway, sender): nothing ran. */
function controlFailure(control: Rec, errors: ErrorEntry[]): string {
  return wrap(controlXml("failure", control) + errorXml(errors));
}

const HTML_5XX = (status: number) =>
  `<!DOCTYPE html><html><head><title>${status}</title></head><body><h1>${status === 524 ? "A timeout occurred" : "Bad Gateway"}</h1></body></html>`;

export async function handleGateway(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sandbox");
  if (url.pathname !== GATEWAY_PATH) {
    send(res, 404, "<html><body>Not Found</body></html>", { "content-type": "text/html" });
    return;
  }
  if (req.method !== "POST") {
    send(res, 405, "<html><body>Method Not Allowed</body></html>", { "content-type": "text/html", allow: "POST" });
    return;
  }
  const raw = await readBody(req);
  const body = raw.trimStart();
  const parseError = (detail: string) =>
    send(
      res,
      200,
      controlFailure({}, [
        {
          errorno: "XL03000003",
          description: "XML Parse schema error",
          description2: `${detail} [Support ID: ${randomBytes(6).toString("hex")}]`,
          correction: "",
        },
      ]),
      XML_HEADERS,
    );
  if (!body.startsWith("<")) return parseError("The request body is not XML. Send application/xml.");
  if (hasForbidden(body)) return parseError("Invalid character in the XML document: characters outside XML 1.0 Char are not allowed.");
  if (XMLValidator.validate(body) !== true) return parseError("The XML document is not well formed.");
  const doc = parseXml(body);
  const request = obj(doc.request);
  const control = obj(request.control);
  const operation = obj(asArray(request.operation)[0]);
  if (request.control === undefined || request.operation === undefined) {
    return parseError("Element request must contain control and operation.");
  }
  const contentFns = asArray(obj(operation.content).function).map(obj);
  const functions = contentFns.map((f) => {
    const name = Object.keys(f).find((k) => !k.startsWith("@")) ?? "";
    return { controlId: text(f["@controlid"]), name, body: obj(f[name]) };
  });
  const isWrite = functions.some((f) => FUNCTIONS[f.name]?.write);

  // Gateway-level faults: nothing runs.
  const fault = nextFault(deps.faults, isWrite, undefined, deps.now()) as IntacctFault | undefined;
  if (fault === "rateLimit") return rateLimited(res, control, deps, deps.faults.retryAfterSeconds);
  if (fault === "serverError") {
    send(res, 502, HTML_5XX(502), { "content-type": "text/html" });
    return;
  }

  // Sender (control layer).
  const state = deps.state();
  const senderId = text(control.senderid);
  const sender = state.senders[senderId];
  if (!sender || sender.password !== text(control.password)) {
    send(res, 200, controlFailure(control, [{ errorno: "XL03000006", description2: "Incorrect Intacct XML Partner ID or password." }]), XML_HEADERS);
    return;
  }
  if (text(control.dtdversion) && text(control.dtdversion) !== "3.0") {
    send(res, 200, controlFailure(control, [{ errorno: "XL03000003", description: "XML Parse schema error", description2: "Only dtdversion 3.0 is supported by this gateway." }]), XML_HEADERS);
    return;
  }

  // Who is calling (authentication layer).
  const auth = obj(operation.authentication);
  const now = deps.now();
  let company: Company | undefined;
  let session: Session | undefined;
  let userId = "";
  let locationId = "";
  if (auth.sessionid !== undefined) {
    const sessionId = text(auth.sessionid);
    if (fault === "expireAuth") deps.sessions.delete(sessionId);
    const s = deps.sessions.get(sessionId);
    if (s && s.expiresAt > now) {
      session = s;
      company = state.companies[s.companyId];
      userId = s.userId;
      locationId = s.locationId;
    } else if (s) {
      deps.sessions.delete(sessionId);
    }
  } else if (auth.login !== undefined) {
    const login = obj(auth.login);
    const c = state.companies[text(login.companyid)];
    const user = c?.users[text(login.userid)];
    const entity = c && sessionEntity(c, text(login.userid), text(login.locationid));
    if (c && user && user.password === text(login.password) && entity !== undefined && (!entity || !isMultiEntity(c) || isEntity(c, entity))) {
      company = c;
      userId = text(login.userid);
      locationId = entity;
    } else {
      userId = text(login.userid);
    }
  }
  if (company && !company.senders.includes(senderId)) {
    send(
      res,
      200,
      controlFailure(control, [
        {
          errorno: "XL03000006",
          description: "Invalid Web Services Authorization",
          description2: `The sender ID '${senderId}' is not authorized to make Web Services requests to company ID '${company.companyId}'.`,
          correction: "Contact the company administrator to grant Web Services authorization to this sender ID.",
        },
      ]),
      XML_HEADERS,
    );
    return;
  }
  if (!company) {
    const login = obj(auth.login);
    const authXml = element("authentication", { status: "failure", userid: userId, companyid: text(login.companyid) });
    const errors: ErrorEntry[] =
      auth.sessionid !== undefined
        ? // ASSUMED wording: Intacct does not publish the expired-session payload (API notes A3).
          [{ errorno: "XL03000006", description2: "Invalid session. The session has expired or does not exist.", correction: "Sign in again with getAPISession." }]
        : [{ errorno: "XL03000006", description2: "Sign-in information is incorrect", correction: "" }];
    send(res, 200, wrap(controlXml("success", control) + `<operation>${authXml}${errorXml(errors)}</operation>`), XML_HEADERS);
    return;
  }

  // Concurrency entitlement per company.
  const running = deps.inflight.get(company.companyId) ?? 0;
  if (running >= deps.settings.concurrencyLimit) return rateLimited(res, control, deps);
  deps.inflight.set(company.companyId, running + 1);
  try {
    if (deps.faults.latencyMs > 0) await delay(deps.faults.latencyMs);
    const transaction = text(operation["@transaction"]) === "true";
    const uniqueId = text(control.uniqueid) !== "false";
    const results = runFunctions({ deps, company, functions, transaction, uniqueId, session, userId, locationId, host: req.headers.host ?? "127.0.0.1" });
    const current = session ?? (results.newSession ? deps.sessions.get(results.newSession) : undefined);
    const at = deps.now();
    if (session) session.expiresAt = at + deps.settings.sessionDurationSeconds * 1000;
    const authXml = element("authentication", {
      status: "success",
      userid: userId,
      companyid: company.companyId,
      locationid: locationId,
      sessiontimestamp: current ? isoWithOffset(at) : undefined,
      sessiontimeout: current ? isoWithOffset(current.expiresAt) : undefined,
    });
    const xml = wrap(controlXml("success", control) + `<operation>${authXml}${results.xml}</operation>`);
    if (fault === "dropAfterWrite") return dropResponse(res);
    if (fault === "gatewayTimeout") {
      send(res, 524, HTML_5XX(524), { "content-type": "text/html" });
      return;
    }
    send(res, 200, xml, XML_HEADERS);
  } finally {
    deps.inflight.set(company.companyId, (deps.inflight.get(company.companyId) ?? 1) - 1);
  }
}

function rateLimited(res: ServerResponse, control: Rec, deps: GatewayDeps, retryAfterSeconds = deps.settings.rateLimitRetryAfterSeconds): void {
  const headers: Record<string, string> = { ...XML_HEADERS };
  if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
  send(
    res,
    429,
    controlFailure(control, [
      {
        errorno: RATE_LIMIT_ERRORNO,
        description: "API rate limit exceeded",
        description2: "Too many concurrent requests for this company. Retry after a short wait.",
        correction: "Reduce the number of concurrent requests.",
      },
    ]),
    headers,
  );
}

interface RunArgs {
  deps: GatewayDeps;
  company: Company;
  functions: Array<{ controlId: string; name: string; body: Rec }>;
  transaction: boolean;
  uniqueId: boolean;
  session?: Session;
  userId: string;
  locationId: string;
  host: string;
}

function runFunctions(args: RunArgs): { xml: string; newSession?: string } {
  const { deps, functions } = args;
  let company = args.company;
  const snapshot = args.transaction ? structuredClone(company) : undefined;
  const used = deps.usedControlIds.get(company.companyId) ?? new Set<string>();
  deps.usedControlIds.set(company.companyId, used);
  const newlyUsed: string[] = [];
  let newSession: string | undefined;
  const outcomes: FnOutcome[] = functions.map((f): FnOutcome => {
    if (f.name === "getAPISession") {
      if (functions.length > 1) {
        return { ok: false, errors: [{ errorno: "XL03000001", description2: "getAPISession must be the only function in its request.", correction: "Send getAPISession alone." }] };
      }
      let s = args.session;
      // `<getAPISession><locationid>` asks for a session at that entity ("" = top level), even from a session.
      const wanted = f.body.locationid === undefined ? undefined : text(f.body.locationid);
      if (wanted && isMultiEntity(company) && !isEntity(company, wanted)) {
        return { ok: false, errors: [{ errorno: "XL03000006", description2: `Invalid entity '${wanted}' for company '${company.companyId}'.`, correction: "Give the location ID of an entity, or empty for the top level." }] };
      }
      const entity = wanted === undefined ? undefined : sessionEntity(company, args.userId, wanted);
      if (wanted !== undefined && entity === undefined) {
        return { ok: false, errors: [{ errorno: "XL03000006", description2: `User '${args.userId}' is restricted to entity '${company.users[args.userId]?.entityId}'.`, correction: "Sign in at that entity." }] };
      }
      if (!s || (entity !== undefined && entity !== s.locationId)) {
        s = {
          sessionId: `${randomBytes(24).toString("base64url")}..`,
          companyId: company.companyId,
          userId: args.userId,
          locationId: entity ?? args.locationId,
          expiresAt: deps.now() + deps.settings.sessionDurationSeconds * 1000,
        };
        deps.sessions.set(s.sessionId, s);
        newSession = s.sessionId;
      }
      return {
        ok: true,
        write: false,
        data: {
          attrs: {},
          records: [["api", { sessionid: s.sessionId, endpoint: `http://${args.host}${GATEWAY_PATH}`, locationid: s.locationId }]],
        },
      };
    }
    const handler = FUNCTIONS[f.name];
    if (!handler) {
      return { ok: false, errors: [{ errorno: "XL03000001", description2: `Function ${f.name || "(none)"} is not supported by this gateway.` }] };
    }
    if (args.uniqueId && f.controlId && used.has(f.controlId)) {
      return {
        ok: false,
        errors: [
          {
            errorno: DUPLICATE_CONTROLID_ERRORNO,
            description: "Duplicate function control ID",
            description2: `A successful transaction has already been recorded with the control id '${f.controlId}'.`,
            correction: "Use a new control id to run the function again.",
          },
        ],
      };
    }
    const outcome = handler.run({ company, now: deps.now(), resultSets: deps.resultSets, entityId: args.locationId }, f.body);
    if (outcome.ok && args.uniqueId && f.controlId) newlyUsed.push(f.controlId);
    return outcome;
  });
  const failed = outcomes.some((o) => !o.ok);
  const rolledBack = args.transaction && failed;
  if (rolledBack && snapshot) {
    deps.setCompany(snapshot);
    company = snapshot;
  } else {
    for (const id of newlyUsed) used.add(id);
  }
  const xml = functions
    .map((f, i) => {
      const o = outcomes[i];
      const head = { function: f.name, controlid: f.controlId };
      if (!o.ok) return element("result", { status: "failure", ...head, "#raw": errorXml(o.errors) });
      if (rolledBack) {
        return element("result", {
          status: "aborted",
          ...head,
          "#raw": errorXml([
            { errorno: ROLLED_BACK_ERRORNO, description: "", description2: "The entire transaction in this operation has been rolled back due to an error.", correction: "" },
          ]),
        });
      }
      const result: XmlObject = { status: "success", ...head };
      if (o.key !== undefined) result.key = o.key;
      if (o.data) {
        const attrs: XmlObject = {};
        for (const [k, v] of Object.entries(o.data.attrs)) attrs[`@${k}`] = v;
        const records = o.data.records.map(([name, rec]) => element(name, rec as XmlObject)).join("");
        result.data = { ...attrs, "#raw": records };
      }
      return element("result", result);
    })
    .join("");
  return { xml, newSession };
}

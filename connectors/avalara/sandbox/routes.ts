/**
 * The sandbox's AvaTax REST v2 routes. Each route returns a reply (status, JSON body, headers)
 * rather than writing it, so a "dropped response" fault can apply a write and then lose the answer.
 */
import type { IncomingMessage } from "node:http";
import { resolveAddress, type AddressValidationInfo } from "./addresses";
import { authenticate, requirePrincipal } from "./auth";
import { customerRoutes } from "./customers";
import type { Gazetteer } from "./gazetteer";
import type { SandboxState } from "./seed";
import { shapeTransaction, type TransactionStore } from "./store";
import { taxCodes } from "./taxCodes";
import { AvaTaxFault, type CreateTransactionModel } from "./wire";

export interface Reply {
  status: number;
  body: object;
  headers?: Record<string, string>;
}

export interface RouteContext {
  state: SandboxState;
  store: TransactionStore;
  gazetteer: Gazetteer;
  req: IncomingMessage;
  url: URL;
  body: string;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** Writes are the requests a "dropped response" fault applies before losing the answer. */
  write: boolean;
  /** The ping answers even during injected outages (it "never returns an error"). */
  faultFree?: boolean;
  handle: (ctx: RouteContext, params: string[]) => Reply;
}

/** Decode a path segment with AvaTax's escapes for characters that cannot appear in a URL path. */
export function decodeCode(segment: string): string {
  return decodeURIComponent(segment)
    .replaceAll("_-ava2f-_", "/")
    .replaceAll("_-ava2b-_", "+")
    .replaceAll("_-ava3f-_", "?")
    .replaceAll("_-ava25-_", "%")
    .replaceAll("_-ava23-_", "#");
}

function json<T>(text: string): T {
  if (!text.trim()) throw new AvaTaxFault(400, "ModelRequiredException", "A model is required for this API.");
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new AvaTaxFault(400, "JsonFormatError", "The request body is not valid JSON.", { target: "HttpRequest" });
  }
}

const ok = (body: object): Reply => ({ status: 200, body });
/**
 * What AvaTax answers a transaction recorded by CreateTransaction: 201 Created with the
 * TransactionModel (the 2018 swagger lists 200 for every path; the live API answers 201 and the
 * SDKs take either). CreateOrAdjustTransaction is ASSUMED to answer the same.
 */
const created = (body: object): Reply => ({ status: 201, body });
const SOFTWARE_VERSION = "24.12.0.0";

export const routes: Route[] = [
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Utilities/Ping/
    method: "GET",
    pattern: /^\/api\/v2\/utilities\/ping$/,
    write: false,
    faultFree: true,
    handle: ({ state, req }) => {
      const principal = authenticate(state, req);
      if (!principal) return ok({ version: SOFTWARE_VERSION, authenticated: false, authenticationType: "None" });
      return ok({
        version: SOFTWARE_VERSION,
        authenticated: true,
        authenticationType: principal.authenticationType,
        ...(principal.user ? { authenticatedUserName: principal.user.userName, authenticatedUserId: principal.user.id } : {}),
        authenticatedAccountId: Number(principal.account.accountId),
        authenticatedCompanyId: principal.account.companies.find((c) => c.isDefault)?.id,
        crmid: principal.account.crmid,
      });
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Addresses/ResolveAddressPost/
    method: "POST",
    pattern: /^\/api\/v2\/addresses\/resolve$/,
    write: false,
    handle: ({ state, req, body, gazetteer }) => {
      requirePrincipal(state, req);
      return ok(resolveAddress(gazetteer, json<AddressValidationInfo>(body)));
    },
  },
  {
    method: "GET",
    pattern: /^\/api\/v2\/addresses\/resolve$/,
    write: false,
    handle: ({ state, req, url, gazetteer }) => {
      requirePrincipal(state, req);
      const q = Object.fromEntries(url.searchParams.entries()) as AddressValidationInfo;
      return ok(resolveAddress(gazetteer, q));
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/CreateTransaction/
    method: "POST",
    pattern: /^\/api\/v2\/transactions\/create$/,
    write: true,
    handle: ({ state, store, req, body, url }) => {
      const principal = requirePrincipal(state, req);
      const tx = store.create(principal, json<CreateTransactionModel>(body));
      return created(shapeTransaction(tx, url.searchParams.get("$include")));
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/CreateOrAdjustTransaction/
    method: "POST",
    pattern: /^\/api\/v2\/transactions\/createoradjust$/,
    write: true,
    handle: ({ state, store, req, body, url }) => {
      const principal = requirePrincipal(state, req);
      const tx = store.createOrAdjust(principal, json(body));
      return created(shapeTransaction(tx, url.searchParams.get("$include")));
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/GetTransactionByCode/
    method: "GET",
    pattern: /^\/api\/v2\/companies\/([^/]+)\/transactions\/([^/]+)$/,
    write: false,
    handle: ({ state, store, req, url }, [companyCode, code]) => {
      const principal = requirePrincipal(state, req);
      const doc = store.find(principal, decodeCode(companyCode), decodeCode(code), url.searchParams.get("documentType") ?? undefined);
      return ok(shapeTransaction(doc.transaction, url.searchParams.get("$include")));
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/CommitTransaction/
    method: "POST",
    pattern: /^\/api\/v2\/companies\/([^/]+)\/transactions\/([^/]+)\/commit$/,
    write: true,
    handle: ({ state, store, req, url, body }, [companyCode, code]) => {
      const principal = requirePrincipal(state, req);
      const model = json<{ commit?: boolean }>(body);
      if (typeof model.commit !== "boolean") {
        throw new AvaTaxFault(400, "ValueRequiredError", "Field 'commit' is required.", { refersTo: "Commit" });
      }
      const tx = store.commit(principal, decodeCode(companyCode), decodeCode(code), url.searchParams.get("documentType") ?? undefined, model.commit);
      return ok(shapeTransaction(tx, url.searchParams.get("$include")));
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/VoidTransaction/
    method: "POST",
    pattern: /^\/api\/v2\/companies\/([^/]+)\/transactions\/([^/]+)\/void$/,
    write: true,
    handle: ({ state, store, req, url, body }, [companyCode, code]) => {
      const principal = requirePrincipal(state, req);
      const model = json<{ code?: string }>(body);
      const tx = store.void(principal, decodeCode(companyCode), decodeCode(code), url.searchParams.get("documentType") ?? undefined, model.code);
      return ok(shapeTransaction(tx, url.searchParams.get("$include")));
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/AdjustTransaction/
    method: "POST",
    pattern: /^\/api\/v2\/companies\/([^/]+)\/transactions\/([^/]+)\/adjust$/,
    write: true,
    handle: ({ state, store, req, url, body }, [companyCode, code]) => {
      const principal = requirePrincipal(state, req);
      const tx = store.adjust(principal, decodeCode(companyCode), decodeCode(code), url.searchParams.get("documentType") ?? undefined, json(body));
      return ok(shapeTransaction(tx, url.searchParams.get("$include")));
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/UncommitTransaction/
    method: "POST",
    pattern: /^\/api\/v2\/companies\/([^/]+)\/transactions\/([^/]+)\/uncommit$/,
    write: true,
    handle: ({ state, store, req, url }, [companyCode, code]) => {
      const principal = requirePrincipal(state, req);
      const tx = store.uncommit(principal, decodeCode(companyCode), decodeCode(code), url.searchParams.get("documentType") ?? undefined);
      return ok(shapeTransaction(tx, url.searchParams.get("$include")));
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/RefundTransaction/
    method: "POST",
    pattern: /^\/api\/v2\/companies\/([^/]+)\/transactions\/([^/]+)\/refund$/,
    write: true,
    handle: ({ state, store, req, url, body }, [companyCode, code]) => {
      const principal = requirePrincipal(state, req);
      const tx = store.refund(principal, decodeCode(companyCode), decodeCode(code), url.searchParams.get("documentType") ?? undefined, json(body));
      return ok(shapeTransaction(tx, url.searchParams.get("$include")));
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/LockTransaction/
    method: "POST",
    pattern: /^\/api\/v2\/companies\/([^/]+)\/transactions\/([^/]+)\/lock$/,
    write: true,
    handle: ({ state, store, req, url, body }, [companyCode, code]) => {
      const principal = requirePrincipal(state, req);
      const model = json<{ isLocked?: boolean }>(body);
      if (typeof model.isLocked !== "boolean") throw new AvaTaxFault(400, "ValueRequiredError", "Field 'isLocked' is required.", { refersTo: "IsLocked" });
      const tx = store.lock(principal, decodeCode(companyCode), decodeCode(code), url.searchParams.get("documentType") ?? undefined, model.isLocked);
      return ok(shapeTransaction(tx, url.searchParams.get("$include")));
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/GetTransactionById/
    method: "GET",
    pattern: /^\/api\/v2\/transactions\/(\d+)$/,
    write: false,
    handle: ({ state, store, req, url }, [id]) => {
      const principal = requirePrincipal(state, req);
      return ok(shapeTransaction(store.byId(principal, Number(id)), url.searchParams.get("$include")));
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Companies/QueryCompanies/
    method: "GET",
    pattern: /^\/api\/v2\/companies$/,
    write: false,
    handle: ({ state, req }) => {
      const principal = requirePrincipal(state, req);
      const value = principal.account.companies.map((c) => ({
        id: c.id,
        accountId: Number(principal.account.accountId),
        companyCode: c.companyCode,
        name: c.name,
        isDefault: c.isDefault,
        isActive: true,
        hasProfile: true,
        defaultCountry: "US",
      }));
      return ok({ "@recordsetCount": value.length, value });
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Definitions/ListTaxCodes/
    method: "GET",
    pattern: /^\/api\/v2\/definitions\/taxcodes$/,
    write: false,
    handle: ({ state, req }) => {
      requirePrincipal(state, req);
      const value = taxCodes.map((t, i) => ({
        id: 8000 + i,
        companyId: 0,
        taxCode: t.taxCode,
        taxCodeTypeId: t.taxCodeTypeId,
        description: t.description,
        isPhysical: t.taxCodeTypeId === "P",
        isActive: true,
        isSSTCertified: true,
      }));
      return ok({ "@recordsetCount": value.length, value });
    },
  },
  ...customerRoutes(Date.now),
];

export function matchRoute(method: string, pathname: string): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(pathname);
    if (m) return { route, params: m.slice(1) };
  }
  return undefined;
}

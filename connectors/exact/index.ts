/**
 * Exact Online: sales invoices in, general journal entries out, for one division of one region.
 *
 * Connection: config `region`, `division`, `clientId`, `baseUrl` (sandbox only); secrets
 * `clientSecret`, `webhookSecret`. Authorisation is the OAuth 2.0 code flow behind the Connect
 * button (`oauth`): the token pair lives in the connection state and rotates on every refresh.
 * Webhooks: subscribe the flow's webhook URL per division (node `exact.createWebhookSubscription`
 * or `ensureWebhookSubscription`); deliveries are verified with the app's webhook secret.
 */
import { defineConnector, isClassified } from "../sdk";
import { ExactClient } from "./client";
import { configSchema, secretsSchema, type ExactConfig, type ExactSecrets } from "./config";
import { createGeneralJournalEntry } from "./nodes/createGeneralJournalEntry";
import { createWebhookSubscription } from "./nodes/createWebhookSubscription";
import { deleteWebhookSubscription } from "./nodes/deleteWebhookSubscription";
import { getSalesInvoice } from "./nodes/getSalesInvoice";
import { listCostCenters } from "./nodes/listCostCenters";
import { listCostUnits } from "./nodes/listCostUnits";
import { listGlAccounts } from "./nodes/listGlAccounts";
import { listJournals } from "./nodes/listJournals";
import { listVatCodes } from "./nodes/listVatCodes";
import { listWebhookSubscriptions } from "./nodes/listWebhookSubscriptions";
import { salesInvoicePoll } from "./nodes/salesInvoicePoll";
import { salesInvoiceWebhook } from "./nodes/salesInvoiceWebhook";
import { syncTaxJournal } from "./nodes/syncTaxJournal";
import { salesInvoiceChanges, salesInvoiceEvents } from "./nodes/salesInvoiceLifecycle";
import { REGIONS, regionBaseUrl } from "./regions";
import { DEMO } from "./sandbox/demo";

export { ExactClient, journalKey } from "./client";
export type { ExactConfig, ExactSecrets } from "./config";

/** Subscribe `callbackUrl` to sales invoice notifications in the client's division, once. */
export function ensureWebhookSubscription(client: ExactClient, callbackUrl: string, topic = "SalesInvoices") {
  return client.ensureWebhookSubscription(callbackUrl, topic);
}

/**
 * The authorize URL of the connection's region.
 * https://support.exactonline.com/community/s/knowledge-base#All-All-DNO-Content-oauth-eol-oauth-devstep2
 */
export function authorizeUrl(args: { config: ExactConfig; state: string; redirectUri: string }): string {
  const config = configSchema.parse(args.config);
  const params = new URLSearchParams({
    client_id: config.clientId,
    redirect_uri: args.redirectUri,
    response_type: "code",
    state: args.state,
    force_login: "0",
  });
  return `${regionBaseUrl(config.region, config.baseUrl)}/api/oauth2/auth?${params.toString()}`;
}

export const exact = defineConnector<ExactConfig, ExactSecrets, ExactClient>({
  system: "exact",
  title: "Exact Online",
  description:
    "Exact Online accounting (NL, BE, UK, DE, FR, ES, US): sales invoice triggers (webhook and scheduled reconciliation), " +
    "invoice reads, chart of accounts, cost centers/units, VAT codes, journals, and balanced general journal entries.",
  config: configSchema,
  secrets: secretsSchema,
  // One host per region (./regions); a custom baseUrl is the local sandbox only.
  endpoints: {
    hosts: Object.values(REGIONS).map((r) => new URL(r.baseUrl).hostname),
    fields: ["region", "baseUrl"],
    urls: (config) => [regionBaseUrl(config.region, config.baseUrl || undefined)],
  },
  sandbox: (baseUrl) => ({
    name: "Exact Online sandbox (US demo company)",
    config: { region: "US", division: DEMO.usDivision, clientId: DEMO.clientId, baseUrl },
    secrets: { clientSecret: DEMO.clientSecret, webhookSecret: DEMO.webhookSecret },
  }),
  createClient: (env) => new ExactClient(env),
  oauth: {
    authorizeUrl: ({ config, state, redirectUri }) => authorizeUrl({ config, state, redirectUri }),
    exchangeCode: async (env, { code, redirectUri }) => {
      await new ExactClient(env).tokens.exchangeCode(code, redirectUri);
    },
  },
  test: async (client) => {
    try {
      const me = await client.me();
      const division = await client.getDivision();
      if (!division) {
        return {
          ok: false,
          message: `Signed in as ${me.FullName ?? me.Email}, but division ${client.division} is not among this user's divisions`,
          details: { user: me.Email, currentDivision: me.CurrentDivision },
        };
      }
      return {
        ok: true,
        message: `Connected to ${division.Description} (division ${division.Code}, ${REGIONS[client.region].label}) as ${me.FullName ?? me.Email}`,
        details: { user: me.Email, division: division.Code, divisionName: division.Description, currency: division.Currency, region: client.region },
      };
    } catch (error) {
      if (isClassified(error)) return { ok: false, message: error.message, details: { kind: error.kind, status: error.status, code: error.code } };
      throw error;
    }
  },
  pickers: {
    glAccounts: {
      title: "GL accounts",
      load: async (client) =>
        (await client.listGLAccounts()).filter((a) => !a.IsBlocked).map((a) => ({ value: a.Code ?? "", label: `${a.Code} ${a.Description ?? ""}`.trim() })),
    },
    costCenters: {
      title: "Cost centers",
      load: async (client) => (await client.listCostCenters()).map((c) => ({ value: c.Code ?? "", label: `${c.Code} ${c.Description ?? ""}`.trim() })),
    },
    costUnits: {
      title: "Cost units",
      load: async (client) => (await client.listCostUnits()).map((c) => ({ value: c.Code ?? "", label: `${c.Code} ${c.Description ?? ""}`.trim() })),
    },
    vatCodes: {
      title: "VAT codes",
      load: async (client) =>
        (await client.listVatCodes()).filter((v) => !v.IsBlocked).map((v) => ({ value: v.Code ?? "", label: `${v.Code} ${v.Description ?? ""}`.trim() })),
    },
    journals: {
      title: "Journals",
      load: async (client) =>
        (await client.listJournals()).filter((j) => !j.IsBlocked).map((j) => ({ value: j.Code ?? "", label: `${j.Code} ${j.Description ?? ""}`.trim() })),
    },
  },
  nodes: [
    salesInvoiceWebhook,
    salesInvoicePoll,
    salesInvoiceEvents,
    salesInvoiceChanges,
    getSalesInvoice,
    listGlAccounts,
    listCostCenters,
    listCostUnits,
    listVatCodes,
    listJournals,
    createGeneralJournalEntry,
    syncTaxJournal,
    createWebhookSubscription,
    deleteWebhookSubscription,
    listWebhookSubscriptions,
  ],
});

/**
 * Adobe Commerce connector: Magento 2 / Adobe Commerce PaaS (OAuth 1.0a integration or admin
 * token) and Adobe Commerce as a Cloud Service (Adobe IMS). Reads orders, invoices, credit memos,
 * customers and B2B companies, polled or pushed (Adobe I/O Events, Commerce webhooks), and B2B
 * purchase orders polled over GraphQL as a company user. Its one write is B2B company master data
 * (PUT /V1/company/{id}); nothing is written to sales or accounting.
 */
import { defineConnector } from "../sdk";
import { CommerceClient } from "./client";
import { commerceConfig, commerceSecrets, detectDeployment, type CommerceConfig, type CommerceSecrets } from "./config";
import { getCompany } from "./nodes/getCompany";
import { getCreditMemo } from "./nodes/getCreditMemo";
import { getInvoice } from "./nodes/getInvoice";
import { getOrder } from "./nodes/getOrder";
import { orderEvent } from "./nodes/orderEvent";
import { companiesUpdated } from "./nodes/companiesUpdated";
import { purchaseOrdersUpdated } from "./nodes/purchaseOrdersUpdated";
import { updateCompany } from "./nodes/updateCompany";
import { salesDocumentsUpdated } from "./nodes/salesDocumentsUpdated";
import { searchCustomers } from "./nodes/searchCustomers";
import { DEMO } from "./sandbox/auth";
import { CommerceTransport } from "./transport";

export { detectDeployment } from "./config";
export type { DeploymentInfo } from "./config";
export { CommerceClient } from "./client";

export const commerce = defineConnector<CommerceConfig, CommerceSecrets, CommerceClient>({
  system: "commerce",
  title: "Adobe Commerce",
  description:
    "Adobe Commerce and Magento 2 (on-prem, on Cloud, or as a Cloud Service): orders, invoices, credit memos, customers, B2B companies and B2B purchase orders, polled or from signed order events; B2B company master data kept in step.",
  icon: "shopping-bag",
  config: commerceConfig,
  secrets: commerceSecrets,
  // SaaS REST, Adobe IMS and the I/O Events key host are Adobe's; a PaaS store's own host is the
  // merchant's, so an administrator lists it in LEDGERLINE_ALLOWED_HOSTS.
  endpoints: {
    hosts: ["*.api.commerce.adobe.com", "ims-na1.adobelogin.com", "static.adobeioevents.com"],
    fields: ["baseUrl", "deployment", "imsTokenUrl", "ioEventsKeyHost"],
    urls: (config) => [config.baseUrl, config.imsTokenUrl, config.ioEventsKeyHost],
  },
  sandbox: (baseUrl) => {
    const base = baseUrl.replace(/\/+$/, "");
    return {
      name: "Commerce sandbox (PaaS store, OAuth 1.0a)",
      config: commerceConfig.parse({
        baseUrl: `${base}/rest/default`,
        deployment: "paas",
        storeCode: "default",
        paasAuth: "oauth1",
        imsClientId: DEMO.imsClientId,
        ioEventsKeyHost: base,
        b2bBuyerEmail: DEMO.b2bBuyerEmail,
      }),
      secrets: {
        consumerKey: DEMO.consumerKey,
        consumerSecret: DEMO.consumerSecret,
        accessToken: DEMO.accessToken,
        accessTokenSecret: DEMO.accessTokenSecret,
        b2bBuyerPassword: DEMO.b2bBuyerPassword,
      },
    };
  },
  createClient: (env) => new CommerceClient(new CommerceTransport(env), env.config),
  async test(client) {
    const info = client.deployment;
    // GET /V1/orders needs Magento_Sales::sales, the resource every node here relies on.
    const page = await client.searchSales("order", { pageSize: 1, currentPage: 1 }).catch((error: unknown) => error);
    if (page instanceof Error) {
      return { ok: false, message: `${info.label}: ${page.message}`, details: { deployment: info.deployment, restBase: info.restBase } };
    }
    const { total_count } = page as { total_count: number };
    return {
      ok: true,
      message: `Connected to ${info.label}; ${total_count} orders visible (${client.transport.authMode} auth)`,
      details: { deployment: info.deployment, detected: info.detected, restBase: info.restBase, storeCode: info.storeCode, tenantId: info.tenantId, orders: total_count },
    };
  },
  pickers: {
    storeViews: {
      title: "Store views",
      load: async (client) => (await client.storeViews()).filter((s) => s.code !== "admin").map((s) => ({ value: s.code, label: `${s.name} (${s.code})` })),
    },
    companies: {
      title: "B2B companies",
      load: async (client) =>
        (await client.searchCompanies({ pageSize: 300, currentPage: 1, sortOrders: [{ field: "company_name", direction: "ASC" }] })).items.map((c) => ({
          value: String(c.id),
          label: c.name ?? `Company ${c.id}`,
        })),
    },
  },
  nodes: [salesDocumentsUpdated, orderEvent, purchaseOrdersUpdated, companiesUpdated, getOrder, getInvoice, getCreditMemo, searchCustomers, getCompany, updateCompany],
});

/** The deployment a connection form shows for a URL (exported for the UI). */
export const describeDeployment = (config: Pick<CommerceConfig, "baseUrl" | "deployment" | "storeCode">) =>
  detectDeployment(config.baseUrl, config.deployment, config.storeCode);

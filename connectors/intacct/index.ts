/**
 * Sage Intacct connector (XML gateway, Web Services sender + user login with cached API sessions;
 * or the REST API with OAuth 2.0, or both: the connection's `transport`, rest/client.ts).
 *
 * Connection: config = gateway base URL, sender ID, company ID, user ID, optional entity and
 * session/retry tuning (connection.ts); secrets = sender password and user password.
 * The session (id, endpoint, expiry) lives in env.state, encrypted and shared by all workers.
 */
import { isClassified, type AnyNodeDefinition, type PickerOption } from "../sdk";
import { defineConnector } from "../sdk";
import { IntacctClient } from "./client";
import { intacctConfig, intacctSecrets, type IntacctConfig, type IntacctSecrets } from "./connection";
import { createApAdjustment } from "./nodes/createApAdjustment";
import { syncTaxAdjustment } from "./nodes/syncTaxAdjustment";
import { reverseApBill } from "./nodes/reverseApBill";
import { syncTaxGlBatch } from "./nodes/syncTaxGlBatch";
import { createApBill } from "./nodes/createApBill";
import { createJournalEntry } from "./nodes/createJournalEntry";
import { closePurchaseOrder } from "./nodes/closePurchaseOrder";
import { createPurchaseOrder } from "./nodes/createPurchaseOrder";
import { findCustomer } from "./nodes/findCustomer";
import { findOrCreateVendor } from "./nodes/findOrCreateVendor";
import { listDimensions, listDimensionValues, listUserDimensions, listUserDimensionValues, type DimensionObject } from "./nodes/listDimensions";
import { pollBills } from "./nodes/pollBills";
import { pollVendors } from "./nodes/pollVendors";
import { pollCustomers } from "./nodes/pollCustomers";
import { updateCustomer } from "./nodes/updateCustomer";
import { pollSalesTransactions } from "./nodes/pollSalesTransactions";
import { queryRecords } from "./nodes/queryRecords";
import { readRecords } from "./nodes/readRecords";
import { updatePurchaseOrder } from "./nodes/updatePurchaseOrder";
import { updateVendor } from "./nodes/updateVendor";
import { IntacctRestClient } from "./rest/client";
import { REST_DEMO } from "./sandbox/rest/demo";
import { DEMO } from "./sandbox/seed";

export { IntacctClient } from "./client";

const VIA = { xml: "; session", rest: " over REST; token", both: " over REST and the XML gateway; REST token" } as const;

function picker(object: DimensionObject, title: string) {
  return {
    title,
    load: async (client: IntacctClient): Promise<PickerOption[]> => {
      const lists = await listDimensionValues(client, [object], true);
      return (lists[object] ?? []).map((d) => ({ value: d.id, label: d.name ? `${d.id} - ${d.name}` : d.id }));
    },
  };
}

export const intacct = defineConnector<IntacctConfig, IntacctSecrets, IntacctClient>({
  system: "intacct",
  title: "Sage Intacct",
  description: "General ledger, payables, purchasing and order entry through the Sage Intacct XML gateway, the REST API, or both.",
  config: intacctConfig,
  secrets: intacctSecrets,
  // The SDKs refuse gateways outside *.intacct.com. https://developer.intacct.com/web-services/
  endpoints: {
    hosts: ["api.intacct.com", "*.intacct.com"],
    fields: ["baseUrl"],
    urls: (config) => [config.baseUrl],
  },
  sandbox: (baseUrl) => ({
    name: "Intacct sandbox (demo company)",
    config: intacctConfig.parse({
      baseUrl,
      senderId: DEMO.senderId,
      companyId: DEMO.companyId,
      userId: DEMO.userId,
      restClientId: REST_DEMO.clientId,
    }),
    secrets: { senderPassword: DEMO.senderPassword, userPassword: DEMO.userPassword, restClientSecret: REST_DEMO.clientSecret },
  }),
  // The connection's transport: the XML gateway alone, or REST (with the gateway for what REST does not cover on "both").
  createClient: (env) => (env.config.transport === "xml" ? new IntacctClient(env) : new IntacctRestClient(env)),
  async test(client) {
    try {
      const info = await client.ping();
      return {
        ok: true,
        message: `Signed in to company ${info.companyId}${VIA[client.env.config.transport]} valid until ${info.sessionExpiresAt}`,
        details: info,
      };
    } catch (error) {
      if (!isClassified(error)) throw error;
      return { ok: false, message: error.message, details: { kind: error.kind, code: error.code, status: error.status } };
    }
  },
  pickers: {
    glAccounts: picker("GLACCOUNT", "GL accounts"),
    departments: picker("DEPARTMENT", "Departments"),
    locations: picker("LOCATION", "Locations"),
    classes: picker("CLASS", "Classes"),
    projects: picker("PROJECT", "Projects"),
    vendors: picker("VENDOR", "Vendors"),
    customers: picker("CUSTOMER", "Customers"),
    items: picker("ITEM", "Items"),
    journals: picker("GLJOURNAL", "GL journals"),
    // The company's own dimensions (getDimensions), and the values of one: "userDimensionValues:CHANNEL".
    userDimensions: {
      title: "User-defined dimensions",
      load: async (client: IntacctClient): Promise<PickerOption[]> =>
        (await listUserDimensions(client)).map((d) => ({ value: d.objectName, label: d.label })),
    },
    userDimensionValues: {
      title: "User-defined dimension",
      argument: "userDimensions",
      load: async (client: IntacctClient, objectName?: string): Promise<PickerOption[]> => {
        const udds = await listUserDimensions(client);
        const udd = udds.find((d) => d.objectName === (objectName ?? "").toUpperCase());
        if (!udd) throw new Error(`The company has no user-defined dimension ${objectName ?? ""}`);
        const values = await listUserDimensionValues(client, [udd.objectName], true);
        return (values[udd.objectName] ?? []).map((d) => ({ value: d.id, label: d.name ? `${d.id} - ${d.name}` : d.id }));
      },
    },
  },
  nodes: [
    pollSalesTransactions,
    pollBills,
    pollVendors,
    pollCustomers,
    queryRecords,
    readRecords,
    createJournalEntry,
    createApBill,
    createApAdjustment,
    syncTaxAdjustment,
    reverseApBill,
    syncTaxGlBatch,
    createPurchaseOrder,
    updatePurchaseOrder,
    closePurchaseOrder,
    updateVendor,
    updateCustomer,
    findOrCreateVendor,
    findCustomer,
    listDimensions,
  ] as AnyNodeDefinition[],
});

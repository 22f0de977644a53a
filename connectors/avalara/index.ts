/**
 * Avalara AvaTax (REST v2): address resolution and sales/use tax calculation, with documents
 * keyed by their code so nothing is posted twice.
 *
 * Connection: `environment` (sandbox | production | custom + `baseUrl`), X-Avalara-Client fields,
 * `timeoutMs`; secrets: account id + license key, or user name + password (HTTP Basic).
 */
import { defineConnector } from "../sdk";
import { AvalaraClient } from "./client";
import { avalaraConfig, avalaraSecrets, resolveBaseUrl, type AvalaraConfig, type AvalaraSecrets } from "./config";
import { commitTransaction } from "./nodes/commitTransaction";
import { createTransaction } from "./nodes/createTransaction";
import { getTransaction } from "./nodes/getTransaction";
import { resolveAddress } from "./nodes/resolveAddress";
import { voidTransaction } from "./nodes/voidTransaction";
import { syncDocument } from "./nodes/syncDocument";
import { commitSynced } from "./nodes/commitSynced";
import { checkTaxCodes, companyTaxCodes } from "./nodes/checkTaxCodes";
import { customersChanged, getCustomerNode, upsertCustomer } from "./nodes/customers";
import { DEMO } from "./sandbox/seed";

export { AvalaraClient } from "./client";

export const avalara = defineConnector<AvalaraConfig, AvalaraSecrets, AvalaraClient>({
  system: "avalara",
  title: "Avalara AvaTax",
  description: "Validate addresses and calculate sales tax and VAT with Avalara AvaTax; commit and void tax documents.",
  icon: "avalara",
  config: avalaraConfig,
  secrets: avalaraSecrets,
  // Official hosts: https://developer.avalara.com/avatax/dev-guide/getting-started-with-avatax/
  endpoints: {
    hosts: ["rest.avatax.com", "sandbox-rest.avatax.com"],
    fields: ["environment", "baseUrl"],
    urls: (config) => [resolveBaseUrl(config)],
  },
  sandbox: (baseUrl) => ({
    name: "Avalara sandbox (local)",
    config: {
      environment: "custom",
      baseUrl,
      appName: "Ledgerline",
      appVersion: "0.1",
      machineName: "ledgerline-worker",
      timeoutMs: 30_000,
      callsPerSecond: 20,
    },
    secrets: { accountId: DEMO.accountId, licenseKey: DEMO.licenseKey },
  }),
  createClient: (env) => new AvalaraClient(env),
  // The ping never errors: credentials are good only when `authenticated` is true.
  async test(client) {
    try {
      const ping = await client.ping();
      if (!ping.authenticated) {
        return {
          ok: false,
          message: "Avalara answered but did not accept the credentials (check the account id and license key, or user name and password).",
          details: { version: ping.version, authenticationType: ping.authenticationType },
        };
      }
      return {
        ok: true,
        message: `Connected to AvaTax ${ping.version} as ${ping.authenticatedUserName || `account ${ping.authenticatedAccountId}`}`,
        details: {
          version: ping.version,
          authenticationType: ping.authenticationType,
          accountId: ping.authenticatedAccountId,
          companyId: ping.authenticatedCompanyId,
        },
      };
    } catch (error) {
      return { ok: false, message: `Avalara could not be reached: ${(error as Error).message}` };
    }
  },
  pickers: {
    companies: {
      title: "Companies",
      load: async (client) =>
        (await client.listCompanies()).map((c) => ({
          value: c.companyCode,
          label: `${c.companyCode} · ${c.name}${c.isDefault ? " (default)" : ""}`,
        })),
    },
    taxCodes: {
      title: "Tax codes",
      // System tax codes, then each company's own (QueryTaxCodes under the company).
      load: async (client) => {
        const system = (await client.listTaxCodes()).map((t) => ({ value: t.taxCode, label: `${t.taxCode} · ${t.description}` }));
        const own = [];
        for (const company of await client.listCompanies()) {
          for (const t of await companyTaxCodes(client, company.id)) own.push({ value: t.taxCode, label: `${t.taxCode} · ${t.description} (${company.companyCode})` });
        }
        return [...system, ...own];
      },
    },
  },
  nodes: [resolveAddress, createTransaction, commitTransaction, voidTransaction, getTransaction, syncDocument, commitSynced, getCustomerNode, upsertCustomer, customersChanged, checkTaxCodes],
});

/**
 * Intacct vendors <-> Adobe Commerce B2B companies, both directions, as two flows that share one
 * field ownership:
 *
 * | field                                  | Commerce company                    | Intacct vendor                  | owner    |
 * | -------------------------------------- | ----------------------------------- | ------------------------------- | -------- |
 * | name                                   | company_name                        | NAME                            | Commerce |
 * | legal name                             | legal_name                          | DISPLAYCONTACT.COMPANYNAME      | Commerce |
 * | e-mail                                 | company_email                       | DISPLAYCONTACT.EMAIL1           | Commerce |
 * | phone                                  | telephone                           | DISPLAYCONTACT.PHONE1           | Commerce |
 * | address (street, city, region, postcode, country) | street[], city, region, postcode, country_id | DISPLAYCONTACT.MAILADDRESS | Commerce |
 * | tax ID / VAT                           | vat_tax_id                          | TAXID                           | Intacct  |
 *
 * - Commerce -> Intacct: a company whose Commerce-owned fields changed updates its vendor's
 *   Commerce-owned fields; an edit of those fields in Intacct is overwritten by the next change
 *   in Commerce (conflicts follow ownership).
 * - Intacct -> Commerce: a vendor whose tax ID changed updates its company's VAT/tax ID.
 * - No loop: each poll starts runs only when the fields its own side owns change, and each flow
 *   writes only the fields the other side owns. A value Ledgerline wrote is never a change the
 *   other poll watches, and a write of a value already there sends nothing.
 * - Companies and vendors are linked by two mapping tables (one per direction): "Intacct vendor by
 *   B2B company" (shared with the B2B purchase order template) and "B2B company by Intacct vendor".
 *   A company without a vendor parks for review; a vendor that is no company's is left alone.
 */
import { b2bVendorsTable } from "./commerce-b2b-po";
import { at, chain, edge, opt, type StarterTemplate, type TemplateTable } from "./types";

/** The fields each side owns (node config of the polls). */
export const COMMERCE_OWNED = ["name", "legalName", "email", "telephone", "street", "city", "region", "postcode", "countryId"];
export const INTACCT_OWNED = ["taxId"];

export const companiesByVendorTable: TemplateTable = {
  ref: "companies",
  name: "B2B company by Intacct vendor",
  kind: "custom",
  description: "The Adobe Commerce B2B company (its id) each Intacct vendor's tax ID is kept on. A vendor without a row is no company's and is left alone.",
  keyLabel: "Intacct vendor ID",
  columns: [{ name: "companyId", label: "Commerce company id" }],
  demoRows: [
    { key: "V200", values: { companyId: "1" } },
    { key: "V100", values: { companyId: "2" } },
    { key: "V300", values: { companyId: "3" } },
  ],
};

export const commerceCompanyToVendor: StarterTemplate = {
  id: "commerce-company-intacct-vendor",
  title: "Adobe Commerce B2B company → Intacct vendor",
  description:
    "Every 10 minutes, carry what Commerce owns of each B2B company (name, legal name, e-mail, phone, address) onto its Intacct " +
    "vendor, once per change and only the fields that differ. The vendor's tax ID stays Intacct's (the flow Intacct vendor → " +
    "Commerce B2B company carries it back); a change this flow writes never starts a sync back.",
  systems: ["commerce", "intacct"],
  tables: [b2bVendorsTable],
  version: 1,
  build: ({ connections, tables }) => ({
    schemaVersion: 1,
    nodes: [
      {
        id: "company",
        type: "commerce.companiesUpdated",
        typeVersion: 1,
        name: "B2B companies changed (Commerce)",
        position: at(0),
        config: { watchFields: COMMERCE_OWNED },
        connectionId: connections.commerce ?? null,
        notes: "Runs only when a field Commerce owns changed; the first poll records where every company stands.",
      },
      {
        id: "vendor",
        type: "core.lookup",
        typeVersion: 1,
        name: "Vendor of the company",
        position: at(1),
        config: { tableId: tables.vendors, key: "$string($trigger.id)", target: "vendor" },
        notes: "A company without a vendor parks for review, naming it.",
      },
      {
        id: "changes",
        type: "core.mapFields",
        typeVersion: 1,
        name: "Commerce-owned fields",
        position: at(2),
        config: {
          fields: [
            { target: "vendorId", expression: "$nodes.vendor.vendor.vendorId" },
            { target: "changeKey", expression: "$trigger.version" },
            { target: "fields.name", expression: opt("$trigger.name") },
            { target: "fields.legalName", expression: opt("$trigger.legalName") },
            { target: "fields.email", expression: opt("$trigger.email") },
            { target: "fields.phone", expression: opt("$trigger.telephone") },
            { target: "fields.line1", expression: `$exists($trigger.street[0]) ? $trigger.street[0] : ""` },
            { target: "fields.line2", expression: `$exists($trigger.street[1]) ? $trigger.street[1] : ""` },
            { target: "fields.city", expression: opt("$trigger.city") },
            { target: "fields.region", expression: opt("$trigger.region") },
            { target: "fields.postalCode", expression: opt("$trigger.postcode") },
            { target: "fields.country", expression: opt("$trigger.countryId") },
          ],
          keepInput: false,
        },
      },
      {
        id: "updateVendor",
        type: "intacct.updateVendor",
        typeVersion: 1,
        name: "Update vendor (Intacct)",
        position: at(3),
        config: {},
        connectionId: connections.intacct ?? null,
        notes: "Only the fields that differ; once per company version.",
      },
    ],
    edges: chain("company", "vendor", "changes", "updateVendor"),
    settings: { concurrency: 1, schedule: "*/10 * * * *" },
  }),
};

export const intacctVendorToCompany: StarterTemplate = {
  id: "intacct-vendor-commerce-company",
  title: "Intacct vendor → Adobe Commerce B2B company",
  description:
    "Every 10 minutes, carry what Intacct owns of each vendor (its tax ID) onto the Adobe Commerce B2B company it belongs to, once " +
    "per change. Vendors that are no company's are left alone; a change this flow writes never starts a sync back.",
  systems: ["intacct", "commerce"],
  tables: [companiesByVendorTable],
  version: 1,
  build: ({ connections, tables }) => ({
    schemaVersion: 1,
    nodes: [
      {
        id: "vendor",
        type: "intacct.pollVendors",
        typeVersion: 1,
        name: "Vendors changed (Intacct)",
        position: at(0),
        config: { watchFields: INTACCT_OWNED },
        connectionId: connections.intacct ?? null,
        notes: "Runs only when a field Intacct owns changed; the first poll records where every vendor stands.",
      },
      {
        id: "company",
        type: "core.lookup",
        typeVersion: 1,
        name: "Company of the vendor",
        position: at(1),
        config: { tableId: tables.companies, key: "$trigger.vendorId", target: "company", defaultValues: { companyId: "" } },
        notes: "A vendor without a row is no B2B company's: the run ends here (logged).",
      },
      {
        id: "isCompany",
        type: "core.branch",
        typeVersion: 1,
        name: "A B2B company's vendor?",
        position: at(2),
        config: { condition: `$nodes.company.company.companyId != ""` },
      },
      {
        id: "changes",
        type: "core.mapFields",
        typeVersion: 1,
        name: "Intacct-owned fields",
        position: at(3),
        config: {
          fields: [
            { target: "companyId", expression: "$number($nodes.company.company.companyId)" },
            { target: "changeKey", expression: "$trigger.version" },
            { target: "fields.vatTaxId", expression: "$trigger.taxId" },
          ],
          keepInput: false,
        },
      },
      {
        id: "updateCompany",
        type: "commerce.updateCompany",
        typeVersion: 1,
        name: "Update B2B company (Commerce)",
        position: at(4),
        config: {},
        connectionId: connections.commerce ?? null,
        notes: "Only the fields that differ; once per vendor version.",
      },
    ],
    edges: [...chain("vendor", "company", "isCompany"), edge("isCompany", "changes", "true"), edge("changes", "updateCompany")],
    settings: { concurrency: 1, schedule: "*/10 * * * *" },
  }),
};

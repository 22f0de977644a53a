/**
 * Intacct customers <-> Avalara customers (exemptions), both directions, as two flows that share
 * one field ownership:
 *
 * | field                         | Intacct customer                          | Avalara customer (CustomerModel)     | owner   |
 * | ----------------------------- | ----------------------------------------- | ------------------------------------ | ------- |
 * | code                          | CUSTOMERID                                | customerCode (what transactions send) | Intacct |
 * | name                          | NAME                                      | name                                 | Intacct |
 * | address                       | DISPLAYCONTACT.MAILADDRESS                | line1, line2, city, region, postalCode, country | Intacct |
 * | contact                       | DISPLAYCONTACT.CONTACTNAME, EMAIL1, PHONE1 | contactName, emailAddress, phoneNumber | Intacct |
 * | exempt                        | DISPLAYCONTACT.TAXABLE (false when exempt) | a valid certificate linked to it     | Avalara |
 * | exemption number              | RESALENO                                  | the certificate's exemptionNumber    | Avalara |
 * | entity/use code               | AVATAX_ENTITY_USE_CODE (custom field)     | the certificate's exemption reason   | Avalara |
 *
 * - Intacct -> Avalara: a customer whose Intacct-owned fields changed is created at Avalara, or
 *   updated there in only the fields that differ. The first poll sends every customer.
 * - Avalara -> Intacct: a customer whose certificates changed its exemption (a certificate
 *   collected, expired or invalidated) gets taxable, resale number and entity/use code on its
 *   Intacct customer. Avalara customers that are no Intacct customer's are left alone.
 * - No loop: each poll starts runs only when the fields its own side owns change, and each flow
 *   writes only the fields the other side owns; a write of a value already there sends nothing.
 * - The sales tax flows send the Intacct customer ID as `customerCode`, so AvaTax applies the
 *   certificates of that customer: an exempt customer's invoice is taxed 0 where it is exempt.
 */
import { at, chain, edge, opt, type StarterTemplate } from "./types";

export const INTACCT_OWNED = ["name", "email", "phone", "contactName", "line1", "line2", "city", "region", "postalCode", "country"];
export const AVALARA_OWNED = ["exempt", "exemptionNo", "entityUseCode", "exemptRegions"];

export const intacctCustomerToAvalara: StarterTemplate = {
  id: "intacct-customer-avalara-customer",
  title: "Intacct customers → Avalara customers",
  description:
    "Every 10 minutes, carry what Intacct owns of each customer (name, address, contact) onto the Avalara customer with the same " +
    "code (its Intacct customer ID, the customerCode the sales tax flows send), created when Avalara has none, otherwise updated " +
    "in only the fields that differ. The first poll sends every customer. The exemption stays Avalara's (the flow Avalara " +
    "exemptions → Intacct customers carries it back); a change this flow writes never starts a sync back.",
  systems: ["intacct", "avalara"],
  tables: [],
  version: 1,
  build: ({ connections }) => ({
    schemaVersion: 1,
    nodes: [
      {
        id: "customer",
        type: "intacct.pollCustomers",
        typeVersion: 1,
        name: "Customers changed (Intacct)",
        position: at(0),
        config: { watchFields: INTACCT_OWNED, firstPoll: "deliver" },
        connectionId: connections.intacct ?? null,
        notes: "Runs only when a field Intacct owns changed; the first poll sends every customer.",
      },
      {
        id: "changes",
        type: "core.mapFields",
        typeVersion: 1,
        name: "Intacct-owned fields",
        position: at(1),
        config: {
          fields: [
            { target: "customerCode", expression: "$trigger.customerId" },
            { target: "changeKey", expression: "$trigger.version" },
            { target: "fields.name", expression: opt("$trigger.name") },
            { target: "fields.line1", expression: opt("$trigger.line1") },
            { target: "fields.line2", expression: opt("$trigger.line2") },
            { target: "fields.city", expression: opt("$trigger.city") },
            { target: "fields.region", expression: opt("$trigger.region") },
            { target: "fields.postalCode", expression: opt("$trigger.postalCode") },
            { target: "fields.country", expression: opt("$trigger.country") },
            { target: "fields.emailAddress", expression: opt("$trigger.email") },
            { target: "fields.phoneNumber", expression: opt("$trigger.phone") },
            { target: "fields.contactName", expression: opt("$trigger.contactName") },
          ],
          keepInput: false,
        },
      },
      {
        id: "upsert",
        type: "avalara.upsertCustomer",
        typeVersion: 1,
        name: "Create or update customer (Avalara)",
        position: at(2),
        config: { companyCode: "DEFAULT" },
        connectionId: connections.avalara ?? null,
        notes: "Only the fields that differ; once per customer version.",
      },
    ],
    edges: chain("customer", "changes", "upsert"),
    settings: { concurrency: 1, schedule: "*/10 * * * *" },
  }),
};

export const avalaraExemptionToIntacct: StarterTemplate = {
  id: "avalara-exemption-intacct-customer",
  title: "Avalara exemptions → Intacct customers",
  description:
    "Every 10 minutes, carry each Avalara customer's exemption (from its valid exemption certificates: taxable or not, the " +
    "exemption number as the resale number, the entity/use code in the custom field AVATAX_ENTITY_USE_CODE) onto the Intacct " +
    "customer with that ID, once per change and only what differs. Avalara customers without an Intacct customer are left alone; " +
    "a change this flow writes never starts a sync back.",
  systems: ["avalara", "intacct"],
  tables: [],
  version: 1,
  build: ({ connections }) => ({
    schemaVersion: 1,
    nodes: [
      {
        id: "exemption",
        type: "avalara.customersChanged",
        typeVersion: 1,
        name: "Customer exemptions changed (Avalara)",
        position: at(0),
        config: { companyCode: "DEFAULT", watchFields: AVALARA_OWNED },
        connectionId: connections.avalara ?? null,
        notes: "Runs only when a customer's exemption changed; the first poll records where every customer stands.",
      },
      {
        id: "who",
        type: "core.mapFields",
        typeVersion: 1,
        name: "Customer ID",
        position: at(1),
        config: { fields: [{ target: "customerId", expression: "$trigger.customerCode" }], keepInput: false },
      },
      {
        id: "find",
        type: "intacct.findCustomer",
        typeVersion: 1,
        name: "Intacct customer",
        position: at(2),
        config: { whenMissing: "empty" },
        connectionId: connections.intacct ?? null,
      },
      {
        id: "isCustomer",
        type: "core.branch",
        typeVersion: 1,
        name: "An Intacct customer?",
        position: at(3),
        config: { condition: "$nodes.find.found = true" },
      },
      {
        id: "changes",
        type: "core.mapFields",
        typeVersion: 1,
        name: "Avalara-owned fields",
        position: at(4),
        config: {
          fields: [
            { target: "customerId", expression: "$trigger.customerCode" },
            { target: "changeKey", expression: "$trigger.version" },
            { target: "fields.taxable", expression: `$trigger.exempt = "true" ? "false" : "true"` },
            { target: "fields.resaleNo", expression: "$trigger.exemptionNo" },
            { target: "fields.entityUseCode", expression: "$trigger.entityUseCode" },
          ],
          keepInput: false,
        },
      },
      {
        id: "update",
        type: "intacct.updateCustomer",
        typeVersion: 1,
        name: "Update customer (Intacct)",
        position: at(5),
        config: {},
        connectionId: connections.intacct ?? null,
        notes: "Only the fields that differ; once per exemption version.",
      },
    ],
    edges: [...chain("exemption", "who", "find", "isCustomer"), edge("isCustomer", "changes", "true"), edge("changes", "update")],
    settings: { concurrency: 1, schedule: "*/10 * * * *" },
  }),
};

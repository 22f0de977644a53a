/**
 * Exact Online sales invoice -> Avalara -> general journal entry in Exact.
 *
 * invoice (webhook, or the reconciliation poll) -> skip drafts -> customer address -> Avalara resolve (an invalid
 * address parks the run for review, nothing is posted) -> Avalara transaction input (document code
 * EXACT-<division>-<invoice number>) -> calculate tax -> any tax to post? -> tax GL account and
 * cost center per jurisdiction ("Tax GL accounts (Exact)", items mode) -> balanced journal lines
 * (each jurisdiction's tax credited, one offset debit) -> Exact journal entry, once per invoice.
 *
 * Why the offset is a fixed account: the US demo company invoices without tax in Exact and lets
 * Avalara compute it afterwards, so the tax is booked against "4100 Sales tax collected -
 * clearing". Change it in the "Journal entry lines" node (OFFSET_ACCOUNT below) for other books.
 */
import type { FlowNode } from "../flow/schema";
import { avalaraLines, taxSteps } from "./tax-steps";
import { at, cents, chain, literal, opt, type StarterTemplate, type TemplateBuildArgs, type TemplateTable } from "./types";

export const EXACT_OFFSET_ACCOUNT = "4100";

export const exactTaxGlTable: TemplateTable = {
  ref: "taxGl",
  name: "Tax GL accounts (Exact)",
  kind: "tax_gl",
  description:
    "Where each Avalara tax jurisdiction's tax is posted in Exact Online: the tax liability GL account and the cost center. " +
    "Key: Avalara's jurisdiction key <country>:<state>:<type>:<code> (e.g. US:WA:STA:53 for Washington state tax).",
  keyLabel: "Avalara jurisdiction",
  columns: [
    { name: "glAccount", label: "GL account" },
    { name: "costCenter", label: "Cost center" },
  ],
  // The US demo company (division 1001): one payable account per state, local taxes together on 2250.
  demoRows: [
    ...[
      ["US:WA:STA:53", "2200"],
      ["US:WA:CIT:63000", "2250"],
      ["US:WA:CIT:57535", "2250"],
      ["US:WA:STJ:EMTV0", "2250"],
      ["US:CA:STA:06", "2210"],
      ["US:CA:CTY:075", "2250"],
      ["US:CA:STJ:EMAZ0", "2250"],
      ["US:CA:STJ:EMTN0", "2250"],
      ["US:CA:CTY:059", "2250"],
      ["US:CA:STJ:EMBE0", "2250"],
      ["US:CA:STJ:EMCA0", "2250"],
    ].map(([key, glAccount]) => ({ key: key!, values: { glAccount: glAccount!, costCenter: "100" } })),
    ...[
      ["US:NY:STA:36", "2220"],
      ["US:NY:CIT:51000", "2250"],
      ["US:NY:STJ:359071", "2250"],
      ["US:NY:CTY:001", "2250"],
    ].map(([key, glAccount]) => ({ key: key!, values: { glAccount: glAccount!, costCenter: "110" } })),
    ...[
      ["US:TX:STA:48", "2230"],
      ["US:TX:CIT:2227045", "2250"],
      ["US:TX:STJ:3227994", "2250"],
      ["US:TX:CIT:2101022", "2250"],
      ["US:TX:STJ:3101990", "2250"],
    ].map(([key, glAccount]) => ({ key: key!, values: { glAccount: glAccount!, costCenter: "120" } })),
  ],
};

export const exactItemTaxCodesTable: TemplateTable = {
  ref: "itemTaxCodes",
  name: "Avalara tax codes (Exact items)",
  kind: "custom",
  description:
    "The Avalara tax code of each Exact Online item, so software, services and support are taxed by what they are. " +
    "An item without a row is sent without a tax code (Avalara then treats it as tangible goods, P0000000).",
  keyLabel: "Exact item code",
  columns: [{ name: "taxCode", label: "Avalara tax code" }],
  demoRows: [
    { key: "LIC-STD", values: { taxCode: "SW052000" } },
    { key: "LIC-PRO", values: { taxCode: "SW052000" } },
    { key: "SVC-IMPL", values: { taxCode: "SC150100" } },
    { key: "SUP-ANN", values: { taxCode: "SW054000" } },
    { key: "TRN-DAY", values: { taxCode: "SC150100" } },
  ],
};

const invoiceNumber = "($trigger.invoice.InvoiceNumber ? $string($trigger.invoice.InvoiceNumber) : $trigger.invoice.InvoiceID)";
/** The Avalara document code, derived from the invoice: the same invoice always gets the same code. */
export const exactDocumentCode = `"EXACT-" & $string($trigger.division) & "-" & ${invoiceNumber}`;
const invoiceDate = "$substring($trigger.invoice.InvoiceDate, 0, 10)";

function exactTaxFlow(trigger: FlowNode, { connections, tables }: TemplateBuildArgs) {
  const exact = connections.exact ?? null;
  const avalara = connections.avalara ?? null;
  const nodes: FlowNode[] = [
    trigger,
    {
      id: "notDraft",
      type: "core.filter",
      typeVersion: 1,
      name: "Skip draft invoices",
      position: at(1),
      config: { condition: "invoice.Status != 10" },
      notes: "A draft can still change: its tax is posted when it is processed (Exact then notifies an update).",
    },
    {
      id: "address",
      type: "core.mapFields",
      typeVersion: 1,
      name: "Customer address",
      position: at(2),
      config: {
        fields: [
          { target: "line1", expression: opt("billingAddress.line1") },
          { target: "line2", expression: opt("billingAddress.line2") },
          { target: "line3", expression: opt("billingAddress.line3") },
          { target: "city", expression: opt("billingAddress.city") },
          { target: "region", expression: opt("billingAddress.region") },
          { target: "postalCode", expression: opt("billingAddress.postalCode") },
          { target: "country", expression: opt("billingAddress.country") },
          { target: "reference", expression: `$substring((account.Name ? account.Name : invoice.InvoiceToName) & " (invoice " & ${invoiceNumber} & ")", 0, 200)` },
        ],
        keepInput: false,
      },
      notes: "The customer's invoice address (else its visit address), as Exact hands it on.",
    },
    {
      id: "resolve",
      type: "avalara.resolveAddress",
      typeVersion: 1,
      name: "Validate address (Avalara)",
      position: at(3),
      config: { textCase: "Mixed", minimumQuality: "PostalCentroidGood", otherCountries: "skip" },
      connectionId: avalara,
      notes: "An invalid or undeliverable address logs a warning and parks the run in the review queue: no tax is posted until it is fixed.",
    },
    {
      id: "taxInput",
      type: "core.mapFields",
      typeVersion: 1,
      name: "Avalara transaction",
      position: at(4),
      config: {
        fields: [
          { target: "code", expression: exactDocumentCode },
          { target: "date", expression: invoiceDate },
          { target: "customerCode", expression: "$trigger.account.Code ? $trigger.account.Code : $trigger.invoice.InvoiceTo" },
          { target: "currencyCode", expression: opt("$trigger.invoice.Currency") },
          { target: "referenceCode", expression: `"Exact invoice " & ${invoiceNumber}` },
          { target: "description", expression: opt("$trigger.invoice.Description") },
          { target: "addresses.shipTo", expression: "address" },
          {
            target: "lines",
            expression: avalaraLines({
              list: "$trigger.lines",
              number: "$string($l.LineNumber ? $l.LineNumber : $l.ID)",
              quantity: opt("$l.Quantity"),
              amount: "$l.AmountFC ? $l.AmountFC : 0",
              itemCode: "$l.ItemCode",
              description: "$l.Description",
              taxCodesTableId: tables.itemTaxCodes,
            }),
          },
        ],
        keepInput: false,
      },
      notes: "Document code EXACT-<division>-<invoice number>: the idempotency key at Avalara and in the ledger.",
    },
    ...taxSteps({
      column: 5,
      avalaraConnectionId: avalara,
      taxGlTableId: tables.taxGl,
      noTaxNote: "Exempt customers and non-taxable items give no tax: the run ends as skipped and nothing is posted.",
    }),
    {
      id: "journal",
      type: "core.mapFields",
      typeVersion: 1,
      name: "Journal entry lines",
      position: at(8),
      config: {
        fields: [
          { target: "division", expression: "$trigger.division" },
          { target: "invoiceId", expression: "$trigger.invoice.InvoiceID" },
          { target: "date", expression: invoiceDate },
          { target: "description", expression: `$substring("Sales tax invoice " & ${invoiceNumber}, 0, 60)` },
          { target: "currency", expression: opt("$trigger.invoice.Currency") },
          {
            target: "lines",
            expression:
              `[taxLines.{"glAccount": glAccount, "amount": -${cents("tax")}, "costCenter": ${opt("costCenter")}, ` +
              `"description": $substring(taxName & " " & jurisName, 0, 60)}, ` +
              `{"glAccount": ${literal(EXACT_OFFSET_ACCOUNT)}, "amount": ${cents(`$sum(taxLines.${cents("tax")})`)}, ` +
              `"description": $substring("Sales tax " & ${invoiceNumber} & " (Avalara " & $nodes.tax.code & ")", 0, 60)}]`,
          },
        ],
        keepInput: false,
      },
      notes: `Each jurisdiction's tax, rounded to cents, is credited to its tax account; one debit of their sum on ${EXACT_OFFSET_ACCOUNT} balances the entry exactly.`,
    },
    {
      id: "post",
      type: "exact.createGeneralJournalEntry",
      typeVersion: 1,
      name: "Post journal entry (Exact)",
      position: at(9),
      config: { journalCode: "90" },
      connectionId: exact,
      notes: "Posted once per invoice (key exact:<division>:<InvoiceID>:journal): replays and redeliveries read the entry back.",
    },
  ];
  return {
    schemaVersion: 1 as const,
    nodes,
    edges: chain("invoice", "notDraft", "address", "resolve", "taxInput", "tax", "hasTax", "taxGl", "journal", "post"),
  };
}

export const exactInvoiceTaxJournal: StarterTemplate = {
  id: "exact-invoice-avalara-journal",
  title: "Exact invoice → Avalara → journal in Exact",
  description:
    "When a sales invoice is created or changed in Exact Online (webhook), validate the customer's address and calculate the " +
    "sales tax with Avalara, then post the tax per jurisdiction as one balanced general journal entry in Exact, on the tax GL " +
    "account and cost center from the mapping table. Never posted twice; invalid addresses and unmapped jurisdictions go to review. " +
    "Subscribe the flow's webhook URL with Exact's SalesInvoices topic; pair it with the reconciliation poll template.",
  systems: ["exact", "avalara"],
  tables: [exactTaxGlTable, exactItemTaxCodesTable],
  build: (args) => ({
    ...exactTaxFlow(
      {
        id: "invoice",
        type: "exact.salesInvoiceWebhook",
        typeVersion: 1,
        name: "Sales invoice created (Exact webhook)",
        position: at(0),
        config: { actions: ["Create", "Update"] },
        connectionId: args.connections.exact ?? null,
        notes: "Verified with the app's webhook secret; the run fetches the full invoice, its lines and the customer's addresses.",
      },
      args,
    ),
    settings: { concurrency: 5 },
  }),
};

export const exactInvoiceTaxReconciliation: StarterTemplate = {
  id: "exact-invoice-avalara-journal-poll",
  title: "Exact invoices (hourly reconciliation) → Avalara → journal in Exact",
  description:
    "The scheduled companion of the webhook template: every hour, pick up sales invoices created or changed in Exact Online " +
    "since the last poll (including those whose notification was lost) and post their tax exactly like the webhook flow. " +
    "Both flows share the idempotency keys, so an invoice the webhook already posted is not posted again.",
  systems: ["exact", "avalara"],
  tables: [exactTaxGlTable, exactItemTaxCodesTable],
  build: (args) => ({
    ...exactTaxFlow(
      {
        id: "invoice",
        type: "exact.salesInvoicePoll",
        typeVersion: 1,
        name: "Sales invoices changed (hourly)",
        position: at(0),
        config: { statuses: [] },
        connectionId: args.connections.exact ?? null,
        notes: "Exact's sync endpoint, by Timestamp: nothing is skipped or repeated between polls.",
      },
      args,
    ),
    settings: { concurrency: 5, schedule: "7 * * * *" },
  }),
};

/**
 * Exact Online sales invoice -> Avalara -> general journal entry in Exact, over the invoice's
 * whole life.
 *
 * invoice (webhook Create/Update/Delete, or the reconciliation poll over sync/SalesInvoices and
 * sync/Deleted) -> skip drafts -> still there?
 *   yes: customer address -> Avalara resolve (an invalid address parks the run) -> the Avalara
 *        document as the invoice is now (a credit note is a ReturnInvoice)
 *   no:  the void of the Avalara document
 * -> Sync document (uncommitted: create, replace, adjust with a reason, void, delete, or refund
 *    if locked; every line's tax code from the mapping table or review) -> tax GL account per
 * jurisdiction (review when one has no row) -> journal lines -> Post tax for this version
 * (reversal of the entry in force + the new entry; replays post nothing; closed period: review,
 * or the next open period by the node's setting) -> commit at Avalara, last.
 *
 * Lifecycle (what happens in Avalara / in the Exact journal):
 * | Invoice in Exact                | Avalara                                              | Exact general journal                                      |
 * | ------------------------------- | ---------------------------------------------------- | ---------------------------------------------------------- |
 * | created (open or processed)     | SalesInvoice created uncommitted, committed last     | one entry: tax per jurisdiction credited, 4100 debited     |
 * | edited (open invoice)           | adjusted (PriceAdjusted), new version, committed last | reversal of the entry in force + a new entry, if tax moved |
 * | edited without a tax change     | nothing (same content)                               | nothing                                                    |
 * | deleted (draft or open)         | voided DocVoided (DocDeleted if never committed);    | reversal of the entry in force                             |
 * |                                 | locked: refunded in full (ReturnInvoice -VOID)       |                                                            |
 * | credit note (Type 8021)         | ReturnInvoice, negative amounts, committed last      | its own entry with the signs reversed                      |
 * | credit note deleted             | ReturnInvoice voided                                 | reversal of its entry                                      |
 *
 * Why the offset is a fixed account: the US demo company invoices without tax in Exact and lets
 * Avalara compute it afterwards, so the tax is booked against "4100 Sales tax collected -
 * clearing" (Exact refuses journal lines on the debtor account itself). Change it in the
 * "Journal entry lines" node (EXACT_OFFSET_ACCOUNT below) for other books.
 */
import type { FlowNode } from "../flow/schema";
import { NON_ZERO_JURISDICTIONS, commitTaxLast, voidAvalaraInput } from "./tax-steps";
import { at, cents, chain, edge, literal, opt, type StarterTemplate, type TemplateBuildArgs, type TemplateParameter, type TemplateTable } from "./types";

/** The demo offset account (the Exact sandbox's revenue account); real workspaces pick their own. */
export const EXACT_OFFSET_ACCOUNT = "4100";

/** What the wizard asks for (the demo values match the Exact and Avalara sandboxes). */
export const exactTaxParameters: TemplateParameter[] = [
  {
    key: "offsetAccount",
    label: "Offset GL account",
    description: "Debited with the tax total of each invoice, balancing the tax lines (for example sales or a tax clearing account).",
    system: "exact",
    picker: "glAccounts",
    demo: EXACT_OFFSET_ACCOUNT,
  },
  {
    key: "journalCode",
    label: "General journal",
    description: "The Exact general journal the tax entries are posted in.",
    system: "exact",
    picker: "journals",
    demo: "90",
  },
  {
    key: "companyCode",
    label: "Avalara company",
    description: "The Avalara company that calculates and records the tax.",
    system: "avalara",
    picker: "companies",
    demo: "DEFAULT",
  },
];

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
    "An item without a row parks the run for review, naming it. Add a row with key * to declare a default tax code: runs that use it say so in their log.",
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

const invoiceNumber = "($trigger.invoice.InvoiceNumber ? $string($trigger.invoice.InvoiceNumber) : $trigger.invoiceId)";
/**
 * The Avalara document code, from the InvoiceID (known even after a deletion, unlike the number):
 * the same invoice always gets the same code, and its postings are found by it.
 */
export const exactDocumentCode = `"EXACT-" & $string($trigger.division) & "-" & $trigger.invoiceId`;
const invoiceDate = "$substring($trigger.invoice.InvoiceDate, 0, 10)";
/** The source version: each change of the invoice (Modified) or its deletion is posted once. */
const sourceVersion = `$trigger.deleted ? "deleted:" & $trigger.deletedDate : $string($trigger.invoice.Modified)`;
const isCreditNote = "($trigger.invoice.Type = 8021 or $trigger.invoice.Type = 8024)";

function exactTaxFlow(trigger: FlowNode, { connections, tables, params }: TemplateBuildArgs) {
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
      config: { condition: "deleted or invoice.Status != 10" },
      notes: "A draft can still change: its tax is posted when it is opened or processed (Exact then notifies an update).",
    },
    {
      id: "exists",
      type: "core.branch",
      typeVersion: 1,
      name: "Still in Exact?",
      position: at(2),
      config: { condition: "$not(deleted)" },
      notes: "A deleted invoice voids its Avalara document and reverses its journal entry.",
    },
    {
      id: "address",
      type: "core.mapFields",
      typeVersion: 1,
      name: "Customer address",
      position: at(3),
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
      notes: "The customer's invoice address (else its visit address), as Exact hands it on. A customer without one goes to review at the next step.",
    },
    {
      id: "resolve",
      type: "avalara.resolveAddress",
      typeVersion: 1,
      name: "Validate address (Avalara)",
      position: at(4),
      config: { textCase: "Mixed", minimumQuality: "PostalCentroidGood", otherCountries: "skip" },
      connectionId: avalara,
      notes: "A missing, invalid or undeliverable address parks the run in the review queue: no tax is calculated or posted until it is fixed.",
    },
    {
      id: "taxInput",
      type: "core.mapFields",
      typeVersion: 1,
      name: "Avalara document (as the invoice is now)",
      position: at(5),
      config: {
        fields: [
          { target: "action", expression: literal("upsert") },
          { target: "version", expression: sourceVersion },
          { target: "code", expression: exactDocumentCode },
          { target: "type", expression: `${isCreditNote} ? "ReturnInvoice" : "SalesInvoice"` },
          { target: "adjustmentDescription", expression: `$substring("Exact invoice " & ${invoiceNumber} & " changed", 0, 255)` },
          { target: "transaction.date", expression: invoiceDate },
          { target: "transaction.customerCode", expression: "$trigger.account.Code ? $trim($trigger.account.Code) : $trigger.invoice.InvoiceTo" },
          { target: "transaction.currencyCode", expression: opt("$trigger.invoice.Currency") },
          { target: "transaction.referenceCode", expression: `"Exact invoice " & ${invoiceNumber}` },
          { target: "transaction.description", expression: opt("$trigger.invoice.Description") },
          { target: "transaction.addresses.shipTo", expression: "address" },
          {
            target: "transaction.lines",
            expression:
              `[$map($trigger.lines, function($l, $i) { {` +
              `"number": $string($l.LineNumber ? $l.LineNumber : $i + 1), ` +
              // AvaTax wants a positive quantity and a negative amount on returns.
              `"quantity": $l.Quantity ? $abs($l.Quantity), ` +
              `"amount": $l.AmountFC ? $l.AmountFC : 0, ` +
              `"itemCode": ${opt("$trim($l.ItemCode)")}, ` +
              `"description": ${opt("$l.Description")}` +
              `} })]`,
          },
        ],
        keepInput: false,
      },
      notes: "Document code EXACT-<division>-<InvoiceID>; a credit note is a ReturnInvoice (negative amounts). Tax codes come from the mapping table in the next step.",
    },
    voidAvalaraInput("Void of the Avalara document", at(5, 1), { sourceVersion, code: exactDocumentCode, refundDate: "$trigger.deletedDate" }),
    {
      id: "sync",
      type: "avalara.syncDocument",
      typeVersion: 1,
      name: "Sync tax document (Avalara, uncommitted)",
      position: at(6),
      config: { companyCode: params.companyCode!, documentType: "SalesInvoice", taxCodeTableId: tables.itemTaxCodes, taxCodeColumn: "taxCode", adjustmentReason: "PriceAdjusted" },
      connectionId: avalara,
      notes: "Created, replaced or adjusted (with a reason, as a new version) while uncommitted; a deleted invoice is voided (refunded in full if the document is locked by a filed return). An item without a tax code goes to review.",
    },
    {
      id: "taxGl",
      type: "core.lookup",
      typeVersion: 1,
      name: "Tax GL account per jurisdiction",
      position: at(7),
      config: { tableId: tables.taxGl, items: NON_ZERO_JURISDICTIONS, key: "key", target: "taxLines" },
      notes: "Zero-tax jurisdictions are left out; a jurisdiction without a row parks the run for review, naming it, before anything is posted or committed.",
    },
    {
      id: "journal",
      type: "core.mapFields",
      typeVersion: 1,
      name: "Journal entry lines",
      position: at(8),
      config: {
        fields: [
          { target: "division", expression: "$trigger.division" },
          { target: "document", expression: "$nodes.sync.code" },
          { target: "version", expression: sourceVersion },
          { target: "date", expression: `$trigger.deleted ? $trigger.deletedDate : ${invoiceDate}` },
          { target: "description", expression: `$substring("Sales tax invoice " & ${invoiceNumber}, 0, 60)` },
          { target: "currency", expression: opt("$trigger.invoice.Currency") },
          { target: "exchangeRate", expression: "$trigger.invoice.AmountFC != 0 and $trigger.invoice.AmountDC ? $round($trigger.invoice.AmountDC / $trigger.invoice.AmountFC, 6)" },
          { target: "rateDate", expression: `$not($trigger.deleted) ? ${invoiceDate}` },
          {
            target: "lines",
            expression:
              `$count(taxLines) = 0 ? [] : [taxLines.{"glAccount": glAccount, "amount": -${cents("tax")}, "costCenter": ${opt("costCenter")}, "jurisdiction": key, ` +
              `"description": $substring(taxName & " " & jurisName, 0, 60)}, ` +
              `{"glAccount": ${literal(params.offsetAccount!)}, "amount": ${cents(`$sum(taxLines.${cents("tax")})`)}, ` +
              `"description": $substring("Sales tax " & ${invoiceNumber} & " (Avalara)", 0, 60)}]`,
          },
        ],
        keepInput: false,
      },
      notes: `Each jurisdiction's tax, rounded to cents, is credited to its tax account; one debit of their sum on ${params.offsetAccount} balances the entry exactly. No lines: the document holds no tax now.`,
    },
    {
      id: "post",
      type: "exact.syncTaxJournal",
      typeVersion: 1,
      name: "Post tax for this version (Exact)",
      position: at(9),
      config: { journalCode: params.journalCode!, closedPeriod: "review" },
      connectionId: exact,
      notes: "A change reverses the entry in force and posts the new one; a replay, or a change that leaves the tax as it is, posts nothing. A closed period waits for review (or set 'next open period').",
    },
    ...commitTaxLast(avalara, sourceVersion, "Only after the journal is posted: the tax becomes reportable once the books hold it. A failure here retries only the commit."),
  ];
  return {
    schemaVersion: 1 as const,
    nodes,
    edges: [
      ...chain("invoice", "notDraft", "exists"),
      edge("exists", "address", "true"),
      ...chain("address", "resolve", "taxInput", "sync"),
      edge("exists", "voidInput", "false"),
      edge("voidInput", "sync"),
      ...chain("sync", "taxGl", "journal", "post", "commitInput", "commit"),
    ],
  };
}

export const exactInvoiceTaxJournal: StarterTemplate = {
  id: "exact-invoice-avalara-journal",
  title: "Exact invoice → Avalara → journal in Exact",
  description:
    "When a sales invoice is created, changed or deleted in Exact Online (webhook), keep Avalara and the books equal to it: " +
    "validate the customer's address, calculate the sales tax with Avalara (uncommitted), post the tax per jurisdiction as a " +
    "balanced general journal entry on the tax GL account and cost center from the mapping table, then commit at Avalara. " +
    "Lifecycle: created -> SalesInvoice + entry; edited -> Avalara adjusted (PriceAdjusted, new version) + reversal of the entry " +
    "in force and a new entry; deleted -> Avalara voided (DocVoided, DocDeleted if never committed, full refund if locked) + " +
    "reversal; credit note -> ReturnInvoice + an entry with reversed signs. Each version posts once; items without a tax code, " +
    "unmapped jurisdictions, missing addresses and closed periods go to review. Subscribe the flow's webhook URL with Exact's " +
    "SalesInvoices topic; pair it with the reconciliation poll template.",
  systems: ["exact", "avalara"],
  tables: [exactTaxGlTable, exactItemTaxCodesTable],
  parameters: exactTaxParameters,
  version: 2,
  build: (args) => ({
    ...exactTaxFlow(
      {
        id: "invoice",
        type: "exact.salesInvoiceEvents",
        typeVersion: 1,
        name: "Sales invoice created, changed or deleted (Exact webhook)",
        position: at(0),
        config: {},
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
    "The scheduled companion of the webhook template: every hour, pick up sales invoices created, changed (sync endpoint) or " +
    "deleted (sync/Deleted) in Exact Online since the last poll, including those whose notification was lost, and bring " +
    "Avalara and the journal in line exactly like the webhook flow (same lifecycle table). " +
    "Both flows share the idempotency keys, so an invoice the webhook already posted is not posted again.",
  systems: ["exact", "avalara"],
  tables: [exactTaxGlTable, exactItemTaxCodesTable],
  parameters: exactTaxParameters,
  version: 2,
  build: (args) => ({
    ...exactTaxFlow(
      {
        id: "invoice",
        type: "exact.salesInvoiceChanges",
        typeVersion: 1,
        name: "Sales invoices changed or deleted (hourly)",
        position: at(0),
        config: {},
        connectionId: args.connections.exact ?? null,
        notes: "Exact's sync endpoints (invoices and sync/Deleted), by Timestamp: nothing is skipped or repeated between polls.",
      },
      args,
    ),
    settings: { concurrency: 5, schedule: "7 * * * *" },
  }),
};

/**
 * Sage Intacct sales transaction -> Avalara -> tax through the AR subledger in Intacct.
 *
 * posted, edited, reversed or deleted sales invoices and Sales Returns (poll; deletions from the
 * audit trail; a return with the invoice it credits) -> still posted?
 *   yes: ship-to address -> Avalara resolve (invalid -> review) -> the Avalara document as the
 *        transaction is now (document code INTACCT-SO-<document number>; a return is a
 *        ReturnInvoice with negative amounts, taxed as of the invoice it credits)
 *   no (reversed or deleted): the void of the Avalara document
 * -> Sync document (uncommitted; tax codes from the mapping table or review) -> anything at Avalara?
 * (a deleted document that never got there has nothing to reverse) -> tax GL account per
 * jurisdiction ("Tax GL accounts (Intacct)") -> dimensions by ship-to state -> AR adjustment lines
 * -> Post tax through AR for this version (a debit memo against the customer and invoice, one line
 * per jurisdiction on its tax liability account; a change reverses the memo in force with a credit
 * memo and posts the new one) -> commit at Avalara, last.
 *
 * Lifecycle (Avalara / Intacct AR):
 * | Sales invoice in Intacct | Avalara                                                | Intacct AR subledger                               |
 * | ------------------------ | ------------------------------------------------------ | -------------------------------------------------- |
 * | posted                   | SalesInvoice created uncommitted, committed last       | AR debit memo: tax per jurisdiction, on the invoice |
 * | edited (re-posted)       | adjusted (PriceAdjusted), new version, committed last  | credit memo reversing the memo in force + new memo  |
 * | edited, same tax         | nothing                                                | nothing                                             |
 * | reversed                 | voided DocVoided (DocDeleted if never committed;        | credit memo reversing the memo in force             |
 * |                          | refunded in full if locked)                            |                                                     |
 * | deleted                  | voided as for a reversal                               | credit memo reversing the memo in force, against    |
 * |                          |                                                        | the customer (the invoice is gone)                  |
 * | credited (Sales Return,  | ReturnInvoice of its own (INTACCT-SO-<return number>): | AR credit memo: the returned tax per jurisdiction,  |
 * | full or partial)         | positive quantities, negative amounts, taxOverride     | against the customer and the invoice it credits     |
 * |                          | TaxDate = the invoice's date; committed last (works    | (the invoice's memo stays: AR nets to Avalara's     |
 * |                          | on a locked invoice: the invoice is not touched)       | invoice minus return)                               |
 * | return edited / reversed | the ReturnInvoice adjusted / voided, as for invoices   | debit memo reversing the return's memo (+ new memo) |
 * | or deleted               |                                                        |                                                     |
 *
 * An edit in Order Entry deletes the AR invoice and makes a new one with a new RECORDNO; the memos
 * reference the invoice by its number, which stays. A deleted document can no longer be read: the
 * poll finds it in the audit trail, and its customer comes from the Avalara document.
 *
 * Why an AR adjustment and not a journal entry: the tax is owed by the customer, so it belongs in
 * the customer's balance and aging; many companies also refuse direct journal postings to the AR
 * control account.
 */
import { NON_ZERO_JURISDICTIONS, avalaraDocumentInput, commitTaxLast, intacctDayOf, syncAvalaraDocument, voidAvalaraInput } from "./tax-steps";
import type { FlowDefinitionInput, FlowNode } from "../flow/schema";
import { at, cents, chain, edge, opt, type StarterTemplate, type TemplateBuildArgs, type TemplateTable } from "./types";

export const intacctTaxGlTable: TemplateTable = {
  ref: "taxGl",
  name: "Tax GL accounts (Intacct)",
  kind: "tax_gl",
  description:
    "The Intacct GL account each Avalara tax jurisdiction's tax is credited to. Key: Avalara's jurisdiction key " +
    "<country>:<state>:<type>:<code> (e.g. US:CA:STA:06). State and local taxes of a state share its sales tax payable account.",
  keyLabel: "Avalara jurisdiction",
  columns: [{ name: "accountNo", label: "GL account" }],
  demoRows: (
    [
      ["2200", ["US:CA:STA:06", "US:CA:CTY:075", "US:CA:STJ:EMAZ0", "US:CA:STJ:EMTN0", "US:CA:CTY:059", "US:CA:STJ:EMBE0", "US:CA:STJ:EMCA0"]],
      ["2210", ["US:NY:STA:36", "US:NY:CIT:51000", "US:NY:STJ:359071", "US:NY:CTY:001"]],
      ["2220", ["US:TX:STA:48", "US:TX:CIT:2227045", "US:TX:STJ:3227994", "US:TX:CIT:2101022", "US:TX:STJ:3101990"]],
      ["2230", ["US:WA:STA:53", "US:WA:CIT:63000", "US:WA:CIT:57535", "US:WA:STJ:EMTV0"]],
      ["2240", ["US:IL:STA:17", "US:IL:CTY:031", "US:IL:CIT:14000", "US:IL:STJ:AQOF"]],
      ["2260", ["US:CO:STA:08", "US:CO:CIT:20000", "US:CO:STJ:EMAR0", "US:CO:STJ:EMBG0", "US:CO:CTY:013", "US:CO:CIT:07850"]],
    ] as const
  ).flatMap(([accountNo, keys]) => keys.map((key) => ({ key, values: { accountNo } }))),
};

export const intacctDimensionsTable: TemplateTable = {
  ref: "dimensions",
  name: "Sales tax dimensions (Intacct)",
  kind: "dimension",
  description:
    "Intacct dimensions for the tax lines, by the customer's ship-to state: location, department and class. " +
    "Leave Class empty to use the class of the sales transaction's first line.",
  keyLabel: "Ship-to state",
  columns: [
    { name: "locationId", label: "Location" },
    { name: "departmentId", label: "Department" },
    { name: "classId", label: "Class" },
  ],
  demoRows: (
    [
      ["CA", "US-CA"],
      ["NY", "US-NY"],
      ["TX", "US-TX"],
      ["WA", "US-WA"],
      ["IL", "US-IL"],
      ["CO", "US"],
      ["FL", "US"],
    ] as const
  ).map(([state, locationId]) => ({ key: state, values: { locationId, departmentId: "FIN", classId: "" } })),
};

export const intacctItemTaxCodesTable: TemplateTable = {
  ref: "itemTaxCodes",
  name: "Avalara tax codes (Intacct items)",
  kind: "custom",
  description:
    "The Avalara tax code of each Intacct item. An item without a row parks the run for review, naming it; a row with key * declares a default tax code (runs that use it say so in their log).",
  keyLabel: "Intacct item ID",
  columns: [{ name: "taxCode", label: "Avalara tax code" }],
  demoRows: [
    { key: "SW-STD", values: { taxCode: "SW052000" } },
    { key: "SW-PRO", values: { taxCode: "SW052000" } },
    { key: "SVC-IMPL", values: { taxCode: "SC150100" } },
    { key: "HW-ROUTER", values: { taxCode: "P0000000" } },
  ],
};

/** The ship-to address (else bill-to) of the transaction. */
const shipTo = "($trigger.shipTo ? $trigger.shipTo : $trigger.billTo)";
/** The Avalara document code: INTACCT-SO-<document number> (AR invoices: INTACCT-AR-...). */
export const intacctDocumentCode = `$substring("INTACCT-" & ($trigger.object = "ARINVOICE" ? "AR" : "SO") & "-" & $trigger.documentNumber, 0, 50)`;

/** The day a document was reversed or deleted: its WHENMODIFIED (or the deletion's time) as YYYY-MM-DD. */
const reversedOn = intacctDayOf("$trigger.whenModified");
/** The source version: each change (WHENMODIFIED), the reversal or the deletion is posted once. */
const sourceVersion = `($trigger.state = "Reversed" ? "reversed:" : $trigger.state = "Deleted" ? "deleted:" : "") & $trigger.whenModified`;
/** A sales credit (Sales Return): a ReturnInvoice at Avalara and a negative memo against the invoice it credits. */
const isCredit = `$trigger.isCredit = true`;
/** Reversed or deleted: the document's tax must leave the books. */
const gone = `$trigger.state in ["Reversed", "Deleted"]`;

export const intacctSalesTaxGl: StarterTemplate = {
  id: "intacct-sales-avalara-gl",
  title: "Intacct sales transaction → Avalara → tax through AR in Intacct",
  description:
    "Every 15 minutes, pick up sales invoices posted, edited, reversed or deleted in Sage Intacct, validate the customer's ship-to address and " +
    "calculate the tax with Avalara (uncommitted), then post the tax through the AR subledger: an AR adjustment (debit memo) " +
    "against the customer and the invoice, with each jurisdiction's tax on its tax liability account and the location, " +
    "department and class from the dimension table, so the customer's balance and aging show it; then commit at Avalara. " +
    "Lifecycle: posted -> SalesInvoice + debit memo; edited -> Avalara adjusted (new version) + credit memo reversing the memo " +
    "in force and a new debit memo; reversed or deleted -> Avalara voided (refunded in full if locked) + credit memo; credited (a Sales " +
    "Return, full or partial) -> an Avalara ReturnInvoice of its own (negative amounts, taxed as of the invoice's date; the invoice, even " +
    "locked, is not touched) + an AR credit memo against the customer and the invoice it credits; a return edited, reversed or deleted " +
    "follows the same rules as an invoice. Each version posts once; items without a tax code, unmapped jurisdictions, invalid addresses " +
    "and closed periods go to review. A document in another currency posts in that currency with its exchange rate.",
  systems: ["intacct", "avalara"],
  tables: [intacctTaxGlTable, intacctDimensionsTable, intacctItemTaxCodesTable],
  build: (args) => intacctTaxFlow(args, "ar"),
};

/**
 * The flow of both Intacct tax templates. "ar": the tax as an AR adjustment against the customer
 * and invoice. "summary": a GLBATCH crediting each jurisdiction's tax account against the
 * clearing account chosen in the setup table (for books that settle tax outside AR).
 */
function intacctTaxFlow({ connections, tables }: TemplateBuildArgs, mode: "ar" | "summary"): FlowDefinitionInput {
  const intacct = connections.intacct ?? null;
  const avalara = connections.avalara ?? null;
  const dims = "$nodes.dims.dimensions";
  return {
    schemaVersion: 1,
    nodes: [
      {
        id: "sale",
        type: "intacct.pollSalesTransactions",
        typeVersion: 1,
        name: "Posted, edited, reversed or deleted sales invoices and returns (Intacct)",
        position: at(0),
        config: { object: "SODOCUMENT", docparid: "Sales Invoice", creditDocparids: ["Sales Return"], excludeStates: ["Draft"], initialLookbackDays: 30 },
        connectionId: intacct,
        notes: "Order Entry 'Sales Invoice' and 'Sales Return' transactions modified since the last poll (drafts skipped, reversals included; a return with the invoice it credits) and those deleted (from the audit trail); the first poll reads 30 days back.",
      },
      {
        id: "posted",
        type: "core.branch",
        typeVersion: 1,
        name: "Still posted?",
        position: at(1),
        config: { condition: `$not(state in ["Reversed", "Deleted"])` },
        notes: "A reversed or deleted sales invoice voids its Avalara document and reverses its tax in AR.",
      },
      {
        id: "address",
        type: "core.mapFields",
        typeVersion: 1,
        name: "Ship-to address",
        position: at(2),
        config: {
          fields: [
            { target: "line1", expression: opt(`${shipTo}.line1`) },
            { target: "line2", expression: opt(`${shipTo}.line2`) },
            { target: "city", expression: opt(`${shipTo}.city`) },
            { target: "region", expression: opt(`${shipTo}.region`) },
            { target: "postalCode", expression: opt(`${shipTo}.postalCode`) },
            {
              target: "country",
              // Intacct gives the country code when it knows it, else the name.
              expression: `($c := ${shipTo}.country; $length($c) = 2 ? $c : ($c in ["United States", "USA"] ? "US" : ($c = "Canada" ? "CA")))`,
            },
            { target: "reference", expression: `$substring($trigger.customerName & " (" & $trigger.customerId & ", " & $trigger.documentId & ")", 0, 200)` },
          ],
          keepInput: false,
        },
      },
      {
        id: "resolve",
        type: "avalara.resolveAddress",
        typeVersion: 1,
        name: "Validate address (Avalara)",
        position: at(3),
        config: { textCase: "Mixed", minimumQuality: "PostalCentroidGood", otherCountries: "skip" },
        connectionId: avalara,
        notes: "An invalid address parks the run for review before any tax is calculated or posted.",
      },
      avalaraDocumentInput(at(4), {
        name: "Avalara document (as the transaction is now)",
        sourceVersion,
        code: intacctDocumentCode,
        type: `${isCredit} ? "ReturnInvoice" : "SalesInvoice"`,
        adjustmentDescription: `$substring("Intacct " & $trigger.documentId & " changed", 0, 255)`,
        date: "$trigger.date",
        customerCode: "$trigger.customerId",
        currency: `$length($trigger.currency) = 3 ? $trigger.currency`,
        // A credit names the invoice it credits (AvaTax keeps no link of its own).
        referenceCode: `${isCredit} and $trigger.credits ? $trigger.credits.documentId : $trigger.documentId`,
        fields: [
          { target: "transaction.addresses.shipTo", expression: "address" },
          {
            // A return is taxed as of the original invoice's date, dated the day of the return.
            target: "transaction.taxOverride",
            expression:
              `${isCredit} ? {"type": "TaxDate", "taxDate": $trigger.credits.date ? $trigger.credits.date : $trigger.date, ` +
              `"reason": $substring("Return of " & ($trigger.credits ? $trigger.credits.documentId : "an invoice") & " (" & $trigger.documentId & ")", 0, 255)}`,
          },
          {
            target: "transaction.lines",
            // AvaTax wants a return's lines with a positive quantity and a negative amount.
            expression:
              `($sign := ${isCredit} ? -1 : 1; [$map($trigger.lines, function($l, $i) { {` +
              `"number": $l.lineNo ? $l.lineNo : $string($i + 1), "quantity": $abs($number($l.quantity)), "amount": $sign * $abs($number($l.amount)), ` +
              `"itemCode": ${opt("$l.itemId")}, "description": ${opt("$l.description")}} })])`,
          },
        ],
        notes: "Document code INTACCT-SO-<document number>: the idempotency key. A Sales Return is a ReturnInvoice (negative amounts, taxed as of the invoice it credits). Tax codes come from the mapping table in the next step.",
      }),
      voidAvalaraInput("Void of the Avalara document", at(4, 1), { sourceVersion, code: intacctDocumentCode, refundDate: reversedOn }),
      syncAvalaraDocument(avalara, at(5), {
        name: "Sync tax document (Avalara, uncommitted)",
        documentType: "SalesInvoice",
        taxCodeTableId: tables.itemTaxCodes,
        notes: "Created, replaced or adjusted (with a reason) while uncommitted; a reversed or deleted transaction is voided (refunded in full if locked); a return is its own ReturnInvoice.",
      }),
      {
        id: "present",
        type: "core.filter",
        typeVersion: 1,
        name: "Anything at Avalara?",
        position: at(5, 1),
        config: { condition: `outcome != "absent"` },
        notes: "A reversed or deleted invoice that never reached Avalara has no tax to reverse: the run ends as skipped.",
      },
      {
        id: "taxGl",
        type: "core.lookup",
        typeVersion: 1,
        name: "Tax GL account per jurisdiction",
        position: at(6),
        config: { tableId: tables.taxGl, items: NON_ZERO_JURISDICTIONS, key: "key", target: "taxLines" },
        notes: "A jurisdiction without a row parks the run for review, naming it, before anything is posted or committed.",
      },
      {
        id: "dims",
        type: "core.lookup",
        typeVersion: 1,
        name: "Dimensions by ship-to state",
        position: at(7),
        config: {
          tableId: tables.dimensions,
          // A deleted document has no ship-to left to read: the state Avalara taxed it in.
          key: `$trigger.state = "Deleted" ? $nodes.sync.document.jurisdictions[0].region : ($nodes.resolve.address.region ? $nodes.resolve.address.region : ${shipTo}.region)`,
          target: "dimensions",
        },
      },
      ...(mode === "ar" ? arPosting(intacct, dims) : summaryPosting(intacct, dims, tables)),
      ...commitTaxLast(avalara, sourceVersion, "Only after AR holds the tax. A failure here retries only the commit."),
    ],
    edges: [
      ...chain("sale", "posted"),
      edge("posted", "address", "true"),
      ...chain("address", "resolve", "taxInput", "sync"),
      edge("posted", "voidInput", "false"),
      edge("voidInput", "sync"),
      ...chain("sync", "present", "taxGl", "dims", ...(mode === "ar" ? ["adjustment"] : ["setup", "adjustment"]), "post", "commitInput", "commit"),
    ],
    settings: { concurrency: 5, schedule: "*/15 * * * *" },
  };
}

/** The document is in another currency than the company's base currency (and carries its rate). */
const foreign = `($trigger.record.BASECURR and $length($trigger.currency) = 3 and $trigger.currency != $trigger.record.BASECURR and $trigger.record.EXCHRATE)`;
/** The posting's currency; in another currency than the company's, the document's rate and the day it applies to. */
const currencyFields = [
  { target: "currency", expression: `$length($trigger.currency) = 3 ? $trigger.currency` },
  { target: "exchangeRate", expression: `${foreign} ? $number($trigger.record.EXCHRATE)` },
  { target: "rateDate", expression: `${foreign} and $trigger.record.EXCHRATEDATE ? ${intacctDayOf("$trigger.record.EXCHRATEDATE")}` },
];

function arPosting(intacct: string | null, dims: string): FlowNode[] {
  return [
    {
      id: "adjustment",
      type: "core.mapFields",
      typeVersion: 1,
      name: "AR adjustment lines",
      position: at(8),
      config: {
        fields: [
          // A deleted document's customer is the Avalara document's; its AR invoice is gone, so no invoice number.
          { target: "customerId", expression: `$trigger.customerId ? $trigger.customerId : $nodes.sync.document.customerCode` },
          // A return's memo goes against the invoice it credits.
          { target: "invoiceNumber", expression: `$trigger.state != "Deleted" ? (${isCredit} ? $trigger.credits.documentNumber : $trigger.documentNumber)` },
          { target: "document", expression: "$nodes.sync.code" },
          { target: "version", expression: sourceVersion },
          { target: "date", expression: `${gone} ? ${reversedOn} : $trigger.date` },
          { target: "description", expression: `$substring("Sales tax " & $trigger.documentId & " " & $trigger.customerName, 0, 100)` },
          ...currencyFields,
          {
            target: "lines",
            expression:
              `($dims := ${dims}; $class := $dims.classId ? $dims.classId : $trigger.lines[0].classId; ` +
              `[taxLines.{"accountNo": accountNo, "amount": ${cents("tax")}, ` +
              `"memo": taxName & " " & jurisName, "locationId": ${opt("$dims.locationId")}, ` +
              `"departmentId": ${opt("$dims.departmentId")}, "classId": ${opt("$class")}}])`,
          },
        ],
        keepInput: false,
      },
      notes: "Each jurisdiction's tax, rounded to cents, on its tax liability account; the AR control account takes the other side, against the customer.",
    },
    {
      id: "post",
      type: "intacct.syncTaxAdjustment",
      typeVersion: 1,
      name: "Post tax through AR for this version (Intacct)",
      position: at(9),
      config: { closedPeriod: "review" },
      connectionId: intacct,
      notes: "A change reverses the AR adjustment in force (credit memo) and posts the new one; a replay posts nothing. A closed period waits for review (or set 'next open period').",
    },
  ];
}

export const intacctTaxSetupTable: TemplateTable = {
  ref: "taxSetup",
  name: "Tax posting setup (Intacct)",
  kind: "custom",
  description:
    "Settings of the Intacct tax summary template. Row clearingAccount: the GL account the tax summary entry is posted against " +
    "(never the AR control account). Until the row exists, runs wait in review.",
  keyLabel: "Setting",
  columns: [{ name: "accountNo", label: "GL account" }],
  demoRows: [],
};

function summaryPosting(intacct: string | null, dims: string, tables: Record<string, string>): FlowNode[] {
  return [
    {
      id: "setup",
      type: "core.lookup",
      typeVersion: 1,
      name: "Clearing account (setup)",
      position: at(8, 1),
      config: { tableId: tables.taxSetup, key: '"clearingAccount"', target: "setup" },
      notes: "The clearing account chosen in setup: no row, no posting (the run waits in review).",
    },
    {
      id: "adjustment",
      type: "core.mapFields",
      typeVersion: 1,
      name: "Summary entry lines",
      position: at(8),
      config: {
        fields: [
          { target: "document", expression: "$nodes.sync.code" },
          { target: "version", expression: sourceVersion },
          { target: "date", expression: `${gone} ? ${reversedOn} : $trigger.date` },
          { target: "description", expression: `$substring("Sales tax " & $trigger.documentId, 0, 80)` },
          ...currencyFields,
          {
            target: "lines",
            expression:
              `($dims := ${dims}; $class := $dims.classId ? $dims.classId : $trigger.lines[0].classId; $lines := $nodes.taxGl.taxLines; ` +
              `$count($lines) = 0 ? [] : [$lines.{"accountNo": accountNo, "amount": -${cents("tax")}, "memo": taxName & " " & jurisName, ` +
              `"locationId": ${opt("$dims.locationId")}, "departmentId": ${opt("$dims.departmentId")}, "classId": ${opt("$class")}}, ` +
              `{"accountNo": setup.accountNo, "amount": ${cents(`$sum($lines.${cents("tax")})`)}, "memo": "Sales tax " & $trigger.documentId, ` +
              `"locationId": ${opt("$dims.locationId")}, "departmentId": ${opt("$dims.departmentId")}, "classId": ${opt("$class")}}])`,
          },
        ],
        keepInput: false,
      },
      notes: "Each jurisdiction's tax credited to its account; their sum debited to the clearing account from setup.",
    },
    {
      id: "post",
      type: "intacct.syncTaxGlBatch",
      typeVersion: 1,
      name: "Post tax summary entry for this version (Intacct)",
      position: at(9),
      config: { journal: "TAX", closedPeriod: "review" },
      connectionId: intacct,
      notes: "A change posts an offsetting batch and the new one; a replay posts nothing.",
    },
  ];
}

export const intacctSalesTaxSummary: StarterTemplate = {
  id: "intacct-sales-avalara-gl-summary",
  title: "Intacct sales transaction → Avalara → tax summary to a clearing account (GLBATCH)",
  description:
    "The same as the AR template, for books that settle sales tax outside AR: each jurisdiction's tax is credited to its tax " +
    "account in a TAX journal entry against the clearing account chosen in the setup table (never the AR control account, so " +
    "the customer's balance does not show the tax). Lifecycle: posted -> Avalara SalesInvoice + entry; edited -> Avalara " +
    "adjusted + an offsetting entry and a new one; reversed or deleted -> Avalara voided + an offsetting entry; credited (a Sales " +
    "Return) -> an Avalara ReturnInvoice + the negative entry (tax accounts debited, clearing account credited). Each version posts once.",
  systems: ["intacct", "avalara"],
  tables: [intacctTaxGlTable, intacctDimensionsTable, intacctItemTaxCodesTable, intacctTaxSetupTable],
  build: (args) => intacctTaxFlow(args, "summary"),
};

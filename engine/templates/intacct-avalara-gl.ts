/**
 * Sage Intacct sales transaction -> Avalara -> tax GL entries in Intacct.
 *
 * posted sales invoices (poll) -> ship-to address -> Avalara resolve (invalid -> review) ->
 * Avalara transaction input (document code INTACCT-SO-<document number>) -> calculate tax ->
 * any tax to post? -> tax GL account per jurisdiction ("Tax GL accounts (Intacct)", items mode) ->
 * dimensions by ship-to state ("Sales tax dimensions (Intacct)") -> balanced GLBATCH lines ->
 * Intacct journal entry in the TAX journal, reference = the Avalara document code.
 *
 * Why the offset is Accounts Receivable with the customer: the sales transaction was invoiced
 * without tax and Avalara's tax is owed by the customer. Change OFFSET_ACCOUNT for other books.
 */
import { avalaraLines, taxSteps } from "./tax-steps";
import { at, cents, chain, literal, opt, type StarterTemplate, type TemplateTable } from "./types";

export const INTACCT_OFFSET_ACCOUNT = "1200";

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
    "The Avalara tax code of each Intacct item. An item without a row is sent without a tax code (Avalara then treats it as tangible goods).",
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

export const intacctSalesTaxGl: StarterTemplate = {
  id: "intacct-sales-avalara-gl",
  title: "Intacct sales transaction → Avalara → tax GL entries in Intacct",
  description:
    "Every 15 minutes, pick up sales invoices posted in Sage Intacct, validate the customer's ship-to address and calculate the tax " +
    "with Avalara (the document code keeps it from being resubmitted), then post a balanced journal entry in Intacct's TAX journal: " +
    "each jurisdiction's tax on its tax account, with the location, department and class from the dimension table. " +
    "For a high-value transaction, run it by hand with its record number.",
  systems: ["intacct", "avalara"],
  tables: [intacctTaxGlTable, intacctDimensionsTable, intacctItemTaxCodesTable],
  build: ({ connections, tables }) => {
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
          name: "Posted sales invoices (Intacct)",
          position: at(0),
          config: { object: "SODOCUMENT", docparid: "Sales Invoice", excludeStates: ["Draft"], initialLookbackDays: 30 },
          connectionId: intacct,
          notes: "Order Entry 'Sales Invoice' transactions modified since the last poll (drafts skipped); the first poll reads 30 days back.",
        },
        {
          id: "address",
          type: "core.mapFields",
          typeVersion: 1,
          name: "Ship-to address",
          position: at(1),
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
          position: at(2),
          config: { textCase: "Mixed", minimumQuality: "PostalCentroidGood", otherCountries: "skip" },
          connectionId: avalara,
          notes: "An invalid address parks the run for review before any tax is calculated or posted.",
        },
        {
          id: "taxInput",
          type: "core.mapFields",
          typeVersion: 1,
          name: "Avalara transaction",
          position: at(3),
          config: {
            fields: [
              { target: "code", expression: intacctDocumentCode },
              { target: "date", expression: "$trigger.date" },
              { target: "customerCode", expression: "$trigger.customerId" },
              { target: "currencyCode", expression: `$length($trigger.currency) = 3 ? $trigger.currency` },
              { target: "referenceCode", expression: "$trigger.documentId" },
              { target: "addresses.shipTo", expression: "address" },
              {
                target: "lines",
                expression: avalaraLines({
                  list: "$trigger.lines",
                  number: "$l.lineNo ? $l.lineNo : $string($i + 1)",
                  quantity: "$number($l.quantity)",
                  amount: "$number($l.amount)",
                  itemCode: "$l.itemId",
                  description: "$l.description",
                  taxCodesTableId: tables.itemTaxCodes,
                }),
              },
            ],
            keepInput: false,
          },
          notes: "Document code INTACCT-SO-<document number>: the idempotency key, kept so nothing is resubmitted.",
        },
        ...taxSteps({
          column: 4,
          avalaraConnectionId: avalara,
          taxGlTableId: tables.taxGl,
          noTaxNote: "No tax (exempt items or customer, no nexus): the run ends as skipped and nothing is posted.",
        }),
        {
          id: "dims",
          type: "core.lookup",
          typeVersion: 1,
          name: "Dimensions by ship-to state",
          position: at(7),
          config: { tableId: tables.dimensions, key: "$nodes.resolve.address.region", target: "dimensions" },
        },
        {
          id: "journal",
          type: "core.mapFields",
          typeVersion: 1,
          name: "Journal entry lines",
          position: at(8),
          config: {
            fields: [
              { target: "date", expression: "$trigger.date" },
              { target: "description", expression: `$substring("Sales tax " & $trigger.documentId & " " & $trigger.customerName, 0, 100)` },
              { target: "referenceNo", expression: "$nodes.tax.code" },
              {
                target: "lines",
                expression:
                  `($dims := ${dims}; $class := $dims.classId ? $dims.classId : $trigger.lines[0].classId; ` +
                  `[taxLines.{"accountNo": accountNo, "type": "credit", "amount": ${cents("tax")}, ` +
                  `"memo": taxName & " " & jurisName, "locationId": ${opt("$dims.locationId")}, ` +
                  `"departmentId": ${opt("$dims.departmentId")}, "classId": ${opt("$class")}}, ` +
                  `{"accountNo": ${literal(INTACCT_OFFSET_ACCOUNT)}, "type": "debit", "amount": ${cents(`$sum(taxLines.${cents("tax")})`)}, ` +
                  `"memo": "Sales tax " & $trigger.documentId & " (Avalara " & $nodes.tax.code & ")", "customerId": $trigger.customerId, ` +
                  `"locationId": ${opt("$dims.locationId")}, "departmentId": ${opt("$dims.departmentId")}, "classId": ${opt("$class")}}])`,
              },
            ],
            keepInput: false,
          },
          notes: `Each jurisdiction's tax, rounded to cents, is credited to its account; one debit of their sum on ${INTACCT_OFFSET_ACCOUNT} (AR, with the customer) balances it exactly.`,
        },
        {
          id: "post",
          type: "intacct.createJournalEntry",
          typeVersion: 1,
          name: "Post tax journal entry (Intacct)",
          position: at(9),
          config: { journal: "TAX", draft: false, skipZeroLines: true },
          connectionId: intacct,
          notes: "Reference number = the Avalara document code: an entry is never posted twice in the TAX journal.",
        },
      ],
      edges: chain("sale", "address", "resolve", "taxInput", "tax", "hasTax", "taxGl", "dims", "journal", "post"),
      settings: { concurrency: 5, schedule: "*/15 * * * *" },
    };
  },
};

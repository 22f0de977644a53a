/**
 * Sage Intacct AP bill -> Avalara consumer use tax -> use tax accrual in Intacct.
 *
 * A vendor that charges no sales tax leaves the buyer owing use tax where the goods are used. Each
 * posted bill goes to Avalara as a PurchaseInvoice (document code INTACCT-BILL-<RECORDNO>), every
 * line taxed at the ship-to address of its Intacct location; the use tax is then accrued in a TAX
 * journal entry (GLBATCH): each jurisdiction's use tax credited to its use tax payable account and
 * debited to the use tax expense account (both from the "Use tax GL accounts (Intacct)" mapping
 * table), with the location of the bill lines taxed there and the vendor; then the Avalara document
 * is committed, last.
 *
 * posted, changed, reversed or deleted bills (poll; deletions from the audit trail) -> still posted?
 *   yes: the PurchaseInvoice as the bill is now (tax codes by item or expense account, or review;
 *        a line whose location has no ship-to address: review). Lines on a vendor-charged tax
 *        account are the tax the vendor charged: sent as a TaxAmount override, so Avalara reports
 *        what it calculated and the shortfall (taxCalculated - tax) is the use tax owed
 *   no (reversed or deleted): the void of the PurchaseInvoice
 * -> Sync document (uncommitted) -> use tax GL accounts per jurisdiction -> accrual lines ->
 * Post use tax accrual for this version (a change offsets the batch in force and posts the new
 * one) -> commit at Avalara, last.
 *
 * Lifecycle (Avalara / Intacct GL):
 * | AP bill in Intacct   | Avalara                                                   | Intacct GL (TAX journal)                           |
 * | -------------------- | --------------------------------------------------------- | -------------------------------------------------- |
 * | posted               | PurchaseInvoice created uncommitted, committed last       | accrual: use tax payable Cr / use tax expense Dr   |
 * | edited               | adjusted (PriceAdjusted), new version, committed last     | offsetting batch of the accrual in force + new one |
 * | edited, same lines   | nothing                                                   | nothing                                            |
 * | reversed             | voided DocVoided (DocDeleted if never committed;          | offsetting batch of the accrual in force           |
 * |                      | refunded in full if locked)                               |                                                    |
 * | deleted              | voided as for a reversal                                  | offsetting batch of the accrual in force           |
 * | vendor charged tax   | the vendor's tax as a TaxAmount override                  | accrual of the shortfall only (none when the vendor |
 * |                      |                                                           | charged enough); a change offsets and reposts       |
 *
 * Why its own flow rather than a branch of the sales template: a flow has one trigger, and bills
 * come from their own poll (APBILL); the Avalara document type (PurchaseInvoice), the tax codes
 * (by expense account) and the accounts (use tax payable and expense, not sales tax payable
 * through AR) all differ, so a branch would share nothing but the commit.
 */
import type { FlowDefinitionInput } from "../flow/schema";
import { avalaraDocumentInput, commitTaxLast, intacctDayOf, syncAvalaraDocument, voidAvalaraInput } from "./tax-steps";
import { at, chain, edge, literal, opt, type StarterTemplate, type TemplateBuildArgs, type TemplateParameter, type TemplateTable } from "./types";

const CA = ["US:CA:STA:06", "US:CA:CTY:075", "US:CA:STJ:EMAZ0", "US:CA:STJ:EMTN0", "US:CA:CTY:059", "US:CA:STJ:EMBE0", "US:CA:STJ:EMCA0"];
const WA = ["US:WA:STA:53", "US:WA:CIT:63000", "US:WA:CIT:57535", "US:WA:STJ:EMTV0"];

export const intacctUseTaxGlTable: TemplateTable = {
  ref: "useTaxGl",
  name: "Use tax GL accounts (Intacct)",
  kind: "tax_gl",
  description:
    "Where each Avalara jurisdiction's consumer use tax is accrued: the use tax payable account it is credited to and the " +
    "expense account it is debited to. Key: Avalara's jurisdiction key <country>:<state>:<type>:<code> (e.g. US:CA:STA:06). " +
    "A row with key * is an explicit default for jurisdictions without a row of their own; runs that use it say so in their log.",
  keyLabel: "Avalara jurisdiction",
  columns: [
    { name: "payableAccountNo", label: "Use tax payable account" },
    { name: "expenseAccountNo", label: "Use tax expense account" },
  ],
  demoRows: [
    ...CA.map((key) => ({ key, values: { payableAccountNo: "2300", expenseAccountNo: "6810" } })),
    ...WA.map((key) => ({ key, values: { payableAccountNo: "2330", expenseAccountNo: "6810" } })),
    { key: "*", values: { payableAccountNo: "2390", expenseAccountNo: "6810" } },
  ],
};

export const intacctUseTaxCodesTable: TemplateTable = {
  ref: "useTaxCodes",
  name: "Use tax codes (Intacct items and expense accounts)",
  kind: "custom",
  description:
    "The Avalara tax code of what a bill line buys: by the line's Intacct item when it has one, else by its expense account. " +
    "A line without a row parks the run for review, naming it; a row with key * declares a default tax code (logged when used).",
  keyLabel: "Intacct item or expense account",
  columns: [{ name: "taxCode", label: "Avalara tax code" }],
  demoRows: [
    { key: "6000", values: { taxCode: "P0000000" } },
    { key: "6100", values: { taxCode: "SW054000" } },
    { key: "6200", values: { taxCode: "FR020100" } },
    { key: "6700", values: { taxCode: "SC150100" } },
  ],
};

export const intacctVendorTaxAccountsTable: TemplateTable = {
  ref: "vendorTaxAccounts",
  name: "Vendor-charged tax accounts (Intacct)",
  kind: "custom",
  description:
    "GL accounts on which AP records sales tax a vendor charged (e.g. Sales Tax Expense). A bill with a line on one of them is " +
    "taxed by its vendor: that tax goes to Avalara as a tax override and only what the vendor charged too little is accrued. " +
    "Leave the table empty when vendors never charge sales tax.",
  keyLabel: "GL account",
  columns: [{ name: "note", label: "Note" }],
  demoRows: [{ key: "6800", values: { note: "Sales tax charged by vendors" } }],
};

export const intacctUseTaxParameters: TemplateParameter[] = [
  {
    key: "companyCode",
    label: "Avalara company",
    description: "The Avalara company that calculates and reports the consumer use tax.",
    system: "avalara",
    picker: "companies",
    demo: "DEFAULT",
    bindings: [{ node: "sync", field: "companyCode" }],
  },
  {
    key: "journal",
    label: "GL journal",
    description: "The Intacct GL journal the use tax accruals are posted in.",
    system: "intacct",
    picker: "journals",
    demo: "TAX",
    bindings: [{ node: "post", field: "journal" }],
  },
];

/** The Avalara document code: INTACCT-BILL-<RECORDNO> (a bill keeps its RECORDNO when edited). */
const documentCode = `$substring("INTACCT-BILL-" & $trigger.recordNo, 0, 50)`;
/** A bill line without a location that has a ship-to address: Avalara answers "address incomplete", and the run waits in review. */
const noShipTo = (line: string) => `{"line1": $substring("No ship-to: bill line " & ${line}, 0, 50)}`;
/** Each change (WHENMODIFIED) or the reversal is posted once. */
const vendorTaxLine = (tables: TemplateBuildArgs["tables"]) => `$mapping(${literal(tables.vendorTaxAccounts ?? "")}, accountNo)`;
/** The use tax owed for a jurisdiction of the Avalara result: all of it, or the vendor's shortfall when the vendor taxed the bill. */
const owed = (j: string) => `$round(${j}.taxCalculated - ($exists($nodes.taxInput.transaction.taxOverride) ? ${j}.tax : 0), 2)`;
const sourceVersion = `($trigger.state = "Reversed" ? "reversed:" : $trigger.state = "Deleted" ? "deleted:" : "") & $trigger.whenModified`;
/** The day a bill was reversed (its WHENMODIFIED) or deleted (the audit trail's time), as YYYY-MM-DD. */
const reversedOn = intacctDayOf("$trigger.whenModified");

function useTaxFlow({ connections, tables }: TemplateBuildArgs): FlowDefinitionInput {
  const intacct = connections.intacct ?? null;
  const avalara = connections.avalara ?? null;
  return {
    schemaVersion: 1,
    nodes: [
      {
        id: "bill",
        type: "intacct.pollBills",
        typeVersion: 1,
        name: "Posted, changed, reversed or deleted AP bills (Intacct)",
        position: at(0),
        config: { excludeStates: ["Draft"], initialLookbackDays: 30 },
        connectionId: intacct,
        notes: "AP bills modified since the last poll (drafts skipped, reversals included) and those deleted (from the audit trail), with the ship-to address of each line's location; the first poll reads 30 days back.",
      },
      {
        id: "posted",
        type: "core.branch",
        typeVersion: 1,
        name: "Still posted?",
        position: at(1),
        config: { condition: `$not(state in ["Reversed", "Deleted"])` },
        notes: "A reversed or deleted bill voids its Avalara document and offsets its accrual.",
      },
      avalaraDocumentInput(at(2), {
        name: "Avalara purchase invoice (as the bill is now)",
        sourceVersion,
        code: documentCode,
        adjustmentDescription: `$substring("Intacct bill " & $trigger.billNumber & " changed", 0, 255)`,
        date: "$trigger.date",
        customerCode: "$trigger.vendorId",
        currency: `$length($trigger.currency) = 3 ? $trigger.currency`,
        referenceCode: `$substring("Bill " & $trigger.billNumber & " (" & $trigger.vendorName & ")", 0, 1024)`,
        fields: [
          {
            target: "transaction.taxOverride",
            expression:
              `($vt := $sum($trigger.lines[${vendorTaxLine(tables)}].$number(amount)); $vt > 0 ? {"type": "TaxAmount", "taxAmount": $round($vt, 2), ` +
              `"reason": $substring("Sales tax charged by " & $trigger.vendorName & " on bill " & $trigger.billNumber, 0, 255)})`,
          },
          { target: "transaction.addresses.shipTo", expression: `($s := $trigger.lines[$exists(shipTo)][0].shipTo; $s ? $s : ${noShipTo('"1"')})` },
          {
            target: "transaction.lines",
            expression:
              `[$map($trigger.lines[$not(${vendorTaxLine(tables)})], function($l, $i) { {` +
              `"number": $l.lineNo ? $l.lineNo : $string($i + 1), "amount": $number($l.amount), ` +
              `"itemCode": $l.itemId ? $l.itemId : $l.accountNo, "description": ${opt("$l.memo")}, ` +
              `"addresses": {"shipTo": $l.shipTo ? $l.shipTo : ${noShipTo("($l.lineNo ? $l.lineNo : $string($i + 1))")}}} })]`,
          },
        ],
        notes: "Vendor as Avalara's customer code; each line taxed where its location receives goods (a line without one waits in review); the vendor's tax lines as a tax override. Tax codes come from the mapping table in the next step.",
      }),
      voidAvalaraInput("Void of the Avalara purchase invoice", at(2, 1), { sourceVersion, code: documentCode, refundDate: reversedOn }),
      syncAvalaraDocument(avalara, at(3), {
        name: "Consumer use tax (Avalara, uncommitted)",
        documentType: "PurchaseInvoice",
        taxCodeTableId: tables.useTaxCodes,
        notes: "Created, replaced or adjusted (with a reason) while uncommitted; a reversed bill is voided (refunded in full if locked).",
      }),
      {
        id: "taxGl",
        type: "core.lookup",
        typeVersion: 1,
        name: "Use tax accounts per jurisdiction",
        position: at(4),
        config: { tableId: tables.useTaxGl, items: `jurisdictions[${owed("$")} > 0]`, key: "key", target: "taxLines" },
        notes: "A jurisdiction without a row (and no * default row) parks the run for review, naming it, before anything is posted or committed.",
      },
      {
        id: "accrual",
        type: "core.mapFields",
        typeVersion: 1,
        name: "Use tax accrual lines",
        position: at(5),
        config: {
          fields: [
            { target: "document", expression: "$nodes.sync.code" },
            { target: "version", expression: sourceVersion },
            { target: "date", expression: `$trigger.state in ["Reversed", "Deleted"] ? ${reversedOn} : $trigger.date` },
            { target: "description", expression: `$substring("Use tax bill " & $trigger.billNumber & " " & $trigger.vendorName, 0, 80)` },
            {
              target: "lines",
              expression:
                `($bill := $trigger; $lines := $nodes.taxGl.taxLines; ` +
                `[$lines.($j := $; $loc := $bill.lines[shipTo.region = $j.region][0].locationId; ` +
                `[{"accountNo": $j.payableAccountNo, "amount": -${owed("$j")}, "memo": "Use tax " & $j.taxName & " " & $j.jurisName, ` +
                `"locationId": ${opt("$loc")}, "vendorId": $bill.vendorId}, ` +
                `{"accountNo": $j.expenseAccountNo, "amount": ${owed("$j")}, "memo": "Use tax expense " & $j.jurisName, ` +
                `"locationId": ${opt("$loc")}, "vendorId": $bill.vendorId}])])`,
          },
          ],
          keepInput: false,
        },
        notes: "Each jurisdiction's use tax owed, rounded to cents (what the vendor did not charge): credited to its payable account, debited to its expense account, at the location of the lines taxed there.",
      },
      {
        id: "post",
        type: "intacct.syncTaxGlBatch",
        typeVersion: 1,
        name: "Post use tax accrual for this version (Intacct)",
        position: at(6),
        config: { journal: "TAX", closedPeriod: "review" },
        connectionId: intacct,
        notes: "A change posts an offsetting batch and the new one; a replay posts nothing. A closed period waits for review (or set 'next open period').",
      },
      ...commitTaxLast(avalara, sourceVersion, "Only after the GL holds the accrual. A failure here retries only the commit.", 7),
    ],
    edges: [
      ...chain("bill", "posted"),
      edge("posted", "taxInput", "true"),
      edge("posted", "voidInput", "false"),
      edge("taxInput", "sync"),
      edge("voidInput", "sync"),
      ...chain("sync", "taxGl", "accrual", "post", "commitInput", "commit"),
    ],
    settings: { concurrency: 5, schedule: "*/15 * * * *" },
  };
}

export const intacctBillUseTax: StarterTemplate = {
  id: "intacct-bill-avalara-use-tax",
  title: "Intacct AP bill → Avalara consumer use tax → use tax accrual in Intacct",
  description:
    "Every 15 minutes, pick up AP bills posted, changed, reversed or deleted in Sage Intacct, send each to Avalara as a purchase invoice " +
    "(consumer use tax: every line taxed where its Intacct location receives goods, tax codes by item or expense account), " +
    "then accrue the use tax in a TAX journal entry: each jurisdiction's tax credited to its use tax payable account and " +
    "debited to use tax expense, with the location and vendor; then commit at Avalara. Bills on which the vendor charged " +
    "sales tax (lines on an account of the vendor-charged tax table) send it to Avalara as a tax override and accrue only the shortfall. Lifecycle: posted -> PurchaseInvoice + accrual; edited -> Avalara adjusted (new version) + an offsetting " +
    "entry and a new one; reversed or deleted -> Avalara voided (refunded in full if locked) + an offsetting entry. Each version posts " +
    "once; lines without a tax code, unmapped jurisdictions and closed periods go to review.",
  systems: ["intacct", "avalara"],
  tables: [intacctUseTaxGlTable, intacctUseTaxCodesTable, intacctVendorTaxAccountsTable],
  parameters: intacctUseTaxParameters,
  // Version 2 like the other templates that take their parameters from the wizard.
  version: 2,
  build: useTaxFlow,
};

/**
 * Adobe Commerce order -> Sage Intacct AP bill (credit memos -> AP adjustments).
 *
 * orders and credit memos (poll) -> expense account per SKU ("AP expense
 * accounts by SKU (Intacct)", items mode: order lines, or a credit memo's refunded lines; a
 * missing SKU parks the run before anything is written) -> vendor from the customer (e-mail, B2B
 * company name, billing address) -> Intacct find-or-create vendor by e-mail -> credit memo?
 *   no:  cancelled?
 *          no:  bill (lines net of discount, shipping, tax; the PO number as reference) -> AP bill
 *          yes: reverse the order's AP bill (nothing to do when it was never billed)
 *   yes: adjustment (negative lines, against the order's bill) -> AP adjustment
 *
 * Lifecycle (Commerce / Intacct AP):
 * | Commerce                         | Intacct                                                  |
 * | -------------------------------- | -------------------------------------------------------- |
 * | order placed                     | AP bill COM-<order>, once                                |
 * | order changed (status, address)  | nothing (the bill is keyed by the order)                 |
 * | order cancelled after its bill   | the bill reversed (reverse_bill)                         |
 * | order cancelled before any bill  | nothing                                                  |
 * | credit memo (refund)             | AP adjustment COM-CM-<memo> against the bill, negative   |
 * | admin edit (order N -> N-1)      | N cancelled -> its bill reversed; N-1 is a new order      |
 * The bill total equals the order's grand total: lines (row total - discount) + shipping + tax.
 * Nothing is written back to Commerce.
 */
import { at, cents, chain, edge, literal, opt, type StarterTemplate, type TemplateParameter, type TemplateTable } from "./types";

export const SHIPPING_ACCOUNT = "6200";
export const TAX_EXPENSE_ACCOUNT = "6800";
export const BILL_TERMS = "Net 30";

/** What the wizard asks for (the demo values match the Intacct sandbox's chart of accounts and terms). */
export const commerceApParameters: TemplateParameter[] = [
  { key: "shippingAccount", label: "Shipping expense account", description: "Intacct GL account for the order's shipping amount.", system: "intacct", picker: "glAccounts", demo: SHIPPING_ACCOUNT },
  { key: "taxAccount", label: "Sales tax expense account", description: "Intacct GL account for the order's tax amount.", system: "intacct", picker: "glAccounts", demo: TAX_EXPENSE_ACCOUNT },
  { key: "billTerms", label: "Payment terms", description: "AP terms name in Intacct (as in Accounts Payable > Terms) for new vendors and every bill.", system: "intacct", demo: BILL_TERMS },
];

export const apExpenseAccountsTable: TemplateTable = {
  ref: "expenseAccounts",
  name: "AP expense accounts by SKU (Intacct)",
  kind: "gl_account",
  description:
    "The Intacct expense GL account (and department) each Adobe Commerce SKU is billed to. A SKU without a row parks the order for review, naming it.",
  keyLabel: "Commerce SKU",
  columns: [
    { name: "accountNo", label: "GL account" },
    { name: "departmentId", label: "Department" },
  ],
  demoRows: [
    { key: "ACC-PRO-12M", values: { accountNo: "6100", departmentId: "FIN" } },
    { key: "SUPPORT-PREM", values: { accountNo: "6100", departmentId: "OPS" } },
    { key: "USB-HUB-7", values: { accountNo: "6000", departmentId: "ENG" } },
    { key: "LAPTOP-STAND", values: { accountNo: "6000", departmentId: "ENG" } },
    { key: "DESK-STD-140", values: { accountNo: "6000", departmentId: "ADMIN" } },
    { key: "CHAIR-ERG-2", values: { accountNo: "6000", departmentId: "ADMIN" } },
    { key: "TONER-BK-XL", values: { accountNo: "6000", departmentId: "ADMIN" } },
    { key: "PAPER-A4-5BOX", values: { accountNo: "6000", departmentId: "ADMIN" } },
  ],
};

const order = "$trigger.order";
const orderDate = `$substring(${order}.createdAt, 0, 10)`;
export const billNumber = `"COM-" & ${order}.incrementId`;

/** One AP line per document line with its expense account, then shipping and tax; `sign` "-" for credit memos. */
function apLines(lines: string, totals: string, sign: "" | "-", params: Record<string, string>) {
  const line = (account: string, amount: string, memo: string, extra = "") =>
    `{"accountNo": ${account}, "amount": ${sign}${cents(amount)}, "memo": ${memo}${extra}}`;
  return (
    `[${lines}[${cents("rowTotal - discountAmount")} != 0].` +
    line("accountNo", "rowTotal - discountAmount", `$substring(sku & " " & name, 0, 1000)`, `, "departmentId": ${opt("departmentId")}`) +
    `, ${totals}.shipping != 0 ? ${line(literal(params.shippingAccount!), `${totals}.shipping`, '"Shipping"')}` +
    `, ${totals}.tax != 0 ? ${line(literal(params.taxAccount!), `${totals}.tax`, '"Sales tax"')}]`
  );
}

export const commerceOrderApBill: StarterTemplate = {
  id: "commerce-order-intacct-ap-bill",
  title: "Adobe Commerce order → Intacct AP bill",
  description:
    "Every 5 minutes, turn new Adobe Commerce orders into AP bills in Sage Intacct under the right vendor (found by the customer's " +
    "e-mail, created when missing), with each line on the expense account of its SKU, shipping and tax on their own lines and the " +
    "B2B purchase order number as the bill's reference. Credit memos become AP adjustments against the order's bill; an order " +
    "cancelled after it was billed reverses its bill (an admin edit cancels order N for N-1: N's bill is reversed, N-1 billed). " +
    "Each bill, adjustment and reversal happens once; nothing is written back to Commerce.",
  systems: ["commerce", "intacct"],
  tables: [apExpenseAccountsTable],
  parameters: commerceApParameters,
  version: 2,
  build: ({ connections, tables, params }) => {
    const commerce = connections.commerce ?? null;
    const intacct = connections.intacct ?? null;
    return {
      schemaVersion: 1,
      nodes: [
        {
          id: "document",
          type: "commerce.salesDocumentsUpdated",
          typeVersion: 1,
          name: "Orders and credit memos (Commerce)",
          position: at(0),
          config: { entities: ["order", "creditmemo"], orderStatuses: [], lookbackHours: 24 },
          connectionId: commerce,
          notes: "One run per document version; credit memos come with their order.",
        },
        {
          id: "accounts",
          type: "core.lookup",
          typeVersion: 1,
          name: "Expense account per SKU",
          position: at(1),
          config: {
            tableId: tables.expenseAccounts,
            items: `entity = "creditmemo" ? creditMemo.items[qty > 0] : order.items`,
            key: "sku",
            target: "lines",
          },
          notes: "Before anything is written: a SKU without a row parks the document for review, naming the SKU.",
        },
        {
          id: "vendorInput",
          type: "core.mapFields",
          typeVersion: 1,
          name: "Vendor from customer",
          position: at(3),
          config: {
            fields: [
              { target: "email", expression: `${order}.customer.email` },
              { target: "name", expression: `$substring(${order}.company.name ? ${order}.company.name : ${order}.customer.name, 0, 100)` },
              { target: "phone", expression: opt(`${order}.billingAddress.telephone`) },
              { target: "address.line1", expression: opt(`${order}.billingAddress.street[0]`) },
              { target: "address.line2", expression: opt(`${order}.billingAddress.street[1]`) },
              { target: "address.city", expression: opt(`${order}.billingAddress.city`) },
              { target: "address.region", expression: opt(`${order}.billingAddress.regionCode`) },
              { target: "address.postalCode", expression: opt(`${order}.billingAddress.postcode`) },
              { target: "address.country", expression: opt(`${order}.billingAddress.countryId`) },
            ],
            keepInput: false,
          },
        },
        {
          id: "vendor",
          type: "intacct.findOrCreateVendor",
          typeVersion: 1,
          name: "Find or create vendor (Intacct)",
          position: at(4),
          config: { createIfMissing: true, termName: params.billTerms! },
          connectionId: intacct,
          notes: "Matched by the customer's e-mail; two vendors with that e-mail park the run for review instead of guessing.",
        },
        {
          id: "isCreditMemo",
          type: "core.branch",
          typeVersion: 1,
          name: "Credit memo?",
          position: at(5),
          config: { condition: `$trigger.entity = "creditmemo"` },
        },
        {
          id: "isCanceled",
          type: "core.branch",
          typeVersion: 1,
          name: "Order cancelled?",
          position: at(6, 1),
          config: { condition: `${order}.status = "canceled"` },
          notes: "A cancelled order reverses its bill; one cancelled before it was billed changes nothing.",
        },
        {
          id: "reverseInput",
          type: "core.mapFields",
          typeVersion: 1,
          name: "Bill to reverse",
          position: at(7, 2),
          config: {
            fields: [
              { target: "vendorId", expression: "$nodes.vendor.vendorId" },
              { target: "billNumber", expression: billNumber },
              { target: "date", expression: `$substring(${order}.updatedAt, 0, 10)` },
              { target: "description", expression: `"Adobe Commerce order " & ${order}.incrementId & " cancelled"` },
            ],
            keepInput: false,
          },
        },
        {
          id: "reverseBill",
          type: "intacct.reverseApBill",
          typeVersion: 1,
          name: "Reverse AP bill (Intacct)",
          position: at(8, 2),
          config: {},
          connectionId: intacct,
          notes: "Once per bill: a replay finds it reversed already.",
        },
        {
          id: "bill",
          type: "core.mapFields",
          typeVersion: 1,
          name: "AP bill",
          position: at(7, 1),
          config: {
            fields: [
              { target: "vendorId", expression: "$nodes.vendor.vendorId" },
              { target: "billNumber", expression: billNumber },
              { target: "date", expression: orderDate },
              // Why explicit: the vendor's own terms are not applied to a bill created without a due date.
              { target: "termName", expression: literal(params.billTerms!) },
              { target: "reference", expression: opt(`${order}.purchaseOrderNumber`) },
              {
                target: "description",
                expression: `"Adobe Commerce order " & ${order}.incrementId & (${order}.company.name ? " for " & ${order}.company.name : "")`,
              },
              { target: "currency", expression: opt(`${order}.currency`) },
              { target: "lines", expression: apLines("$nodes.accounts.lines", `${order}.totals`, "", params) },
            ],
            keepInput: false,
          },
          notes: `Lines net of discount on the SKU's account, shipping on ${params.shippingAccount}, tax on ${params.taxAccount}: the bill totals the order's grand total.`,
        },
        {
          id: "postBill",
          type: "intacct.createApBill",
          typeVersion: 1,
          name: "Create AP bill (Intacct)",
          position: at(8, 1),
          config: { draft: false },
          connectionId: intacct,
          notes: "Bill number COM-<order number>: created once per vendor and order.",
        },
        {
          id: "adjustment",
          type: "core.mapFields",
          typeVersion: 1,
          name: "AP adjustment",
          position: at(6, -1),
          config: {
            fields: [
              { target: "vendorId", expression: "$nodes.vendor.vendorId" },
              { target: "adjustmentNumber", expression: `"COM-CM-" & ($trigger.creditMemo.incrementId ? $trigger.creditMemo.incrementId : $string($trigger.creditMemo.entityId))` },
              { target: "date", expression: "$substring($trigger.creditMemo.createdAt, 0, 10)" },
              { target: "billNumber", expression: billNumber },
              { target: "description", expression: `"Adobe Commerce credit memo " & $trigger.creditMemo.incrementId & " on order " & ${order}.incrementId` },
              { target: "externalId", expression: "$string($trigger.creditMemo.entityId)" },
              { target: "currency", expression: opt("$trigger.creditMemo.currency") },
              { target: "lines", expression: apLines("$nodes.accounts.lines", "$trigger.creditMemo.totals", "-", params) },
            ],
            keepInput: false,
          },
          notes: "Negative lines (a vendor credit) mirroring the refunded lines, shipping and tax, against the order's bill.",
        },
        {
          id: "postAdjustment",
          type: "intacct.createApAdjustment",
          typeVersion: 1,
          name: "Create AP adjustment (Intacct)",
          position: at(7, -1),
          config: { draft: false },
          connectionId: intacct,
          notes: "Adjustment number COM-CM-<credit memo number>: created once per vendor.",
        },
      ],
      edges: [
        ...chain("document", "accounts", "vendorInput", "vendor", "isCreditMemo"),
        edge("isCreditMemo", "isCanceled", "false"),
        edge("isCanceled", "bill", "false"),
        edge("bill", "postBill"),
        edge("isCanceled", "reverseInput", "true"),
        edge("reverseInput", "reverseBill"),
        edge("isCreditMemo", "adjustment", "true"),
        edge("adjustment", "postAdjustment"),
      ],
      // One run at a time: two orders of a new customer must not race to create the same vendor.
      settings: { concurrency: 1, schedule: "*/5 * * * *" },
    };
  },
};

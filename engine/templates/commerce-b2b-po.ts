/**
 * Adobe Commerce B2B purchase order -> Sage Intacct purchase order, from its creation to its close.
 *
 * purchase orders (GraphQL poll, as the company user) -> Intacct vendor of the B2B company ("Intacct
 * vendor by B2B company") -> Intacct item per SKU ("Intacct item by Commerce SKU"; a company or
 * SKU without a row parks the run before anything is written) -> create the purchase order (open,
 * once per vendor and PO number) -> ended?
 *   no:  update it to the purchase order's lines and status (only what differs; once per version)
 *   yes: close it, with why (completed: its sales order was placed; cancelled; rejected)
 *
 * Lifecycle (Commerce B2B purchase order / Intacct purchase order):
 * | Commerce                                   | Intacct                                         |
 * | ------------------------------------------ | ----------------------------------------------- |
 * | placed (PENDING, APPROVAL_REQUIRED)        | purchase order created open (Pending), once      |
 * | approved, or its lines changed             | updated once per change (message, lines)        |
 * | sales order placed from it (ORDER_PLACED)  | closed, message names the sales order           |
 * | cancelled or rejected                      | closed, message says so                         |
 * | seen for the first time already ended      | created, then closed                            |
 * | any change after the close                 | review item: a closed order cannot be edited    |
 * The Intacct order's reference (PONUMBER) is the Commerce purchase order number, its lines carry
 * the Commerce prices. Nothing is written back to Commerce.
 */
import { at, chain, edge, opt, type StarterTemplate, type TemplateParameter, type TemplateTable } from "./types";

export const B2B_PO_TRANSACTION_TYPE = "Purchase Order";

export const b2bPoParameters: TemplateParameter[] = [
  {
    key: "transactionType",
    label: "Purchasing transaction definition",
    description: "The Intacct Purchasing transaction definition the orders are created as (Purchasing > Setup > Transaction definitions).",
    system: "intacct",
    demo: B2B_PO_TRANSACTION_TYPE,
    bindings: [
      { node: "createPo", field: "transactionType" },
      { node: "updatePo", field: "transactionType" },
      { node: "closePo", field: "transactionType" },
    ],
  },
];

export const b2bVendorsTable: TemplateTable = {
  ref: "vendors",
  name: "Intacct vendor by B2B company",
  kind: "custom",
  description: "The Intacct vendor each Adobe Commerce B2B company's purchase orders are recorded under. A company without a row parks its purchase orders for review, naming it.",
  keyLabel: "Commerce company id",
  columns: [{ name: "vendorId", label: "Intacct vendor ID" }],
  demoRows: [
    { key: "1", values: { vendorId: "V200" } },
    { key: "2", values: { vendorId: "V100" } },
    { key: "3", values: { vendorId: "V300" } },
  ],
};

export const b2bItemsTable: TemplateTable = {
  ref: "items",
  name: "Intacct item by Commerce SKU",
  kind: "custom",
  description: "The Intacct item (and location) each Adobe Commerce SKU is ordered as. A SKU without a row parks the purchase order for review, naming it.",
  keyLabel: "Commerce SKU",
  columns: [
    { name: "itemId", label: "Intacct item ID" },
    { name: "locationId", label: "Location" },
  ],
  demoRows: [
    { key: "ACC-PRO-12M", values: { itemId: "SW-PRO", locationId: "" } },
    { key: "SUPPORT-PREM", values: { itemId: "SVC-IMPL", locationId: "" } },
    { key: "USB-HUB-7", values: { itemId: "HW-ROUTER", locationId: "US-TX" } },
    { key: "LAPTOP-STAND", values: { itemId: "HW-ROUTER", locationId: "US-TX" } },
    { key: "DESK-STD-140", values: { itemId: "SUP-PAPER", locationId: "" } },
    { key: "CHAIR-ERG-2", values: { itemId: "SUP-PAPER", locationId: "" } },
    { key: "TONER-BK-XL", values: { itemId: "SUP-PAPER", locationId: "" } },
    { key: "PAPER-A4-5BOX", values: { itemId: "SUP-PAPER", locationId: "" } },
  ],
};

const po = "$trigger";
const documentId = "$nodes.createPo.documentId";
/** The Intacct order's lines: every Commerce line on its mapped item, at the Commerce price. */
const lines = `[$nodes.items.lines.{"itemId": itemId, "quantity": quantity, "price": price, "locationId": ${opt("locationId")}, "memo": $substring(sku & " " & (name ? name : ""), 0, 1000)}]`;
const status = `"Commerce purchase order " & ${po}.number & ": " & ${po}.status & " (approval " & ${po}.approval & ")"`;
const ending =
  `"Commerce purchase order " & ${po}.number & ` +
  `(${po}.lifecycle = "completed" ? " completed: sales order " & ${po}.orderNumber : ${po}.lifecycle = "canceled" ? " cancelled" : " rejected")`;

export const commerceB2bPurchaseOrder: StarterTemplate = {
  id: "commerce-b2b-po-intacct-po",
  title: "Adobe Commerce B2B purchase order → Intacct purchase order",
  description:
    "Every 5 minutes, record each Adobe Commerce B2B purchase order as an open purchase order in Sage Intacct under the company's " +
    "vendor, with each line on the Intacct item of its SKU at the Commerce price and the Commerce PO number as reference. " +
    "Approvals and line changes update it once per change; it is closed when its sales order is placed or when it is cancelled " +
    "or rejected. Created, updated and closed once each; nothing is written back to Commerce.",
  systems: ["commerce", "intacct"],
  tables: [b2bVendorsTable, b2bItemsTable],
  parameters: b2bPoParameters,
  version: 1,
  build: ({ connections, tables, params }) => {
    const commerce = connections.commerce ?? null;
    const intacct = connections.intacct ?? null;
    const transactionType = params.transactionType!;
    return {
      schemaVersion: 1,
      nodes: [
        {
          id: "po",
          type: "commerce.purchaseOrdersUpdated",
          typeVersion: 1,
          name: "B2B purchase orders (Commerce)",
          position: at(0),
          config: { statuses: [], watchDays: 90 },
          connectionId: commerce,
          notes: "One run per purchase order version: placed, approved, changed, placed as an order, cancelled or rejected.",
        },
        {
          id: "vendor",
          type: "core.lookup",
          typeVersion: 1,
          name: "Vendor of the company",
          position: at(1),
          config: { tableId: tables.vendors, key: `${po}.company.id`, target: "vendor" },
          notes: "A company without a row parks the purchase order for review before anything is written.",
        },
        {
          id: "items",
          type: "core.lookup",
          typeVersion: 1,
          name: "Item per SKU",
          position: at(2),
          config: { tableId: tables.items, items: `${po}.lines`, key: "sku", target: "lines" },
          notes: "A SKU without a row parks the purchase order for review, naming the SKU.",
        },
        {
          id: "order",
          type: "core.mapFields",
          typeVersion: 1,
          name: "Purchase order",
          position: at(3),
          config: {
            fields: [
              { target: "vendorId", expression: "$nodes.vendor.vendor.vendorId" },
              { target: "referenceNo", expression: `${po}.number` },
              { target: "date", expression: `$substring(${po}.createdAt, 0, 10)` },
              { target: "message", expression: status },
              { target: "lines", expression: lines },
            ],
            keepInput: false,
          },
        },
        {
          id: "createPo",
          type: "intacct.createPurchaseOrder",
          typeVersion: 1,
          name: "Create purchase order (Intacct)",
          position: at(4),
          config: { transactionType, draft: false },
          connectionId: intacct,
          notes: "Open (Pending), once per vendor and PO number: later versions find it in the idempotency ledger.",
        },
        {
          id: "ended",
          type: "core.branch",
          typeVersion: 1,
          name: "Purchase order ended?",
          position: at(5),
          config: { condition: `${po}.lifecycle != "open"` },
          notes: "Completed (its sales order placed), cancelled or rejected in Commerce.",
        },
        {
          id: "updateInput",
          type: "core.mapFields",
          typeVersion: 1,
          name: "Changes",
          position: at(6, 1),
          config: {
            fields: [
              { target: "documentId", expression: documentId },
              { target: "changeKey", expression: `${po}.version` },
              { target: "message", expression: status },
              { target: "lines", expression: lines },
            ],
            keepInput: false,
          },
        },
        {
          id: "updatePo",
          type: "intacct.updatePurchaseOrder",
          typeVersion: 1,
          name: "Update purchase order (Intacct)",
          position: at(7, 1),
          config: { transactionType },
          connectionId: intacct,
          notes: "Sends only what differs (nothing right after the create); once per Commerce version.",
        },
        {
          id: "closeInput",
          type: "core.mapFields",
          typeVersion: 1,
          name: "Why it closes",
          position: at(6, -1),
          config: {
            fields: [
              { target: "documentId", expression: documentId },
              { target: "message", expression: ending },
            ],
            keepInput: false,
          },
        },
        {
          id: "closePo",
          type: "intacct.closePurchaseOrder",
          typeVersion: 1,
          name: "Close purchase order (Intacct)",
          position: at(7, -1),
          config: { transactionType },
          connectionId: intacct,
          notes: "Once: an order already closed is left as it is.",
        },
      ],
      edges: [
        ...chain("po", "vendor", "items", "order", "createPo", "ended"),
        edge("ended", "updateInput", "false"),
        edge("updateInput", "updatePo"),
        edge("ended", "closeInput", "true"),
        edge("closeInput", "closePo"),
      ],
      // One run at a time: a purchase order's versions are applied in the order they were polled.
      settings: { concurrency: 1, schedule: "*/5 * * * *" },
    };
  },
};

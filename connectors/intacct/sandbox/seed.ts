/**
 * The seeded demo company: a US software reseller with a chart of accounts (one sales tax
 * liability account per state), dimensions, vendors, customers with real-looking US addresses,
 * and posted sales invoices (Order Entry) with their AR invoices across several states.
 */
import { auditTimestamp, usDate, type Company, type Rec, type SandboxState } from "./store";

export const DEMO = {
  senderId: "LEDGERLINE_SANDBOX",
  senderPassword: "sandbox-sender-pw",
  companyId: "LEDGERLINE-DEMO",
  userId: "xml_gateway",
  userPassword: "sandbox-user-pw",
  /** A multi-entity company (entities US and UK) with the same sender and user. */
  multiEntityCompanyId: "LEDGERLINE-GLOBAL",
  /** A user of the multi-entity company restricted to entity UK (same password). */
  ukUserId: "xml_gateway_uk",
} as const;

/** User-defined dimensions of both sandbox companies, with their values ([ID, NAME, STATUS]). */
const USER_DIMENSIONS: Array<{ objectName: string; label: string; values: Array<[string, string, string]> }> = [
  { objectName: "CHANNEL", label: "Channel", values: [["WEB", "Web store", "active"], ["RETAIL", "Retail stores", "active"], ["PARTNER", "Partner resellers", "active"], ["FAX", "Fax orders", "inactive"]] },
  { objectName: "REGION", label: "Region", values: [["NA", "North America", "active"], ["EMEA", "Europe, Middle East and Africa", "active"], ["APAC", "Asia Pacific", "active"]] },
];

const DAY = 86_400_000;

function address(line1: string, city: string, state: string, zip: string): Rec {
  return { ADDRESS1: line1, ADDRESS2: "", CITY: city, STATE: state, ZIP: zip, COUNTRY: "United States", COUNTRYCODE: "US" };
}

function contact(name: string, email: string, phone: string, mail: Rec): Rec {
  return { CONTACTNAME: name, PRINTAS: name, COMPANYNAME: name, EMAIL1: email, PHONE1: phone, MAILADDRESS: mail };
}

export function seedState(now: number): SandboxState {
  const created = auditTimestamp(now - 400 * DAY);
  let recordNo = 1;
  const stamp = <T extends Rec>(r: T, modified = created): T & Rec => ({
    RECORDNO: String(recordNo++),
    ...r,
    WHENCREATED: (r.WHENCREATED as string | undefined) ?? created,
    WHENMODIFIED: modified,
  });

  const accounts: Array<[string, string, string, string]> = [
    ["1000", "Operating Cash", "balancesheet", "debit"],
    ["1200", "Accounts Receivable", "balancesheet", "debit"],
    ["1400", "Inventory", "balancesheet", "debit"],
    ["2000", "Accounts Payable", "balancesheet", "credit"],
    ["2100", "Accrued Liabilities", "balancesheet", "credit"],
    ["2200", "Sales Tax Payable - California", "balancesheet", "credit"],
    ["2210", "Sales Tax Payable - New York", "balancesheet", "credit"],
    ["2220", "Sales Tax Payable - Texas", "balancesheet", "credit"],
    ["2230", "Sales Tax Payable - Washington", "balancesheet", "credit"],
    ["2240", "Sales Tax Payable - Illinois", "balancesheet", "credit"],
    ["2250", "Sales Tax Payable - Florida", "balancesheet", "credit"],
    ["2260", "Sales Tax Payable - Colorado", "balancesheet", "credit"],
    ["2290", "Sales Tax Payable - Other States", "balancesheet", "credit"],
    ["2300", "Use Tax Payable - California", "balancesheet", "credit"],
    ["2330", "Use Tax Payable - Washington", "balancesheet", "credit"],
    ["2390", "Use Tax Payable - Other States", "balancesheet", "credit"],
    ["4000", "Software License Revenue", "incomestatement", "credit"],
    ["4100", "Implementation Services Revenue", "incomestatement", "credit"],
    ["4200", "Hardware Revenue", "incomestatement", "credit"],
    ["5000", "Cost of Goods Sold", "incomestatement", "debit"],
    ["6000", "Office Supplies", "incomestatement", "debit"],
    ["6100", "Software Subscriptions", "incomestatement", "debit"],
    ["6200", "Freight and Shipping", "incomestatement", "debit"],
    ["6700", "Professional Fees", "incomestatement", "debit"],
    ["6800", "Sales Tax Expense", "incomestatement", "debit"],
    ["6810", "Use Tax Expense", "incomestatement", "debit"],
  ];
  const GLACCOUNT = accounts.map(([no, title, type, normal]) =>
    stamp({
      ACCOUNTNO: no,
      TITLE: title,
      ACCOUNTTYPE: type,
      NORMALBALANCE: normal,
      CLOSINGTYPE: type === "incomestatement" ? "closing account" : "non-closing account",
      REQUIREDEPT: "false",
      REQUIRELOC: "false",
      STATUS: "active",
    }),
  );
  GLACCOUNT.push(stamp({ ACCOUNTNO: "2999", TITLE: "Suspense (inactive)", ACCOUNTTYPE: "balancesheet", NORMALBALANCE: "credit", CLOSINGTYPE: "non-closing account", REQUIREDEPT: "false", REQUIRELOC: "false", STATUS: "inactive" }));

  const DEPARTMENT = [
    ["ADMIN", "Administration"],
    ["SALES", "Sales"],
    ["ENG", "Engineering"],
    ["OPS", "Operations"],
    ["FIN", "Finance"],
  ].map(([id, title]) => stamp({ DEPARTMENTID: id, TITLE: title, PARENTID: "", STATUS: "active" }));

  // Where each location receives goods (its ship-to contact): where use tax on its purchases is owed.
  const LOCATION = (
    [
      ["US", "United States (HQ)", "", address("1701 California St", "Denver", "CO", "80202")],
      ["US-CA", "San Francisco, CA", "US", address("1 Market St", "San Francisco", "CA", "94105")],
      ["US-NY", "New York, NY", "US", address("350 5th Ave", "New York", "NY", "10118")],
      ["US-TX", "Austin, TX", "US", address("600 Congress Ave", "Austin", "TX", "78701")],
      ["US-WA", "Seattle, WA", "US", address("255 S King St", "Seattle", "WA", "98104")],
      ["US-IL", "Chicago, IL", "US", address("233 S Wacker Dr", "Chicago", "IL", "60606")],
    ] as const
  ).map(([id, name, parent, mail]) =>
    stamp({ LOCATIONID: id, NAME: name, PARENTID: parent, STATUS: "active", CONTACTINFO: contact(name, "", "555-0100", mail), SHIPTO: contact(name, "", "555-0100", mail) }),
  );

  const CLASS = [
    ["SW", "Software"],
    ["SVC", "Services"],
    ["HW", "Hardware"],
  ].map(([id, name]) => stamp({ CLASSID: id, NAME: name, DESCRIPTION: `${name} product line`, PARENTID: "", STATUS: "active" }));

  const PROJECT = [
    ["P-1001", "Acme ERP Rollout", "Contract", "C100"],
    ["P-1002", "Globex Data Migration", "Contract", "C200"],
    ["P-1003", "Internal Tax Automation", "Internal Non-billable", ""],
  ].map(([id, name, cat, cust]) => stamp({ PROJECTID: id, NAME: name, PARENTID: "", PROJECTCATEGORY: cat, CUSTOMERID: cust, PROJECTSTATUS: "In Progress", STATUS: "active" }));

  const ITEM = [
    ["SW-STD", "Ledger Suite Standard License", "4000"],
    ["SW-PRO", "Ledger Suite Professional License", "4000"],
    ["SVC-IMPL", "Implementation Services (hour)", "4100"],
    ["HW-ROUTER", "Edge Router", "4200"],
    ["SUP-PAPER", "Printer Paper (case)", "6000"],
  ].map(([id, name, gl]) => stamp({ ITEMID: id, NAME: name, GLACCOUNTNO: gl, STATUS: "active" }));

  const EMPLOYEE = [stamp({ EMPLOYEEID: "E001", PERSONALINFO: { CONTACTNAME: "Dana Controller" }, STATUS: "active" })];

  const GLJOURNAL = [
    ["GJ", "General Journal"],
    ["ADJ", "Adjustments Journal"],
    ["TAX", "Sales Tax Journal"],
  ].map(([symbol, title]) => stamp({ SYMBOL: symbol, TITLE: title, STATUS: "active" }));

  const vendors: Array<[string, string, string, Rec]> = [
    ["V100", "Regal Services", "ap@regalservices.example", address("500 Market St", "San Francisco", "CA", "94105")],
    ["V200", "Northwind Supply", "billing@northwind.example", address("12 Harbor Way", "Seattle", "WA", "98101")],
    ["V300", "Contoso Freight", "invoices@contosofreight.example", address("88 Commerce Dr", "Dallas", "TX", "75201")],
  ];
  const VENDOR = vendors.map(([id, name, email, mail]) =>
    stamp({ VENDORID: id, NAME: name, VENDTYPE: "Supplier", TERMNAME: "Net 30", STATUS: "active", DISPLAYCONTACT: contact(name, email, "555-0100", mail) }),
  );

  const customers: Array<[string, string, string, Rec]> = [
    ["C100", "Acme Corporation", "ap@acme.example", address("2000 Main St", "Irvine", "CA", "92614")],
    ["C200", "Globex Inc", "accounts@globex.example", address("350 5th Ave", "New York", "NY", "10118")],
    ["C300", "Initech LLC", "finance@initech.example", address("1100 Congress Ave", "Austin", "TX", "78701")],
    ["C400", "Umbrella Health", "payables@umbrella.example", address("400 Broad St", "Seattle", "WA", "98109")],
    ["C500", "Stark Industrial", "ap@stark.example", address("233 S Wacker Dr", "Chicago", "IL", "60606")],
    ["C600", "Wayne Logistics", "ap@wayne.example", address("1600 Glenarm Pl", "Denver", "CO", "80202")],
  ];
  const CUSTOMER = customers.map(([id, name, email, mail]) =>
    stamp({ CUSTOMERID: id, NAME: name, CUSTTYPE: "Commercial", TERMNAME: "Net 30", TAXABLE: "true", STATUS: "active", DISPLAYCONTACT: contact(name, email, "555-0199", mail) }),
  );
  const customerById = new Map(customers.map((c) => [c[0], c]));

  const prices: Record<string, number> = { "SW-STD": 1200, "SW-PRO": 2400, "SVC-IMPL": 175, "HW-ROUTER": 899.99 };
  const sales: Array<{ no: string; cust: string; loc: string; dept: string; cls: string; days: number; lines: Array<[string, number]>; state: string }> = [
    { no: "SI-1001", cust: "C100", loc: "US-CA", dept: "SALES", cls: "SW", days: 20, lines: [["SW-PRO", 3], ["SVC-IMPL", 10]], state: "Closed" },
    { no: "SI-1002", cust: "C200", loc: "US-NY", dept: "SALES", cls: "SW", days: 15, lines: [["SW-STD", 5]], state: "Closed" },
    { no: "SI-1003", cust: "C300", loc: "US-TX", dept: "SALES", cls: "HW", days: 12, lines: [["HW-ROUTER", 4], ["SVC-IMPL", 6]], state: "Pending" },
    { no: "SI-1004", cust: "C400", loc: "US-WA", dept: "SALES", cls: "SW", days: 9, lines: [["SW-PRO", 1]], state: "Closed" },
    { no: "SI-1005", cust: "C500", loc: "US-IL", dept: "SALES", cls: "SVC", days: 6, lines: [["SVC-IMPL", 24]], state: "Pending" },
    { no: "SI-1006", cust: "C600", loc: "US", dept: "SALES", cls: "HW", days: 4, lines: [["HW-ROUTER", 2], ["SW-STD", 2]], state: "Pending" },
    { no: "SI-1007", cust: "C100", loc: "US-CA", dept: "SALES", cls: "SVC", days: 2, lines: [["SVC-IMPL", 8]], state: "Pending" },
    { no: "SI-1008", cust: "C200", loc: "US-NY", dept: "SALES", cls: "SW", days: 1, lines: [["SW-STD", 1]], state: "Draft" },
  ];
  const SODOCUMENT: Rec[] = [];
  const ARINVOICE: Rec[] = [];
  for (const s of sales) {
    const [, name, email, mail] = customerById.get(s.cust)!;
    const when = now - s.days * DAY;
    const lines = s.lines.map(([item, qty], i) => {
      const price = prices[item];
      return { item, qty, price, amount: Math.round(qty * price * 100) / 100, i };
    });
    const total = Math.round(lines.reduce((sum, l) => sum + l.amount, 0) * 100) / 100;
    const shipTo = contact(name, email, "555-0199", mail);
    const so = stamp(
      {
        DOCID: `Sales Invoice-${s.no}`,
        DOCNO: s.no,
        DOCPARID: "Sales Invoice",
        STATE: s.state,
        WHENCREATED: usDate(when),
        WHENPOSTED: usDate(when),
        CUSTVENDID: s.cust,
        CUSTVENDNAME: name,
        PONUMBER: `PO-${s.cust}-${s.no.slice(3)}`,
        CURRENCY: "USD",
        SUBTOTAL: total.toFixed(2),
        TOTAL: total.toFixed(2),
        SHIPTO: shipTo,
        BILLTO: shipTo,
        SODOCUMENTENTRIES: {
          sodocumententry: lines.map((l) => ({
            RECORDNO: String(recordNo++),
            LINE_NO: String(l.i + 1),
            ITEMID: l.item,
            ITEMNAME: ITEM.find((it) => it.ITEMID === l.item)?.NAME ?? l.item,
            QUANTITY: String(l.qty),
            UNIT: "Each",
            PRICE: l.price.toFixed(2),
            TOTAL: l.amount.toFixed(2),
            LOCATION: s.loc,
            DEPARTMENT: s.dept,
            CLASSID: s.cls,
          })),
        },
      },
      auditTimestamp(when + 3_600_000),
    );
    SODOCUMENT.push(so);
    if (s.state === "Draft") continue;
    ARINVOICE.push(
      stamp(
        {
          RECORDID: s.no,
          DOCNUMBER: `PO-${s.cust}-${s.no.slice(3)}`,
          CUSTOMERID: s.cust,
          CUSTOMERNAME: name,
          STATE: s.state === "Closed" ? "Paid" : "Posted",
          WHENCREATED: usDate(when),
          WHENPOSTED: usDate(when),
          WHENDUE: usDate(when + 30 * DAY),
          CURRENCY: "USD",
          TOTALENTERED: total.toFixed(2),
          TOTALDUE: s.state === "Closed" ? "0.00" : total.toFixed(2),
          SHIPTO: shipTo,
          BILLTO: shipTo,
          ARINVOICEITEMS: {
            arinvoiceitem: lines.map((l) => ({
              RECORDNO: String(recordNo++),
              LINE_NO: String(l.i + 1),
              ACCOUNTNO: ITEM.find((it) => it.ITEMID === l.item)?.GLACCOUNTNO ?? "4000",
              ITEMID: l.item,
              AMOUNT: l.amount.toFixed(2),
              ENTRYDESCRIPTION: `${l.qty} x ${l.item}`,
              LOCATIONID: s.loc,
              DEPARTMENTID: s.dept,
              CLASSID: s.cls,
            })),
          },
        },
        auditTimestamp(when + 3_700_000),
      ),
    );
  }

  const udds = Object.fromEntries(
    USER_DIMENSIONS.map((d) => [d.objectName, d.values.map(([id, name, status]) => stamp({ ID: id, NAME: name, STATUS: status }))]),
  );
  const userDimensions = USER_DIMENSIONS.map((d) => ({ objectName: d.objectName, objectLabel: d.label, termLabel: d.label }));

  const company: Company = {
    companyId: DEMO.companyId,
    senders: [DEMO.senderId],
    users: { [DEMO.userId]: { password: DEMO.userPassword } },
    records: {
      GLACCOUNT,
      DEPARTMENT,
      LOCATION,
      CLASS,
      PROJECT,
      ITEM,
      EMPLOYEE,
      GLJOURNAL,
      VENDOR,
      CUSTOMER,
      SODOCUMENT,
      ARINVOICE,
      GLBATCH: [],
      APBILL: [],
      APADJUSTMENT: [],
      ARADJUSTMENT: [],
      PODOCUMENT: [],
      AUDITHISTORY: [],
      ...udds,
    },
    nextRecordNo: 1000,
    counters: { GLBATCH: 0, PO: 0 },
    closedPeriods: [],
    baseCurrency: "USD",
    userDimensions,
  };

  // The multi-entity company: entities US and UK (locations whose children post to them), the same
  // chart, journals, departments, vendors and customers (shared by both entities), the same UDDs.
  // Transactions are entered at an entity, never at the top level.
  const ENTITY_LOCATIONS = (
    [
      ["US", "Ledgerline Inc. (US)", "", address("1701 California St", "Denver", "CO", "80202")],
      ["US-CA", "San Francisco, CA", "US", address("1 Market St", "San Francisco", "CA", "94105")],
      ["UK", "Ledgerline Ltd (UK)", "", { ADDRESS1: "1 Poultry", ADDRESS2: "", CITY: "London", STATE: "", ZIP: "EC2R 8EJ", COUNTRY: "United Kingdom", COUNTRYCODE: "GB" }],
      ["UK-LON", "London", "UK", { ADDRESS1: "1 Poultry", ADDRESS2: "", CITY: "London", STATE: "", ZIP: "EC2R 8EJ", COUNTRY: "United Kingdom", COUNTRYCODE: "GB" }],
    ] as const
  ).map(([id, name, parent, mail]) => stamp({ LOCATIONID: id, NAME: name, PARENTID: parent, STATUS: "active", CONTACTINFO: contact(name, "", "555-0100", mail) }));
  const global: Company = {
    companyId: DEMO.multiEntityCompanyId,
    senders: [DEMO.senderId],
    users: { [DEMO.userId]: { password: DEMO.userPassword }, [DEMO.ukUserId]: { password: DEMO.userPassword, entityId: "UK" } },
    records: {
      ...structuredClone({ GLACCOUNT, DEPARTMENT, CLASS, ITEM, EMPLOYEE, GLJOURNAL, VENDOR, CUSTOMER }),
      LOCATION: ENTITY_LOCATIONS,
      PROJECT: [],
      SODOCUMENT: [],
      ARINVOICE: [],
      GLBATCH: [],
      APBILL: [],
      APADJUSTMENT: [],
      ARADJUSTMENT: [],
      PODOCUMENT: [],
      AUDITHISTORY: [],
      ...structuredClone(udds),
    },
    nextRecordNo: 1000,
    counters: { GLBATCH: 0, PO: 0 },
    closedPeriods: [],
    baseCurrency: "USD",
    userDimensions: structuredClone(userDimensions),
    entities: ["US", "UK"],
    entityRequired: true,
  };
  return {
    senders: { [DEMO.senderId]: { password: DEMO.senderPassword } },
    companies: { [DEMO.companyId]: company, [global.companyId]: global },
  };
}

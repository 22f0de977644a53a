/**
 * Seeded demo data: one company per region. The US company (division 1001) sells software
 * licences, implementation and support to customers in Washington, California, New York and
 * Texas (real-looking street addresses, for sales tax calculation) and in Europe. Every division
 * has a chart of accounts with tax liability accounts per state, cost centers, cost units, VAT
 * codes, journals, items, customers with addresses and a few months of sales invoices.
 */
import { DEMO } from "./demo";
import { odataDate, type Row } from "./odata";
import {
  createInvoice,
  padAccountCode,
  padVatCode,
  stableGuid,
  type App,
  type DivisionData,
  type RegionData,
  type RegionKey,
  type User,
} from "./store";

export const DEMO_APP: App = {
  clientId: DEMO.clientId,
  secret: DEMO.clientSecret,
  webhookSecret: DEMO.webhookSecret,
  name: "Ledgerline (sandbox)",
};

const COMPANY: Record<RegionKey, { name: string; country: string; currency: string }> = {
  us: { name: "Ledgerline Demo Inc.", country: "US", currency: "USD" },
  nl: { name: "Ledgerline Demo B.V.", country: "NL", currency: "EUR" },
  be: { name: "Ledgerline Demo BV (België)", country: "BE", currency: "EUR" },
  uk: { name: "Ledgerline Demo Ltd", country: "GB", currency: "GBP" },
  de: { name: "Ledgerline Demo GmbH", country: "DE", currency: "EUR" },
  fr: { name: "Ledgerline Demo SAS", country: "FR", currency: "EUR" },
  es: { name: "Ledgerline Demo S.L.", country: "ES", currency: "EUR" },
};

const DIVISION_OF: Record<RegionKey, number> = {
  us: DEMO.divisions.US,
  nl: DEMO.divisions.NL,
  be: DEMO.divisions.BE,
  uk: DEMO.divisions.UK,
  de: DEMO.divisions.DE,
  fr: DEMO.divisions.FR,
  es: DEMO.divisions.ES,
};

// code, description, balance side, balance type, use cost center (0 optional, 1 mandatory, 2 no)
const GL: [string, string, "D" | "C", "B" | "W", number?][] = [
  ["1000", "Cash on hand", "D", "B"],
  ["1010", "Operating bank account", "D", "B"],
  ["1020", "Payroll bank account", "D", "B"],
  ["1030", "Savings account", "D", "B"],
  ["1100", "Accounts receivable", "D", "B"],
  ["1110", "Allowance for doubtful accounts", "C", "B"],
  ["1200", "Inventory", "D", "B"],
  ["1300", "Prepaid expenses", "D", "B"],
  ["1310", "Prepaid insurance", "D", "B"],
  ["1400", "VAT receivable", "D", "B"],
  ["1500", "Office equipment", "D", "B"],
  ["1510", "Accumulated depreciation - equipment", "C", "B"],
  ["1520", "Computer hardware", "D", "B"],
  ["1530", "Accumulated depreciation - hardware", "C", "B"],
  ["1600", "Capitalised software", "D", "B"],
  ["1610", "Accumulated amortisation - software", "C", "B"],
  ["1700", "Security deposits", "D", "B"],
  ["2000", "Accounts payable", "C", "B"],
  ["2010", "Accrued expenses", "C", "B"],
  ["2020", "Accrued payroll", "C", "B"],
  ["2100", "Deferred revenue", "C", "B"],
  ["2200", "Sales tax payable - Washington", "C", "B"],
  ["2210", "Sales tax payable - California", "C", "B"],
  ["2220", "Sales tax payable - New York", "C", "B"],
  ["2230", "Sales tax payable - Texas", "C", "B"],
  ["2240", "Sales tax payable - other states", "C", "B"],
  ["2250", "Local sales tax payable (city/county)", "C", "B"],
  ["2299", "Sales tax payable - old (do not use)", "C", "B"],
  ["2300", "VAT payable", "C", "B"],
  ["2310", "VAT payable - reverse charge", "C", "B"],
  ["2400", "Payroll taxes payable", "C", "B"],
  ["2410", "Federal income tax withheld", "C", "B"],
  ["2420", "State income tax withheld", "C", "B"],
  ["2500", "Credit card payable", "C", "B"],
  ["2600", "Line of credit", "C", "B"],
  ["2700", "Long-term loan", "C", "B"],
  ["3000", "Share capital", "C", "B"],
  ["3100", "Retained earnings", "C", "B"],
  ["3200", "Current year result", "C", "B"],
  ["4000", "Revenue - software licences", "C", "W"],
  ["4010", "Revenue - implementation services", "C", "W", 1],
  ["4020", "Revenue - support and maintenance", "C", "W"],
  ["4030", "Revenue - training", "C", "W"],
  ["4090", "Sales discounts", "D", "W"],
  ["4100", "Sales tax collected - clearing", "C", "B"],
  ["5000", "Cost of sales - licences", "D", "W"],
  ["5010", "Cost of sales - hosting", "D", "W"],
  ["5020", "Cost of sales - subcontractors", "D", "W"],
  ["6000", "Salaries and wages", "D", "W", 0],
  ["6010", "Payroll taxes", "D", "W"],
  ["6020", "Employee benefits", "D", "W"],
  ["6030", "Contractors", "D", "W"],
  ["6100", "Rent", "D", "W"],
  ["6110", "Utilities", "D", "W"],
  ["6120", "Office supplies", "D", "W"],
  ["6130", "Repairs and maintenance", "D", "W"],
  ["6200", "Travel", "D", "W"],
  ["6210", "Meals and entertainment", "D", "W"],
  ["6300", "Advertising", "D", "W"],
  ["6310", "Trade shows", "D", "W"],
  ["6400", "Software subscriptions", "D", "W"],
  ["6410", "Telephone and internet", "D", "W"],
  ["6500", "Legal fees", "D", "W"],
  ["6510", "Accounting and audit fees", "D", "W"],
  ["6520", "Consulting fees", "D", "W"],
  ["6600", "Insurance", "D", "W"],
  ["6700", "Depreciation", "D", "W"],
  ["6710", "Amortisation", "D", "W"],
  ["6800", "Bank charges", "D", "W"],
  ["6810", "Payment processing fees", "D", "W"],
  ["6900", "Bad debt expense", "D", "W"],
  ["7000", "Interest income", "C", "W"],
  ["7100", "Interest expense", "D", "W"],
  ["7200", "Foreign exchange gains and losses", "D", "W"],
  ["8000", "Income tax expense", "D", "W"],
  ["9999", "Suspense account", "D", "B"],
];

const CUSTOMERS: {
  code: string;
  name: string;
  email: string;
  visit: [string, string, string, string, string];
  invoice?: [string, string, string, string, string];
  regionOnly?: RegionKey;
}[] = [
  { code: "C1001", name: "Cascade Analytics LLC", email: "ap@cascade-analytics.example", visit: ["1301 2nd Ave", "Seattle", "WA", "98101", "US"], invoice: ["PO Box 21877", "Seattle", "WA", "98111", "US"] },
  { code: "C1002", name: "Pacific Ledger Partners", email: "billing@pacificledger.example", visit: ["500 Howard St", "San Francisco", "CA", "94105", "US"] },
  { code: "C1003", name: "Hudson Freight Co.", email: "payables@hudsonfreight.example", visit: ["120 Broadway", "New York", "NY", "10271", "US"] },
  { code: "C1004", name: "Lone Star Components Inc.", email: "ap@lonestarcomponents.example", visit: ["600 Congress Ave", "Austin", "TX", "78701", "US"] },
  { code: "C1005", name: "Rainier Outdoor Supply", email: "accounts@rainieroutdoor.example", visit: ["1102 A St", "Tacoma", "WA", "98402", "US"] },
  { code: "C1006", name: "Golden Gate Dental Group", email: "office@ggdental.example", visit: ["2100 Webster St", "San Francisco", "CA", "94115", "US"] },
  { code: "C2001", name: "Van Dijk Distributie B.V.", email: "crediteuren@vandijk.example", visit: ["Keizersgracht 62", "Amsterdam", "", "1015 CS", "NL"] },
  { code: "C2002", name: "Brasserie Lemaire SA", email: "compta@lemaire.example", visit: ["Rue Royale 120", "Bruxelles", "", "1000", "BE"] },
  { code: "C2003", name: "Thornbury Trading Ltd", email: "accounts@thornbury.example", visit: ["10 King Street", "Manchester", "", "M2 6AZ", "GB"] },
  { code: "C2004", name: "Müller Maschinenbau GmbH", email: "buchhaltung@mueller-mb.example", visit: ["Leopoldstraße 8", "München", "", "80802", "DE"] },
  { code: "C2005", name: "Atelier Moreau SARL", email: "factures@ateliermoreau.example", visit: ["12 Rue de Rivoli", "Paris", "", "75004", "FR"] },
  { code: "C2006", name: "Distribuciones Iberia S.L.", email: "facturas@iberia-dist.example", visit: ["Calle de Alcalá 45", "Madrid", "", "28014", "ES"] },
];

const ITEMS: { code: string; description: string; price: number; gl: string; vat: string }[] = [
  { code: "LIC-STD", description: "Ledgerline Standard licence (annual)", price: 4800, gl: "4000", vat: "0" },
  { code: "LIC-PRO", description: "Ledgerline Professional licence (annual)", price: 12000, gl: "4000", vat: "0" },
  { code: "SVC-IMPL", description: "Implementation services (hour)", price: 175, gl: "4010", vat: "0" },
  { code: "SUP-ANN", description: "Premium support (annual)", price: 2400, gl: "4020", vat: "0" },
  { code: "TRN-DAY", description: "On-site training (day)", price: 1500, gl: "4030", vat: "0" },
];

function seedDivision(region: RegionKey, code: number, name: string, country: string, currency: string, now: number): DivisionData {
  const id = (...parts: (string | number)[]) => stableGuid(region, code, ...parts);
  const div: DivisionData = {
    code,
    region,
    description: name,
    country,
    currency,
    ts: 1000,
    nextInvoiceNumber: 26100001,
    nextEntryNumber: 26900001,
    accounts: [],
    addresses: [],
    items: [],
    glAccounts: [],
    costCenters: [],
    costUnits: [],
    vatCodes: [],
    journals: [],
    invoices: [],
    entries: [],
    subscriptions: [],
    deleted: [],
    closedPeriods: [],
    rate: new Map(),
  };
  const stamp = (row: Row): Row => {
    div.ts += 1;
    row._ts = div.ts;
    row.Division = code;
    return row;
  };
  const seededAt = odataDate(now - 400 * 86_400_000);
  for (const [glCode, description, side, type, useCc] of GL) {
    div.glAccounts.push(
      stamp({
        ID: id("gl", glCode),
        Code: glCode,
        Description: description,
        BalanceSide: side,
        BalanceType: type,
        Type: type === "B" ? 20 : 110,
        VATCode: null,
        UseCostcenter: useCc ?? 0,
        UseCostunit: 0,
        IsBlocked: glCode === "2299",
        Costcenter: null,
        Costunit: null,
        Created: seededAt,
        Modified: seededAt,
      }),
    );
  }
  const glId = (c: string) => id("gl", c);
  for (const [ccCode, description, ended] of [
    ["100", "Sales US West", false],
    ["110", "Sales US East", false],
    ["120", "Sales US South", false],
    ["200", "Sales Europe", false],
    ["300", "Customer support", false],
    ["400", "Professional services", false],
    ["900", "Corporate", false],
    ["950", "Closed: 2023 trade show", true],
  ] as const) {
    div.costCenters.push(
      stamp({ ID: id("cc", ccCode), Code: ccCode, Description: description, EndDate: ended ? odataDate(now - 300 * 86_400_000) : null, Created: seededAt, Modified: seededAt }),
    );
  }
  for (const [cuCode, description] of [
    ["LIC", "Licences"],
    ["SVC", "Services"],
    ["SUP", "Support"],
  ]) {
    div.costUnits.push(stamp({ ID: id("cu", cuCode), Code: cuCode, Description: description, EndDate: null, Created: seededAt, Modified: seededAt }));
  }
  for (const [vatCode, description, pct, type, toPay, blocked] of [
    ["0", "No sales tax / VAT", 0, "N", null, false],
    ["1", "Sales tax exempt (resale certificate)", 0, "N", null, false],
    ["2", "VAT high 21%", 0.21, "E", "2300", false],
    ["3", "VAT reverse charge (EU)", 0, "E", "2310", false],
    ["4", "VAT 20% (UK standard)", 0.2, "E", "2300", false],
    ["5", "VAT 19% (DE standard)", 0.19, "E", "2300", false],
    ["9", "Old VAT rate (blocked)", 0.19, "E", "2300", true],
  ] as const) {
    div.vatCodes.push(
      stamp({
        ID: id("vat", vatCode),
        Code: padVatCode(vatCode),
        Description: description,
        Percentage: pct,
        Type: type,
        VATTransactionType: "S",
        GLToPay: toPay ? glId(toPay) : null,
        GLToClaim: glId("1400"),
        IsBlocked: blocked,
        Created: seededAt,
        Modified: seededAt,
      }),
    );
  }
  for (const [jCode, description, type, allowVat, blocked] of [
    ["70", "Sales journal", 20, true, false],
    ["20", "Operating bank", 12, false, false],
    ["60", "Purchase journal", 22, true, false],
    ["90", "General journal", 90, false, false],
    ["91", "General journal with VAT", 90, true, false],
    ["99", "Old memorial (blocked)", 90, false, true],
  ] as const) {
    div.journals.push(
      stamp({
        ID: id("journal", jCode),
        Code: jCode,
        Description: description,
        Type: type,
        AllowVAT: allowVat,
        // The general journal takes entries in any currency (AmountFC with ExchangeRate).
        AllowVariableCurrency: jCode === "90",
        Currency: currency,
        GLAccount: type === 12 ? glId("1010") : null,
        IsBlocked: blocked,
        Created: seededAt,
        Modified: seededAt,
      }),
    );
  }
  for (const item of ITEMS) {
    div.items.push(
      stamp({
        ID: id("item", item.code),
        Code: item.code,
        Description: item.description,
        IsSalesItem: true,
        IsPurchaseItem: false,
        IsStockItem: false,
        SalesVatCode: padVatCode(region === "us" ? item.vat : region === "uk" ? "4" : region === "de" ? "5" : "2"),
        GLRevenue: glId(item.gl),
        GLCosts: glId("5000"),
        Unit: "pc",
        Created: seededAt,
        Modified: seededAt,
        _price: item.price,
      }),
    );
  }
  for (const c of CUSTOMERS) {
    const accountId = id("account", c.code);
    const [line1, city, state, postcode, ctry] = c.visit;
    div.accounts.push(
      stamp({
        ID: accountId,
        Code: padAccountCode(c.code.replace(/^C/, "")),
        Name: c.name,
        Email: c.email,
        VATNumber: ctry === "US" ? null : `${ctry}${String(code).padStart(9, "0")}B01`,
        AddressLine1: line1,
        AddressLine2: null,
        AddressLine3: null,
        Postcode: postcode,
        City: city,
        State: state || null,
        Country: ctry,
        Status: "C",
        IsSales: true,
        IsSupplier: false,
        Blocked: false,
        SalesVATCode: padVatCode(ctry === "US" ? "0" : "3"),
        Created: seededAt,
        Modified: seededAt,
      }),
    );
    const address = (type: number, parts: [string, string, string, string, string]) =>
      stamp({
        ID: id("address", c.code, type),
        Account: accountId,
        Type: type,
        Main: true,
        AddressLine1: parts[0],
        AddressLine2: null,
        AddressLine3: null,
        Postcode: parts[3],
        City: parts[1],
        State: parts[2] || null,
        Country: parts[4],
        Created: seededAt,
        Modified: seededAt,
      });
    div.addresses.push(address(1, c.visit));
    if (c.invoice) div.addresses.push(address(3, c.invoice));
  }
  // A few months of invoices, oldest first so Timestamp follows Modified.
  const customer = (c: string) => id("account", c);
  const plan: [string, number, [string, number][], number][] = [
    ["C1001", 75, [["LIC-PRO", 1], ["SVC-IMPL", 24]], 50],
    ["C1002", 62, [["LIC-STD", 3]], 50],
    ["C2001", 55, [["LIC-STD", 1], ["SUP-ANN", 1]], 50],
    ["C1003", 41, [["LIC-PRO", 2], ["TRN-DAY", 2]], 20],
    ["C1004", 30, [["LIC-STD", 2], ["SUP-ANN", 2]], 20],
    ["C2004", 21, [["SVC-IMPL", 40]], 20],
    ["C1005", 12, [["LIC-STD", 1]], 20],
    ["C2003", 6, [["TRN-DAY", 1]], 20],
    ["C1006", 2, [["LIC-STD", 1], ["SVC-IMPL", 8]], 10],
  ];
  for (const [cust, daysAgo, lines, status] of plan) {
    const when = now - daysAgo * 86_400_000;
    const day = new Date(when).toISOString().slice(0, 10);
    const invoice = createInvoice(
      div,
      {
        InvoiceTo: customer(cust),
        InvoiceDate: day,
        Description: `${lines.map(([c]) => c).join(" + ")} for ${CUSTOMERS.find((c) => c.code === cust)!.name}`,
        YourRef: `PO-${(daysAgo * 7919) % 100000}`,
        Status: status,
        SalesInvoiceLines: lines.map(([itemCode, qty]) => ({ ItemCode: itemCode, Quantity: qty })),
      },
      when,
    );
    invoice.Created = odataDate(when);
  }
  return div;
}

export function seedRegion(region: RegionKey, now: number): RegionData {
  const company = COMPANY[region];
  const divisions = new Map<number, DivisionData>();
  const main = seedDivision(region, DIVISION_OF[region], company.name, company.country, company.currency, now);
  divisions.set(main.code, main);
  const users = new Map<string, User>();
  const userId = stableGuid(region, "user", DEMO.user.email);
  users.set(userId, { id: userId, email: DEMO.user.email, name: DEMO.user.name, divisions: [main.code], current: main.code });
  if (region === "us") {
    // A second company of the demo user, with its own ledgers (the same chart and customers).
    const second = seedDivision(region, DEMO.usSecondDivision, `${company.name.replace(/ Inc\.$/, "")} West Inc.`, company.country, company.currency, now);
    divisions.set(second.code, second);
    users.get(userId)!.divisions.push(second.code);
    // A division on the same licence the demo user has no rights to (403 WrongDivision).
    const other = seedDivision(region, DEMO.forbiddenDivision, "Ledgerline Holdings Inc. (no access)", "US", "USD", now);
    divisions.set(other.code, other);
  }
  return {
    key: region,
    divisions,
    users,
    codes: new Map(),
    pairs: new Map(),
    byAccess: new Map(),
    byRefresh: new Map(),
    chains: new Map(),
    tokenCalls: new Map(),
    errors: new Map(),
  };
}

/**
 * Seeded sandbox state: accounts (account id + license key, and a user), their companies with
 * nexus, customer exemption certificates, and the stored transactions.
 */
import type { SandboxCertificate, SandboxCustomer } from "./customers";
import type { TaxCodeDefinition } from "./taxCodes";
import type { TransactionModel } from "./wire";

export interface SandboxUser {
  id: number;
  userName: string;
  password: string;
}

export interface SandboxCompany {
  id: number;
  companyCode: string;
  name: string;
  isDefault: boolean;
  /** US states with nexus (tax is zero elsewhere in the USA). */
  nexus: string[];
  /** Countries outside the USA where the company collects VAT/GST. */
  vatCountries: string[];
  /** Customer records (exemption certificate management), by customerCode. */
  customers: SandboxCustomer[];
  /** Exemption certificates, each linked to customers and exempting them in one state. */
  certificates: SandboxCertificate[];
  /** The company's own tax codes (each taxed like its parent system code). */
  taxCodes: Array<TaxCodeDefinition & { parentTaxCode: string }>;
}

export interface SandboxAccount {
  accountId: string;
  licenseKey: string;
  name: string;
  crmid: string;
  users: SandboxUser[];
  companies: SandboxCompany[];
}

export interface StoredDocument {
  accountId: string;
  transaction: TransactionModel;
  /** Earlier versions replaced by createoradjust (kept for inspection). */
  history: TransactionModel[];
  /** Set on a ReturnInvoice made by RefundTransaction: the refunded document. */
  refundOf?: { code: string; type: string; refundType: string };
}

export interface SandboxState {
  accounts: SandboxAccount[];
  /** Key: `${companyId}|${code}|${type}`. Order types are never stored. */
  documents: Map<string, StoredDocument>;
  nextTransactionId: number;
  nextLineId: number;
  /** Every create/adjust/commit/void the sandbox applied, in order (for tests and inspection). */
  log: Array<{ at: string; operation: string; companyCode: string; code: string; type: string; status: string }>;
}

export const DEMO = {
  accountId: "2000134479",
  licenseKey: "A1B2C3D4E5F60718",
  userName: "finance.demo@ledgerline.example",
  password: "Sandbox-Pass-2024!",
  companyCode: "DEFAULT",
  secondAccountId: "2000998877",
  secondLicenseKey: "F9E8D7C6B5A40312",
} as const;

const SEEDED = "2024-01-02T00:00:00";

function demoCustomer(id: number, companyId: number, customerCode: string, name: string, line1: string, city: string, region: string, postalCode: string): SandboxCustomer {
  return {
    id, companyId, customerCode, alternateId: "", name, attnName: "", line1, line2: "", city, region, postalCode, country: "US", phoneNumber: "", faxNumber: "",
    emailAddress: "", contactName: "", taxpayerIdNumber: "", isBill: true, isShip: true, createdDate: SEEDED, modifiedDate: SEEDED,
  };
}

function demoCertificate(id: number, companyId: number, customerCode: string, exemptionNumber: string, reason: string, reasonId: number, region: string, state: string): SandboxCertificate {
  return {
    id, companyId, signedDate: "2024-01-01", expirationDate: "2030-12-31", exemptionNumber, exemptPercentage: 0, exemptionReason: { id: reasonId, name: reason },
    exposureZone: { id: 100, name: state, region, country: "US" }, valid: true, status: "COMPLETE", customerCodes: [customerCode], createdDate: SEEDED, modifiedDate: SEEDED,
  };
}

export function seedState(): SandboxState {
  return {
    accounts: [
      {
        accountId: DEMO.accountId,
        licenseKey: DEMO.licenseKey,
        name: "Ledgerline Demo Software Inc.",
        crmid: "1111",
        users: [{ id: 54321, userName: DEMO.userName, password: DEMO.password }],
        companies: [
          {
            id: 7654321,
            companyCode: "DEFAULT",
            name: "Ledgerline Demo Software Inc.",
            isDefault: true,
            nexus: ["WA", "CA", "NY", "TX", "IL", "CO"],
            vatCountries: ["CA", "GB", "DE", "NL", "BE", "FR", "ES"],
            customers: [
              demoCustomer(3000001, 7654321, "CUST-RESELLER-TX", "Lone Star Resellers", "600 Congress Ave", "Austin", "TX", "78701"),
              demoCustomer(3000002, 7654321, "CUST-HOSPITAL-NY", "St. Vincent Hospital", "170 W 12th St", "New York", "NY", "10011"),
            ],
            certificates: [
              demoCertificate(40001, 7654321, "CUST-RESELLER-TX", "TX-RESALE-0042", "RESALE", 7, "TX", "Texas"),
              demoCertificate(40002, 7654321, "CUST-HOSPITAL-NY", "NY-ST119-7781", "CHARITABLE/EXEMPT ORG", 5, "NY", "New York"),
            ],
            taxCodes: [{ taxCode: "LL-SUPPORT", description: "Ledgerline support plan (company tax code)", taxCodeTypeId: "S", parentTaxCode: "SC150100" }],
          },
          {
            id: 7654322,
            companyCode: "LEDGERLINE-WEST",
            name: "Ledgerline West Coast Distribution LLC",
            isDefault: false,
            nexus: ["WA", "CA"],
            vatCountries: [],
            customers: [],
            certificates: [],
            taxCodes: [],
          },
        ],
      },
      {
        accountId: DEMO.secondAccountId,
        licenseKey: DEMO.secondLicenseKey,
        name: "Other Tenant Ltd.",
        crmid: "2222",
        users: [],
        companies: [
          {
            id: 8800001,
            companyCode: "OTHER",
            name: "Other Tenant Ltd.",
            isDefault: true,
            nexus: ["NY"],
            vatCountries: [],
            customers: [],
            certificates: [],
            taxCodes: [],
          },
        ],
      },
    ],
    documents: new Map(),
    nextTransactionId: 85000001,
    nextLineId: 910000001,
    log: [],
  };
}

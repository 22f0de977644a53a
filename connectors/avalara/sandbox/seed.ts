/**
 * Seeded sandbox state: accounts (account id + license key, and a user), their companies with
 * nexus, customer exemption certificates, and the stored transactions.
 */
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
  /** Exemption certificates by customer code: the states where the customer is exempt. */
  certificates: Record<string, { exemptionNo: string; regions: string[]; reason: string }>;
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
            certificates: {
              "CUST-RESELLER-TX": { exemptionNo: "TX-RESALE-0042", regions: ["TX"], reason: "Resale" },
              "CUST-HOSPITAL-NY": { exemptionNo: "NY-ST119-7781", regions: ["NY"], reason: "Charitable organization" },
            },
          },
          {
            id: 7654322,
            companyCode: "LEDGERLINE-WEST",
            name: "Ledgerline West Coast Distribution LLC",
            isDefault: false,
            nexus: ["WA", "CA"],
            vatCountries: [],
            certificates: {},
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
            certificates: {},
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

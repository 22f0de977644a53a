/**
 * Avalara connection fields. Non-secret config is stored as jsonb and shown in the browser;
 * secrets (license key, password) are encrypted at rest and redacted everywhere.
 * https://developer.avalara.com/avatax/authentication-in-avatax/
 */
import { z } from "zod";

export const AVATAX_BASE_URLS = {
  sandbox: "https://sandbox-rest.avatax.com",
  production: "https://rest.avatax.com",
} as const;

export const avalaraConfig = z
  .object({
    environment: z
      .enum(["sandbox", "production", "custom"])
      .default("sandbox")
      .describe("Avalara's sandbox, production, or a custom base URL (e.g. the local Ledgerline sandbox)."),
    baseUrl: z
      .string()
      .url()
      .optional()
      .describe("Base URL when environment is 'custom', e.g. http://127.0.0.1:4102. Ignored otherwise."),
    appName: z.string().min(1).max(50).default("Ledgerline").describe("Application name sent in X-Avalara-Client."),
    appVersion: z.string().min(1).max(20).default("0.1").describe("Application version sent in X-Avalara-Client."),
    machineName: z
      .string()
      .min(1)
      .max(50)
      .default("ledgerline-worker")
      .describe("Machine name sent in X-Avalara-Client (Avalara uses it when tracing calls)."),
    timeoutMs: z.number().int().min(1_000).max(300_000).default(30_000).describe("Timeout for one AvaTax call, in milliseconds."),
    callsPerSecond: z
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(20)
      .describe("Calls per second to this AvaTax account, shared by every worker. Avalara publishes no limit: raise it for a backfill if the account allows; a 429 pauses the account for its Retry-After."),
  })
  .refine((c) => c.environment !== "custom" || Boolean(c.baseUrl), {
    message: "baseUrl is required when environment is 'custom'",
    path: ["baseUrl"],
  })
  .refine((c) => !c.appName.includes(";") && !c.appVersion.includes(";") && !c.machineName.includes(";"), {
    message: "appName, appVersion and machineName must not contain ';' (X-Avalara-Client separator)",
  });

export type AvalaraConfig = z.output<typeof avalaraConfig>;

export const avalaraSecrets = z
  .object({
    accountId: z.string().regex(/^\d+$/, "the account id is numeric").optional().describe("AvaTax account id (with the license key)."),
    licenseKey: z.string().min(1).optional().describe("AvaTax license key for the account id."),
    username: z.string().min(1).optional().describe("AvaTax user name (instead of account id + license key)."),
    password: z.string().min(1).optional().describe("AvaTax password for the user name."),
  })
  .refine((s) => Boolean(s.accountId && s.licenseKey) || Boolean(s.username && s.password), {
    message: "give an account id with a license key, or a user name with a password",
  });

export type AvalaraSecrets = z.output<typeof avalaraSecrets>;

export function resolveBaseUrl(config: AvalaraConfig): string {
  const url = config.environment === "custom" ? config.baseUrl! : AVATAX_BASE_URLS[config.environment];
  return url.replace(/\/+$/, "");
}

/** `X-Avalara-Client: {appName}; {appVersion}; {libraryName}; {libraryVersion}; {machineName}`. */
export const LIBRARY_NAME = "LedgerlineConnector";
export const LIBRARY_VERSION = "1.0";
export function clientHeader(config: AvalaraConfig): string {
  return [config.appName, config.appVersion, LIBRARY_NAME, LIBRARY_VERSION, config.machineName].join("; ");
}

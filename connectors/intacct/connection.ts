/** Connection fields of an Intacct connection: config (shown in the browser) and secrets (encrypted). */
import { z } from "zod";

export const GATEWAY_PATH = "/ia/xml/xmlgw.phtml";

export const intacctConfig = z.object({
  transport: z
    .enum(["xml", "rest", "both"])
    .default("xml")
    .describe(
      "XML gateway (sender and user login), REST (OAuth 2.0 client credentials), or both: REST for the objects it covers, the XML gateway for the rest.",
    ),
  restClientId: z
    .string()
    .optional()
    .describe("REST API client ID from the Sage app registry (REST and both). The user below signs in as userId@companyId[|entity]."),
  baseUrl: z
    .string()
    .url()
    .default("https://api.intacct.com")
    .describe("Gateway base URL. https://api.intacct.com for Sage Intacct, or the local sandbox's URL."),
  senderId: z.string().min(1).describe("Web Services sender ID (case sensitive), authorized in the company."),
  companyId: z.string().min(1).describe("Intacct company ID."),
  userId: z.string().min(1).describe("Web Services user ID."),
  entityId: z
    .string()
    .optional()
    .describe("Entity (location ID) for an entity-level session in a multi-entity company; empty for top level."),
  sessionLifetimeMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(50)
    .describe("Assumed session lifetime when the gateway does not report sessiontimeout."),
  sessionRenewMarginSeconds: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(120)
    .describe("Renew a session this long before it is due to expire."),
  pageSize: z.number().int().min(1).max(1000).default(1000).describe("readByQuery page size (1-1000)."),
  timeoutMs: z.number().int().min(1000).max(15 * 60_000).default(60_000).describe("Timeout of one gateway request."),
  writeBatchSize: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .describe("Writes sent together in one request at most (each function keeps its own controlid); 1 sends every write alone."),
  writeBatchWindowMs: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(5)
    .describe("How long a write waits for other writes of this connection to share its request, in ms."),
});
export type IntacctConfig = z.output<typeof intacctConfig>;

export const intacctSecrets = z.object({
  senderPassword: z.string().default("").describe("Web Services sender password (XML gateway and both)."),
  userPassword: z.string().default("").describe("Web Services user password (XML gateway and both)."),
  restClientSecret: z.string().optional().describe("REST API client secret (REST and both)."),
});
export type IntacctSecrets = z.output<typeof intacctSecrets>;

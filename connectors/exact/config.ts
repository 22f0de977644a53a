/**
 * Connection fields of an Exact Online connection.
 * - config (non-secret): region, the current division and any further divisions it serves, the
 *   app's client ID, and `baseUrl` for the sandbox.
 * - secrets: the app's client secret and webhook secret (both from the Exact App Center).
 * The token pair is not a field: the Connect button's OAuth flow keeps it in the connection state.
 */
import { z } from "zod";
import { checkSandboxUrl, regionSchema } from "./regions";

export const configSchema = z.object({
  region: regionSchema.describe(
    "Exact Online country the administration lives in (NL, BE, UK, DE, FR, ES, US): each is its own host, and tokens work in one only",
  ),
  division: z
    .number()
    .int()
    .positive()
    .describe("Division (administration) number, e.g. 123456: shown in Exact under the company name, or in system/Divisions"),
  divisions: z
    .array(z.number().int().positive())
    .max(100)
    .optional()
    .describe(
      "Further divisions this connection serves (the signed-in user must have access to each, see system/Divisions): a record names its division and is posted there; the division above is the default",
    ),
  clientId: z.string().min(1).describe("Client ID of the app registered in the Exact App Center"),
  baseUrl: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || checkSandboxUrl(v) === undefined, {
      message: "baseUrl may only point at the local sandbox (e.g. http://127.0.0.1:4103); leave it empty for Exact Online itself",
    })
    .describe("Local sandbox only (e.g. http://127.0.0.1:4103); leave empty to use the region's Exact Online host"),
});

export const secretsSchema = z.object({
  clientSecret: z.string().min(1).describe("Client secret of the Exact App Center app"),
  webhookSecret: z.string().optional().describe("Webhook secret of the app (App Center), used to verify HashCode on notifications"),
});

export type ExactConfig = z.output<typeof configSchema>;
export type ExactSecrets = z.output<typeof secretsSchema>;

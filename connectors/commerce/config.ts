/**
 * Connection fields for Adobe Commerce, and the deployment detection the connection form shows.
 *
 * Glossary
 * - PaaS:  Magento 2 / Adobe Commerce on-prem or on Cloud infrastructure. REST lives under
 *          `https://<host>/rest/<store_view_code>/V1/…`; auth is an OAuth 1.0a integration or an
 *          admin bearer token.
 * - SaaS:  Adobe Commerce as a Cloud Service ("ACCS"). REST lives under
 *          `https://<region>[-<env>].api.commerce.adobe.com/<tenant-id>/V1/…` with a `Store`
 *          header; auth is an Adobe IMS client-credentials token.
 * - store: the store view code (`default`); in the path on PaaS, in the `Store` header on SaaS.
 */
import { z } from "zod";

export const DEFAULT_IMS_TOKEN_URL = "https://ims-na1.adobelogin.com/ims/token/v3";
export const DEFAULT_IMS_SCOPES =
  "openid,AdobeID,email,profile,additional_info.roles,additional_info.projectedProductContext,commerce.accs";
export const DEFAULT_IO_EVENTS_KEY_HOST = "https://static.adobeioevents.com";

export const commerceConfig = z.object({
  baseUrl: z
    .string()
    .url()
    .describe(
      "Instance URL. PaaS: the store's base URL (https://shop.example.com, optionally with /rest/<store>). " +
        "SaaS: the REST base with the tenant id (https://na1.api.commerce.adobe.com/<tenant-id>).",
    ),
  deployment: z
    .enum(["auto", "paas", "saas"])
    .default("auto")
    .describe("auto detects from the URL: *.api.commerce.adobe.com/<tenant> is SaaS, anything else PaaS."),
  storeCode: z
    .string()
    .regex(/^[a-z0-9_]+$/i, "store view code: letters, digits and underscores")
    .default("default")
    .describe("Store view code: in the path on PaaS (/rest/<store>/V1), in the Store header on SaaS. 'all' cannot be read on PaaS.")
    .meta({ picker: "storeViews" }),
  paasAuth: z
    .enum(["oauth1", "adminToken"])
    .default("oauth1")
    .describe("PaaS only: OAuth 1.0a integration (recommended, never expires) or an admin user's bearer token (4 h, renewed on 401)."),
  imsClientId: z.string().optional().describe("SaaS, and Adobe I/O Events: the Developer Console project's client id (API key)."),
  imsOrgId: z.string().optional().describe("SaaS: IMS organisation id (sent as x-gw-ims-org-id when set)."),
  imsTokenUrl: z.string().url().default(DEFAULT_IMS_TOKEN_URL).describe("SaaS: IMS token endpoint."),
  imsScopes: z.string().default(DEFAULT_IMS_SCOPES).describe("SaaS: comma-separated scopes; must include commerce.accs."),
  adminUsername: z.string().optional().describe("PaaS admin-token auth: the admin user name."),
  ioEventsPublicKeys: z
    .array(z.string())
    .default([])
    .describe("Adobe I/O Events: PEM public keys to verify x-adobe-digital-signature-1/-2. When none verifies, keys are fetched from the key host by the header's path."),
  ioEventsKeyHost: z
    .string()
    .url()
    .default(DEFAULT_IO_EVENTS_KEY_HOST)
    .describe("Adobe I/O Events: where x-adobe-public-key1-path / key2-path are served."),
  webhookPublicKey: z
    .string()
    .optional()
    .describe("Commerce webhooks: the PEM public key shown under Stores > Configuration > Adobe Services > Webhooks > Digital Signature."),
  pageSize: z.number().int().min(1).max(300).default(100).describe("searchCriteria page size for list calls (Magento's input limit caps it at 300)."),
  b2bBuyerEmail: z
    .string()
    .email()
    .optional()
    .describe(
      "B2B purchase orders: e-mail of a company user (the company admin sees every purchase order of the company). " +
        "Commerce lists purchase orders only in GraphQL and only to a signed-in company user.",
    ),
});
export type CommerceConfig = z.output<typeof commerceConfig>;

export const commerceSecrets = z.object({
  consumerKey: z.string().optional().describe("PaaS OAuth 1.0a: integration consumer key."),
  consumerSecret: z.string().optional().describe("PaaS OAuth 1.0a: integration consumer secret."),
  accessToken: z.string().optional().describe("PaaS OAuth 1.0a: integration access token."),
  accessTokenSecret: z.string().optional().describe("PaaS OAuth 1.0a: integration access token secret."),
  adminPassword: z.string().optional().describe("PaaS admin-token auth: the admin user's password."),
  imsClientSecret: z.string().optional().describe("SaaS: IMS client secret (OAuth Server-to-Server credential)."),
  b2bBuyerPassword: z.string().optional().describe("B2B purchase orders: the company user's password (for a customer token, 1 h)."),
});
export type CommerceSecrets = z.output<typeof commerceSecrets>;

export type Deployment = "paas" | "saas";

export interface DeploymentInfo {
  deployment: Deployment;
  /** Whether the URL decided it or the user's override did. */
  detected: boolean;
  /** REST root without the trailing `/V1`, e.g. `https://shop.example.com/rest/default` or `https://na1.api.commerce.adobe.com/<tenant>`. */
  restBase: string;
  /** Store view code: path segment on PaaS, `Store` header on SaaS. */
  storeCode: string;
  /** SaaS tenant id. */
  tenantId?: string;
  /** GraphQL endpoint: `<origin>/graphql` (PaaS, store in the `Store` header) or `<restBase>/graphql` (SaaS). */
  graphqlUrl: string;
  /** One line for the connection page. */
  label: string;
}

const SAAS_HOST = /^[a-z0-9]+(-[a-z0-9]+)?\.api\.commerce\.adobe\.com$/i;

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, "").replace(/^\/+/, "");
}

/**
 * Tell PaaS from SaaS from the instance URL and derive the REST root. Adobe documents the two URL
 * shapes but no detection rule, so `override` wins whenever the user sets it.
 * https://developer.adobe.com/commerce/webapi/rest/ (PaaS) and
 * https://developer.adobe.com/commerce/webapi/rest/ accs-intro (SaaS)
 */
export function detectDeployment(
  baseUrl: string,
  override: "auto" | Deployment = "auto",
  storeCode = "default",
): DeploymentInfo {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`"${baseUrl}" is not a URL`);
  }
  const origin = url.origin;
  const segments = trimSlashes(url.pathname)
    .split("/")
    .filter((s) => s.length > 0);
  // A pasted endpoint (…/V1 or …/V1/orders) is cut back to the REST root.
  const v1 = segments.findIndex((s) => s === "V1");
  const path = v1 >= 0 ? segments.slice(0, v1) : segments;

  const looksSaas = SAAS_HOST.test(url.hostname) && path.length >= 1 && path[0] !== "rest";
  const deployment: Deployment = override === "auto" ? (looksSaas ? "saas" : "paas") : override;
  const detected = override === "auto";

  if (deployment === "saas") {
    const tenantId = path[0];
    if (!tenantId) throw new Error("a SaaS instance URL must end with the tenant id: https://<region>.api.commerce.adobe.com/<tenant-id>");
    const restBase = `${origin}/${path.join("/")}`;
    return {
      deployment,
      detected,
      restBase,
      graphqlUrl: `${restBase}/graphql`,
      storeCode,
      tenantId,
      label: `Adobe Commerce as a Cloud Service (tenant ${tenantId}, Store: ${storeCode})${detected ? "" : ", set by hand"}`,
    };
  }
  // PaaS: keep any prefix before /rest (stores installed under a folder); the store code in the
  // URL, when there is one, wins over the configured code.
  const restAt = path.indexOf("rest");
  const prefix = restAt >= 0 ? path.slice(0, restAt) : path;
  const urlStore = restAt >= 0 ? path[restAt + 1] : undefined;
  const store = urlStore ?? storeCode;
  const restBase = `${origin}${prefix.length ? `/${prefix.join("/")}` : ""}/rest/${store}`;
  return {
    deployment,
    detected,
    restBase,
    graphqlUrl: `${origin}${prefix.length ? `/${prefix.join("/")}` : ""}/graphql`,
    storeCode: store,
    label: `Adobe Commerce / Magento 2 (PaaS, store view ${store})${detected ? "" : ", set by hand"}`,
  };
}

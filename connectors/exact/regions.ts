/**
 * Exact Online regions. Each country is a separate deployment: the authorize URL, the token URL
 * and the REST API share one host per region, and a token issued on one host is refused by the
 * others. https://support.exactonline.com/community/s/knowledge-base#All-All-DNO-Content-getting-started
 *
 * A connection may override the host with `baseUrl` for the local sandbox only: the sandbox
 * serves every region under a path prefix (`/nl`, `/us`...), which the connector appends.
 */
import { z } from "zod";

export const REGIONS = {
  NL: { label: "Netherlands", baseUrl: "https://start.exactonline.nl", sandboxPath: "nl" },
  BE: { label: "Belgium", baseUrl: "https://start.exactonline.be", sandboxPath: "be" },
  UK: { label: "United Kingdom", baseUrl: "https://start.exactonline.co.uk", sandboxPath: "uk" },
  DE: { label: "Germany", baseUrl: "https://start.exactonline.de", sandboxPath: "de" },
  FR: { label: "France", baseUrl: "https://start.exactonline.fr", sandboxPath: "fr" },
  ES: { label: "Spain", baseUrl: "https://start.exactonline.es", sandboxPath: "es" },
  US: { label: "USA", baseUrl: "https://start.exactonline.com", sandboxPath: "us" },
} as const;

export type RegionCode = keyof typeof REGIONS;
export const REGION_CODES = Object.keys(REGIONS) as [RegionCode, ...RegionCode[]];
export const regionSchema = z.enum(REGION_CODES);

/**
 * Hosts a custom base URL may name. Why: the bearer token and client secret travel to this host,
 * so only a local sandbox (loopback, `*.localhost`, or a single-label service name such as
 * `sandboxes` inside a container network) may replace Exact's own hosts.
 */
export function isSandboxHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true;
  if (/^127\.\d+\.\d+\.\d+$/.test(host)) return true;
  return /^[a-z0-9-]+$/.test(host) && !/^\d+$/.test(host);
}

export function checkSandboxUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "baseUrl must be an absolute URL such as http://127.0.0.1:4103";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "baseUrl must use http or https";
  if (!isSandboxHost(url.hostname)) {
    return `baseUrl may only point at the local sandbox (localhost); for a real administration leave it empty and pick the region`;
  }
  return undefined;
}

/** The host all calls for a region go to: Exact's own host, or the sandbox's regional prefix. */
export function regionBaseUrl(region: RegionCode, sandboxBaseUrl?: string): string {
  if (!sandboxBaseUrl) return REGIONS[region].baseUrl;
  return `${sandboxBaseUrl.replace(/\/+$/, "")}/${REGIONS[region].sandboxPath}`;
}

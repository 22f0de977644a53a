/**
 * OAuth 1.0a request signing, exactly as Magento verifies it (HMAC-SHA256).
 *
 * What Magento signs (lib/internal/Magento/Framework/Oauth/Helper/Request.php and HmacSignature.php):
 * - the `oauth_*` Authorization header values except `oauth_signature` and `realm`;
 * - every query-string pair `k=v` (url-decoded; `+` is a space; a pair with a second `=` is dropped);
 * - form body pairs only for `application/x-www-form-urlencoded` (JSON bodies are never signed);
 * - each key and value RFC 3986-encoded, pairs sorted by encoded key in PHP natural order
 *   (`strnatcmp`, so `…%5B2%5D` sorts before `…%5B10%5D`), joined `k=v&…`;
 * - base string `METHOD&enc(scheme://host[:port]/path)&enc(pairs)`, key `enc(cs)&enc(ts)`.
 * https://developer.adobe.com/commerce/webapi/get-started/authentication/gs-authentication-oauth/
 */
import { createHmac, randomBytes } from "node:crypto";

/** PHP `rawurlencode`: RFC 3986, everything but ALPHA / DIGIT / `-._~` is percent-encoded. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * PHP's `strnatcmp` (ext/standard/strnatcmp.c): digit runs compare by value, runs starting with
 * `0` compare left-aligned, leading zeros at the start are skipped, whitespace is skipped.
 * Operates on bytes; our inputs are percent-encoded ASCII.
 */
export function strnatcmp(a: string, b: string): number {
  const aLen = a.length;
  const bLen = b.length;
  if (aLen === 0 || bLen === 0) return aLen === bLen ? 0 : aLen > bLen ? 1 : -1;
  let ai = 0;
  let bi = 0;
  let leading = true;
  const at = (s: string, i: number, len: number) => (i < len ? s.charCodeAt(i) : 0);
  for (;;) {
    let ca = at(a, ai, aLen);
    let cb = at(b, bi, bLen);
    while (leading && ca === 48 && ai + 1 < aLen && isDigit(a.charCodeAt(ai + 1))) ca = at(a, ++ai, aLen);
    while (leading && cb === 48 && bi + 1 < bLen && isDigit(b.charCodeAt(bi + 1))) cb = at(b, ++bi, bLen);
    leading = false;
    while (isSpace(ca)) ca = at(a, ++ai, aLen);
    while (isSpace(cb)) cb = at(b, ++bi, bLen);
    if (isDigit(ca) && isDigit(cb)) {
      const fractional = ca === 48 || cb === 48;
      let result = 0;
      if (fractional) {
        for (;; ai++, bi++) {
          const da = ai < aLen && isDigit(a.charCodeAt(ai));
          const db = bi < bLen && isDigit(b.charCodeAt(bi));
          if (!da && !db) break;
          if (!da) { result = -1; break; }
          if (!db) { result = 1; break; }
          const x = a.charCodeAt(ai);
          const y = b.charCodeAt(bi);
          if (x < y) { result = -1; break; }
          if (x > y) { result = 1; break; }
        }
      } else {
        let bias = 0;
        for (;; ai++, bi++) {
          const da = ai < aLen && isDigit(a.charCodeAt(ai));
          const db = bi < bLen && isDigit(b.charCodeAt(bi));
          if (!da && !db) { result = bias; break; }
          if (!da) { result = -1; break; }
          if (!db) { result = 1; break; }
          const x = a.charCodeAt(ai);
          const y = b.charCodeAt(bi);
          if (x < y && bias === 0) bias = -1;
          else if (x > y && bias === 0) bias = 1;
        }
      }
      if (result !== 0) return result;
      if (ai >= aLen && bi >= bLen) return 0;
      if (ai >= aLen) return -1;
      if (bi >= bLen) return 1;
      ca = a.charCodeAt(ai);
      cb = b.charCodeAt(bi);
    }
    if (ca < cb) return -1;
    if (ca > cb) return 1;
    ai++;
    bi++;
    if (ai >= aLen && bi >= bLen) return 0;
    if (ai >= aLen) return -1;
    if (bi >= bLen) return 1;
  }
}

export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
}

/** Scheme, host, non-default port and path; no query, no fragment. */
export function signatureBaseUrl(url: URL): string {
  const defaultPort = (url.protocol === "http:" && url.port === "80") || (url.protocol === "https:" && url.port === "443");
  const port = url.port && !defaultPort ? `:${url.port}` : "";
  return `${url.protocol}//${url.hostname.toLowerCase()}${port}${url.pathname}`;
}

/**
 * Query pairs as Magento reads them for the signature: split on `&`, keep pairs with exactly one
 * `=`, url-decode both sides (`+` is a space).
 */
export function signedQueryPairs(search: string): Array<[string, string]> {
  const query = search.startsWith("?") ? search.slice(1) : search;
  if (!query) return [];
  const out: Array<[string, string]> = [];
  for (const part of query.split("&")) {
    const pieces = part.split("=");
    if (pieces.length !== 2 || /oauth_[a-z_-]+/.test(pieces[0])) continue;
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    out.push([decode(pieces[0]), decode(pieces[1])]);
  }
  return out;
}

/** The base string Magento computes for this request. Later pairs with the same key win, as in a PHP array. */
export function signatureBaseString(method: string, url: URL, params: Array<[string, string]>): string {
  const encoded = new Map<string, string>();
  for (const [k, v] of params) encoded.set(rfc3986(k), rfc3986(v));
  const keys = [...encoded.keys()].sort(strnatcmp);
  const pairs = keys.map((k) => `${k}=${encoded.get(k)}`).join("&");
  return `${method.toUpperCase()}&${rfc3986(signatureBaseUrl(url))}&${rfc3986(pairs)}`;
}

export function hmacSha256Signature(baseString: string, consumerSecret: string, tokenSecret: string): string {
  return createHmac("sha256", `${rfc3986(consumerSecret)}&${rfc3986(tokenSecret)}`).update(baseString).digest("base64");
}

/**
 * Build the `Authorization: OAuth …` header for one request. `formBody` is given only for
 * `application/x-www-form-urlencoded` bodies (JSON bodies are not part of the signature).
 */
export function oauth1Header(
  creds: OAuth1Credentials,
  request: { method: string; url: string; formBody?: URLSearchParams },
  options: { timestamp: number; nonce?: string },
): string {
  const url = new URL(request.url);
  const oauth: Record<string, string> = {
    oauth_consumer_key: creds.consumerKey,
    oauth_nonce: options.nonce ?? randomBytes(16).toString("hex"),
    oauth_signature_method: "HMAC-SHA256",
    oauth_timestamp: String(Math.floor(options.timestamp / 1000)),
    oauth_token: creds.token,
    oauth_version: "1.0",
  };
  const params: Array<[string, string]> = [...Object.entries(oauth), ...signedQueryPairs(url.search)];
  if (request.formBody) for (const [k, v] of request.formBody) params.push([k, v]);
  const signature = hmacSha256Signature(signatureBaseString(request.method, url, params), creds.consumerSecret, creds.tokenSecret);
  const header = { ...oauth, oauth_signature: signature };
  return `OAuth ${Object.entries(header)
    .map(([k, v]) => `${rfc3986(k)}="${rfc3986(v)}"`)
    .join(",")}`;
}

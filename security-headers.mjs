/**
 * The security headers, in one place: next.config.js sends them on every response, and proxy.ts
 * sends each page its own Content-Security-Policy with a fresh script nonce (Next.js reads the
 * nonce from the request's policy and puts it on the scripts it renders).
 *
 * - CSP: our own origin only; scripts only with the page's nonce (and what those load:
 *   'strict-dynamic'); no framing (frame-ancestors 'none'), no plugins, forms and <base> to our
 *   origin. Styles may be inline (React Flow and the canvas set them per element). The dev server
 *   also needs eval (React's dev tooling) and its hot-reload websocket.
 * - X-Content-Type-Options nosniff, Referrer-Policy same-origin (URLs with ids stay in the app),
 *   X-Frame-Options DENY for older browsers, Cross-Origin-Opener-Policy, and no camera,
 *   microphone, geolocation or payment APIs.
 */

/** @param {{ dev: boolean, nonce?: string }} options */
export function contentSecurityPolicy({ dev, nonce }) {
  const scripts = nonce ? `'self' 'nonce-${nonce}' 'strict-dynamic'` : "'self'";
  return [
    "default-src 'self'",
    `script-src ${scripts}${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}

/** @param {boolean} dev */
export function securityHeaders(dev) {
  return [
    { key: "Content-Security-Policy", value: contentSecurityPolicy({ dev }) },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "same-origin" },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  ];
}

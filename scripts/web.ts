/**
 * The web app's server, as `npm start` (and `npm run dev`, and the browser tests) run it:
 * `node scripts/web.mjs [--dev]`, listening on PORT at HOST (db/env.ts).
 *
 * One HTTP server, one port: webhook deliveries (`/api/webhooks/<flow>/<node>`) are answered here
 * (app/server/webhook-intake.ts); every other request goes to Next.js, the production build or,
 * with --dev, the development server.
 *
 * SIGTERM or SIGINT: stop accepting connections, let the requests in flight finish (a delivery
 * being stored is answered), at most WEB_SHUTDOWN_GRACE_MS, then exit.
 */
import { createServer } from "node:http";

const dev = process.argv.includes("--dev");
// Set before Next.js loads, as `next start` and `next dev` do.
(process.env as Record<string, string>).NODE_ENV = dev ? "development" : "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
process.title = "ledgerline-web";
// Its log lines say service "web" (engine/logging.ts).
process.env.LEDGERLINE_WEB_SERVER = "1";

const WEB_SHUTDOWN_GRACE_MS = 10_000;

const { default: next } = await import("next");
const { env } = await import("../db/env");
const { errorFields, logger } = await import("../engine/logging");
const { serveWebhook, webhookAddress } = await import("../app/server/webhook-intake");

// The project is the working directory, as for `next start`.
const app = next({ dev, dir: process.cwd(), hostname: env.host, port: env.port });
await app.prepare();
const nextHandler = app.getRequestHandler();

let closing = false;
let inFlight = 0;
let drained: (() => void) | undefined;
const server = createServer((req, res) => {
  // While stopping, a kept-alive connection closes after the answer in flight.
  if (closing) res.shouldKeepAlive = false;
  inFlight++;
  res.once("close", () => {
    if (--inFlight === 0) drained?.();
  });
  const address = webhookAddress(req.url);
  if (address) void serveWebhook(req, res, address, { dev });
  else
    void nextHandler(req, res).catch((error: unknown) => {
      logger().error({ err: errorFields(error), path: req.url?.split("?")[0] }, "request failed");
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
});
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(env.port, env.host, () => resolve());
});
console.log(`[ledgerline] web app listening on http://${env.host}:${env.port}${dev ? " (development server)" : ""}`);

async function stop(signal: string) {
  if (closing) return;
  closing = true;
  logger().info({ signal, graceMs: WEB_SHUTDOWN_GRACE_MS }, "web app stopping: finishing requests in flight");
  setTimeout(() => process.exit(1), WEB_SHUTDOWN_GRACE_MS).unref();
  server.close();
  server.closeIdleConnections();
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  await app.close().catch(() => undefined);
  // What is left open is idle: kept-alive connections and the development server's hot-reload socket.
  server.closeAllConnections();
  process.exit(0);
}
process.once("SIGINT", () => void stop("SIGINT"));
process.once("SIGTERM", () => void stop("SIGTERM"));

/**
 * The webhook intake on a real HTTP server of its own (127.0.0.1, a free port), routed as
 * scripts/web.ts routes it; any other path answers 404 here, where the web server would hand it to Next.js.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { serveWebhook, webhookAddress, type IntakeOptions } from "../webhook-intake";

export interface Intake {
  baseUrl: string;
  close(): Promise<void>;
}

export async function startIntake(options: Partial<IntakeOptions> = {}): Promise<Intake> {
  const server = createServer((req, res) => {
    const address = webhookAddress(req.url);
    if (address) return void serveWebhook(req, res, address, { dev: false, ...options });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

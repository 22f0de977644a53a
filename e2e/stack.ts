/**
 * The whole product for browser tests: the test database (Vitest global setup), the sandboxes on
 * free ports, the demo workspace, a worker, the web app (its server on the production build when one exists, else
 * on the development server: e2e/web-app.ts) and headless Chromium driven by playwright-core.
 *
 * Started once for all browser tests (e2e/setup.ts); tests reach it through `inject("stack")`.
 */
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { chromiumPath } from "./chromium";
import { createDb } from "../db/client";
import { SANDBOX_SYSTEMS } from "../db/env";
import { createToken } from "../engine/auth/tokens";
import { findUserByEmail, setPassword } from "../engine/auth/users";
import { DEMO_USER, seedDemoWorkspace } from "../engine/demo/seed";
import { startWorker } from "../engine/worker/start";
import { startSandboxes } from "../scripts/sandboxes";
import { freePort } from "../db/free-port";
import { startMailbox } from "./mailbox";
import { startWebApp } from "./web-app";

/** The demo owner's password in browser tests (`npm start` generates one instead). */
export const E2E_DEMO_PASSWORD = "e2e-demo-owner-password";


export interface Stack {
  baseUrl: string;
  sandboxUrls: Record<string, string>;
  /** The demo owner: tests sign in as them through the sign-in page. */
  demo: { email: string; password: string };
  /** An owner API token of the demo workspace, for tests' own calls (Authorization: Bearer). */
  apiToken: string;
  /** Where the test SMTP server writes the mail it receives (e2e/mailbox.ts). */
  mailDir: string;
  stop(): Promise<void>;
}

export async function startStack(databaseUrl: string): Promise<Stack> {
  const ports: Record<string, number> = {};
  for (const system of SANDBOX_SYSTEMS) {
    ports[system] = await freePort();
    process.env[`${system.toUpperCase()}_SANDBOX_PORT`] = String(ports[system]);
  }
  const sandboxes = await startSandboxes();
  const sandboxUrls = Object.fromEntries(sandboxes.map((s) => [s.system, s.url]));
  const db = createDb(databaseUrl, { max: 4 });
  await seedDemoWorkspace(db, { sandboxUrls: sandboxUrls as Record<(typeof SANDBOX_SYSTEMS)[number], string> });
  const demoUser = (await findUserByEmail(db.sql, DEMO_USER.email))!;
  await setPassword(db, demoUser.id, E2E_DEMO_PASSWORD);
  const [demoWorkspace] = await db.sql<{ id: string }[]>`select id::text from workspaces where slug = 'demo'`;
  const token = await createToken(db, {
    workspaceId: demoWorkspace!.id,
    userId: demoUser.id,
    creatorRole: "owner",
    name: "browser tests",
    role: "owner",
    expiresInDays: 1,
    actor: { label: "browser tests", kind: "system" },
  });
  const mailbox = await startMailbox();
  const worker = await startWorker({ databaseUrl, concurrency: 2, pollInterval: 250 });
  // CI builds first and sets LEDGERLINE_E2E_BUILD=1; otherwise a dev server in a folder of its own
  // runs the current code (and does not collide with another dev server).
  const web = await startWebApp({
    databaseUrl,
    port: await freePort(),
    useBuild: process.env.LEDGERLINE_E2E_BUILD === "1",
    env: {
      ...Object.fromEntries(Object.entries(ports).map(([s, p]) => [`${s.toUpperCase()}_SANDBOX_PORT`, String(p)])),
      LEDGERLINE_SMTP_URL: mailbox.smtpUrl,
      LEDGERLINE_MAIL_FROM: "Ledgerline <ledgerline@e2e.test>",
    },
  });
  const baseUrl = web.baseUrl;
  return {
    baseUrl,
    sandboxUrls,
    demo: { email: DEMO_USER.email, password: E2E_DEMO_PASSWORD },
    apiToken: token.token,
    mailDir: mailbox.dir,
    async stop() {
      await web.stop();
      await mailbox.stop();
      await worker.stop();
      await Promise.all(sandboxes.map((s) => s.server.close()));
      await db.close();
    },
  };
}

/** Headless Chromium from Debian's package, with the flags this machine's closed network needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** Where screenshots of the main pages go (CI keeps them as artifacts). */
export const screenshotDir = path.join(process.cwd(), "test-results", "screenshots");

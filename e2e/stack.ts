/**
 * The whole product for browser tests: the test database (Vitest global setup), the sandboxes on
 * free ports, the demo workspace, a worker, the web app (`next start` when a build exists, else
 * `next dev`) and headless Chromium driven by playwright-core.
 *
 * Started once for all browser tests (e2e/setup.ts); tests reach it through `inject("stack")`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, rm } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { chromiumPath } from "./chromium";
import { createDb } from "../db/client";
import { SANDBOX_SYSTEMS } from "../db/env";
import { seedDemoWorkspace } from "../engine/demo/seed";
import { startWorker } from "../engine/worker/start";
import { startSandboxes } from "../scripts/sandboxes";
import { freePort } from "../db/free-port";


export interface Stack {
  baseUrl: string;
  sandboxUrls: Record<string, string>;
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
  const worker = await startWorker({ databaseUrl, concurrency: 2, pollInterval: 250 });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // CI builds first and sets LEDGERLINE_E2E_BUILD=1; otherwise a dev server in a folder of its own
  // runs the current code (and does not collide with another dev server).
  const built = process.env.LEDGERLINE_E2E_BUILD === "1" && existsSync(path.join(process.cwd(), ".next", "BUILD_ID"));
  const runId = `${process.pid}-${port}`;
  const distDir = built ? ".next" : path.join(".next-e2e", runId);
  const tsconfig = built ? "tsconfig.json" : `tsconfig.e2e-${runId}.json`;
  if (!built) await copyFile("tsconfig.json", tsconfig);
  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  let output = "";
  const web: ChildProcess = spawn(process.execPath, [nextBin, built ? "start" : "dev", "-p", String(port), "-H", "127.0.0.1"], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LEDGERLINE_PUBLIC_URL: baseUrl,
      NEXT_DIST_DIR: distDir,
      NEXT_TSCONFIG_PATH: tsconfig,
      ...Object.fromEntries(Object.entries(ports).map(([s, p]) => [`${s.toUpperCase()}_SANDBOX_PORT`, String(p)])),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  web.stdout?.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-5000)));
  web.stderr?.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-5000)));
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (web.exitCode !== null || Date.now() > deadline) {
      web.kill("SIGKILL");
      throw new Error(`the web app did not become healthy: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    baseUrl,
    sandboxUrls,
    async stop() {
      web.kill("SIGTERM");
      if (!built) {
        await rm(path.join(process.cwd(), distDir), { recursive: true, force: true }).catch(() => undefined);
        await rm(path.join(process.cwd(), tsconfig), { force: true });
      }
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

/**
 * The web app as a child process, for the browser tests and the chaos bench: its server
 * (scripts/web.mjs) on the production build when one is wanted and exists in .next, else on the
 * development server in a dist folder (and tsconfig)
 * of its own, so it runs the current code and never collides with another dev server or rewrites
 * the project's tsconfig. Resolves once /api/health answers 200.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, rm } from "node:fs/promises";
import path from "node:path";

export interface WebApp {
  baseUrl: string;
  port: number;
  /** The existing production build (true) or the development server (false). */
  built: boolean;
  process: ChildProcess;
  /** The last few KB the server printed (for error messages). */
  output(): string;
  stop(): Promise<void>;
}

export const hasBuild = () => existsSync(path.join(process.cwd(), ".next", "BUILD_ID"));

export async function startWebApp(options: {
  databaseUrl: string;
  port: number;
  /** Use the production build when one exists (default: only when one exists). */
  useBuild?: boolean;
  /** Extra environment (sandbox ports, tuning). */
  env?: Record<string, string>;
  /** How long to wait for /api/health (default 180 s: a dev server compiles on first request). */
  timeoutMs?: number;
}): Promise<WebApp> {
  const { port } = options;
  const baseUrl = `http://127.0.0.1:${port}`;
  const built = (options.useBuild ?? true) && hasBuild();
  const runId = `${process.pid}-${port}`;
  const distDir = built ? ".next" : path.join(".next-e2e", runId);
  const tsconfig = built ? "tsconfig.json" : `tsconfig.e2e-${runId}.json`;
  if (!built) await copyFile("tsconfig.json", tsconfig);
  let output = "";
  const web: ChildProcess = spawn(process.execPath, [path.join(process.cwd(), "scripts", "web.mjs"), ...(built ? [] : ["--dev"])], {
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      ...options.env,
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      LEDGERLINE_PUBLIC_URL: baseUrl,
      NEXT_DIST_DIR: distDir,
      NEXT_TSCONFIG_PATH: tsconfig,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  web.stdout?.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-5000)));
  web.stderr?.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-5000)));
  const cleanup = async () => {
    if (!built) {
      await rm(path.join(process.cwd(), distDir), { recursive: true, force: true }).catch(() => undefined);
      await rm(path.join(process.cwd(), tsconfig), { force: true });
    }
  };
  const stop = async () => {
    if (web.exitCode === null && web.signalCode === null) {
      const exited = new Promise<void>((resolve) => web.once("exit", () => resolve()));
      web.kill("SIGTERM");
      const timer = setTimeout(() => web.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await cleanup();
  };
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (web.exitCode !== null || Date.now() > deadline) {
      web.kill("SIGKILL");
      await cleanup();
      throw new Error(`the web app did not become healthy: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { baseUrl, port, built, process: web, output: () => output, stop };
}

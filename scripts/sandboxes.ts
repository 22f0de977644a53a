/**
 * `npm run sandboxes`: every connector sandbox on its fixed port (Intacct 4101, Avalara 4102,
 * Exact Online 4103, Adobe Commerce 4104; override with <SYSTEM>_SANDBOX_PORT), with the demo
 * credentials printed. `npm start` starts them too through `startSandboxes`.
 */
import { pathToFileURL } from "node:url";
import type { Sandbox, SandboxServer } from "../connectors/sdk";
import { createSandbox as avalara } from "../connectors/avalara/sandbox";
import { createSandbox as commerce } from "../connectors/commerce/sandbox";
import { createSandbox as exact } from "../connectors/exact/sandbox";
import { createSandbox as intacct } from "../connectors/intacct/sandbox";
import { SANDBOX_SYSTEMS, sandboxPort, type SandboxSystem } from "../db/env";

const factories: Record<SandboxSystem, () => Sandbox> = { intacct, avalara, exact, commerce };

export interface RunningSandbox {
  system: SandboxSystem;
  url: string;
  lines: string[];
  server: SandboxServer;
}

export async function startSandboxes(host = "127.0.0.1"): Promise<RunningSandbox[]> {
  const running: RunningSandbox[] = [];
  for (const system of SANDBOX_SYSTEMS) {
    const sandbox = factories[system]();
    try {
      const server = await sandbox.listen(sandboxPort(system), host);
      running.push({ system, url: server.url, lines: sandbox.describe(server.url), server });
    } catch (error) {
      await Promise.all(running.map((r) => r.server.close()));
      const code = (error as { code?: string }).code;
      throw new Error(
        code === "EADDRINUSE"
          ? `port ${sandboxPort(system)} for the ${system} sandbox is in use: stop what uses it or set ${system.toUpperCase()}_SANDBOX_PORT`
          : `the ${system} sandbox did not start: ${(error as Error).message}`,
      );
    }
  }
  return running;
}

export function describeSandboxes(running: RunningSandbox[]): string {
  return running.map((r) => [`  ${r.system.padEnd(9)} ${r.url}`, ...r.lines.map((l) => `            ${l}`)].join("\n")).join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const running = await startSandboxes();
  console.log(`Ledgerline sandboxes\n${describeSandboxes(running)}`);
  const stop = async () => {
    await Promise.all(running.map((r) => r.server.close()));
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

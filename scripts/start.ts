/**
 * `npm start`: everything on one machine.
 *  1. PostgreSQL: DATABASE_URL, or an embedded server in .data/pg (created on first start);
 *  2. migrations (Ledgerline's and graphile-worker's);
 *  3. the connector sandboxes (LEDGERLINE_SANDBOXES=off to skip);
 *  4. the demo workspace, its sandbox connections and starter flows (idempotent), and the demo
 *     owner's password (generated on the first start, printed that once, kept in the data dir);
 *  5. the web app (built on first start; `--dev` runs the dev server) and one worker.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createDb } from "../db/client";
import { ensureDatabase, migrateDatabase, ownShutdownSignals } from "../db/bootstrap";
import { env, SANDBOX_SYSTEMS, sandboxUrl } from "../db/env";
import { ensureDemoOwnerPassword } from "../engine/demo/owner";
import { DEMO_USER, seedDemoWorkspace } from "../engine/demo/seed";
import { startWorker } from "../engine/worker/start";
import { describeSandboxes, startSandboxes, type RunningSandbox } from "./sandboxes";

const dev = process.argv.includes("--dev");
const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");

const log = (message: string) => console.log(`[ledgerline] ${message}`);
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

ownShutdownSignals();
const database = await ensureDatabase();
process.env.DATABASE_URL = database.url;
log(database.embedded ? `embedded PostgreSQL ready (${path.join(env.dataDir, "pg")})` : "using DATABASE_URL");
await migrateDatabase(database.url);
log("migrations applied");

let sandboxes: RunningSandbox[] = [];
if (process.env.LEDGERLINE_SANDBOXES !== "off") {
  sandboxes = await startSandboxes();
  log("sandboxes started");
}

const db = createDb(database.url, { max: 4 });
const urls = Object.fromEntries(SANDBOX_SYSTEMS.map((s) => [s, sandboxUrl(s)])) as Record<(typeof SANDBOX_SYSTEMS)[number], string>;
await seedDemoWorkspace(db, { sandboxUrls: urls });
const demoOwner = await ensureDemoOwnerPassword(db);
log("demo workspace ready");

if (!dev && !existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) {
  log("building the web app (first start only)...");
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env: process.env });
  if (build.status !== 0) throw new Error("next build failed");
}

const worker = await startWorker({ databaseUrl: database.url, concurrency: env.workerConcurrency });
log(`worker running (concurrency ${env.workerConcurrency})`);

// Loopback unless HOST says otherwise: the app is reachable from this machine only by default.
const web: ChildProcess = spawn(process.execPath, [path.join(process.cwd(), "scripts", "web.mjs"), ...(dev ? ["--dev"] : [])], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, DATABASE_URL: database.url, LEDGERLINE_DATA_DIR: env.dataDir, PORT: String(env.port), HOST: env.host },
});
const webExited = new Promise<void>((resolve) => web.once("exit", () => resolve()));

console.log(`
Ledgerline is starting at ${env.publicUrl}
  health    ${env.publicUrl}/api/health
Sandboxes (demo credentials; the demo workspace's connections already point at them):
${sandboxes.length ? describeSandboxes(sandboxes) : "  (not started: LEDGERLINE_SANDBOXES=off)"}
Sign in as the demo owner: ${DEMO_USER.email}
${demoOwner.password ? `  password  ${demoOwner.password}   (shown this once; also kept in ${demoOwner.file}, mode 0600)` : `  password  in ${demoOwner.file} (generated on the first start)`}
More workers: DATABASE_URL=${database.embedded ? database.url : "<same database>"} npm run worker
`);

let stopping = false;
async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  log("stopping...");
  // The web app answers the requests in flight (a delivery being stored) before the database goes.
  web.kill("SIGTERM");
  await Promise.all([webExited, worker.stop().catch(() => undefined)]);
  await Promise.all(sandboxes.map((s) => s.server.close()));
  await db.close();
  await database.stop();
  process.exit(code);
}
web.on("exit", (code) => {
  if (!stopping) {
    console.error(`[ledgerline] the web app exited (${code}); stopping`);
    void shutdown(1);
  }
});
process.once("SIGINT", () => void shutdown(0));
process.once("SIGTERM", () => void shutdown(0));

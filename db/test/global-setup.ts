/**
 * Vitest global setup: a real PostgreSQL for every test file. DATABASE_URL when set (a fresh
 * database is created beside it), otherwise an embedded cluster in a temporary folder on a free
 * port. Each test run gets its own database, dropped at the end.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { migrateDatabase, startEmbeddedPostgres, type DatabaseHandle } from "../bootstrap";
import { freePort } from "../free-port";


let handle: DatabaseHandle | undefined;
let dataDir: string | undefined;
let adminUrl: string | undefined;
let database: string | undefined;

export async function setup(project: TestProject) {
  // The tests' own endpoints (the idempotent API, Slack and Teams receivers) listen on this machine,
  // which HTTP nodes and alert webhooks may reach only when allowed; workers and the web app the
  // tests start inherit it. Tests of the rules themselves set their own.
  process.env.LEDGERLINE_ALLOWED_HOSTS ??= "127.0.0.1, localhost";
  database = `ledgerline_test_${Date.now()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  if (process.env.DATABASE_URL) {
    const base = new URL(process.env.DATABASE_URL);
    adminUrl = base.toString();
    const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database "${database}"`);
    await admin.end();
    base.pathname = `/${database}`;
    process.env.DATABASE_URL = base.toString();
  } else {
    // A cluster of its own per test run, so two runs at once (unit and browser, two developers) never collide.
    const port = await freePort();
    dataDir = await mkdtemp(path.join(tmpdir(), "ledgerline-test-pg-"));
    await chmod(dataDir, 0o755);
    // A throw-away cluster: durability buys nothing here, speed does.
    handle = await startEmbeddedPostgres({ dir: path.join(dataDir, "pg"), port, database, durable: false });
    adminUrl = handle.url.replace(`/${database}`, "/postgres");
    process.env.DATABASE_URL = handle.url;
  }
  await migrateDatabase(process.env.DATABASE_URL);
  project.provide("databaseUrl", process.env.DATABASE_URL);
}

export async function teardown() {
  if (adminUrl && database) {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
    try {
      await admin.unsafe(`drop database if exists "${database}" with (force)`);
    } finally {
      await admin.end();
    }
  }
  await handle?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

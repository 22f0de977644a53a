/**
 * Vitest global setup: a real PostgreSQL for every test file. DATABASE_URL when set (a fresh
 * database is created beside it), otherwise an embedded cluster under .data/test-pg on a free
 * port. Each `npm test` gets its own database, dropped at the end.
 */
import { createServer } from "node:net";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { migrateDatabase, startEmbeddedPostgres, type DatabaseHandle } from "../bootstrap";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let handle: DatabaseHandle | undefined;
let adminUrl: string | undefined;
let database: string | undefined;

export async function setup(project: TestProject) {
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
    const port = await freePort();
    handle = await startEmbeddedPostgres({ dir: path.resolve(".data/test-pg"), port, database });
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
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

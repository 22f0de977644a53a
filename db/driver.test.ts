/**
 * The database driver survives a backend that goes away under a connection it holds (a database
 * restart, an operator's pg_terminate_backend, a proxy cutting idle sockets), against a real
 * PostgreSQL. postgres.js 3.4.9 throws an uncatchable TypeError from a write it had scheduled
 * before the socket closed, which ended worker processes on a database restart, and left such a
 * connection unable to send anything again; and a query sent between a socket error (ECONNRESET)
 * and the close waited forever. patches/postgres+3.4.9.patch (applied by patch-package on
 * install) makes each a plain CONNECTION_CLOSED rejection.
 */
import postgres from "postgres";
import { afterAll, expect, inject, it } from "vitest";

const url = inject("databaseUrl");
const sql = postgres(url, { max: 2, onnotice: () => undefined });
const admin = postgres(url, { max: 1, onnotice: () => undefined });
afterAll(async () => {
  await Promise.all([sql.end({ timeout: 1 }), admin.end({ timeout: 1 })]);
});

const outcome = (query: Promise<unknown>) =>
  Promise.race([
    query.then(
      () => "answered",
      (error: { code?: string }) => `rejected ${error.code ?? "?"}`,
    ),
    new Promise<string>((resolve) => setTimeout(() => resolve("no answer in 5 s"), 5000)),
  ]);

it("a reserved connection whose backend was terminated rejects every later query, and the process lives on", async () => {
  const uncaught: unknown[] = [];
  const listener = (error: unknown) => uncaught.push(error);
  process.on("uncaughtException", listener);
  try {
    const reserved = await sql.reserve();
    const [{ pid }] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
    await admin`select pg_terminate_backend(${pid})`;
    expect(await outcome(reserved`select 1`)).toMatch(/^rejected (CONNECTION_CLOSED|ECONNRESET)$/);
    // Unpatched, this one throws a TypeError from a timer (uncatchable) and never settles, or,
    // when the first answer was ECONNRESET, waits forever.
    expect(await outcome(reserved`select 1`)).toBe("rejected CONNECTION_CLOSED");
    reserved.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(uncaught).toEqual([]);
  } finally {
    process.off("uncaughtException", listener);
  }
});

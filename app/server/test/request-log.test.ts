/**
 * The web server's structured log of HTTP requests, as an operator reads it: the real tRPC route
 * handler in a process of its own (NEXT_RUNTIME set, as inside Next.js) writes one JSON line per
 * request with the request id (the caller's x-request-id when it is a plain token, else a new UUID,
 * answered in the response), procedure, status and time, and never the session cookie or token.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";

const run = promisify(execFile);

describe("request log", () => {
  it("logs each tRPC request with its request id, procedure and status, without the caller's secrets", { timeout: 60_000 }, async () => {
    const { stdout, stderr } = await run(process.execPath, ["--conditions=react-server", "--import", "tsx", "app/server/test/request-log.child.ts"], {
      env: { ...process.env, DATABASE_URL: inject("databaseUrl"), LOG_LEVEL: "info", LOG_PRETTY: "", NEXT_RUNTIME: "nodejs" },
      timeout: 50_000,
    });
    const answers = stderr.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { status: number; requestId: string });
    expect(answers[0]).toEqual({ status: 401, requestId: "req-abc-123" });
    expect(answers[1]!.status).toBe(401);
    expect(answers[1]!.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "trpc request");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: "info", service: "web", requestId: "req-abc-123", method: "GET", path: "/api/trpc/flows.list", procedure: "flows.list", status: 401 });
    expect(lines[1]).toMatchObject({ requestId: answers[1]!.requestId, status: 401 });
    for (const line of lines) expect(typeof line.durationMs).toBe("number");
    expect(stdout + stderr).not.toContain("SECRET-COOKIE-4242");
    expect(stdout + stderr).not.toContain("SECRET-TOKEN-9999");
  });
});

/**
 * Structured logs as an operator reads them: a real `npm run worker` process (LOG_LEVEL=debug)
 * runs a flow whose Avalara connection's tax service first answers 503 and then rejects the call
 * with an error that echoes the connection's license key. Its stdout is JSON lines carrying the
 * workspace, flow, run and node ids and the attempt, and neither the key nor its Basic-auth form
 * appears anywhere in what the process wrote. The logger itself masks secret fields by name.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../db/client";
import { createFlow, runNow } from "./flows";
import { createLogger, settingsFromEnv } from "./logging";
import { createConnection, createWorkspace, isolatedDatabase, runRow, waitFor } from "./test/helpers";

const LICENSE_KEY = "LK-9f3a7c1e5b2d4e6f";
const ACCOUNT_ID = "2000134479";
const BASIC = Buffer.from(`${ACCOUNT_ID}:${LICENSE_KEY}`).toString("base64");

let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let db: Db;
let avalara: Server;
let avalaraUrl: string;
let calls = 0;
let child: ChildProcess | undefined;

beforeAll(async () => {
  isolated = await isolatedDatabase();
  db = createDb(isolated.url, { max: 3 });
  // AvaTax as it misbehaves: busy first, then an error whose message repeats the credentials.
  avalara = createServer((req, res) => {
    calls++;
    res.setHeader("content-type", "application/json");
    if (calls === 1) {
      res.writeHead(503);
      res.end(JSON.stringify({ error: { code: "ServiceUnavailable", message: "try again" } }));
      return;
    }
    res.writeHead(400);
    res.end(JSON.stringify({ error: { code: "InvalidParameter", message: `license key ${LICENSE_KEY} (${req.headers.authorization}) is not valid for this company`, target: "HttpRequest" } }));
  });
  await new Promise<void>((resolve) => avalara.listen(0, "127.0.0.1", resolve));
  avalaraUrl = `http://127.0.0.1:${(avalara.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child!.once("exit", resolve));
  }
  await new Promise((resolve) => avalara.close(resolve));
  await db.close();
  await isolated.drop();
}, 60_000);

type Line = Record<string, unknown> & { level: string; msg: string };

describe("structured logs", () => {
  it("writes JSON lines with run, node and attempt, and never the connection's secret, through a failing run", { timeout: 90_000 }, async () => {
    const workspaceId = await createWorkspace(db, "Logs");
    const connectionId = await createConnection(db, workspaceId, "avalara", "AvaTax", { environment: "custom", baseUrl: avalaraUrl }, { accountId: ACCOUNT_ID, licenseKey: LICENSE_KEY });
    const { flowId } = await createFlow(db, workspaceId, {
      name: "logs",
      definition: {
        schemaVersion: 1,
        nodes: [
          { id: "trigger", type: "core.manualTrigger", typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
          { id: "tax", type: "avalara.getTransaction", typeVersion: 1, position: { x: 200, y: 0 }, config: {}, connectionId },
        ],
        edges: [{ id: "e1", source: "trigger", target: "tax" }],
        settings: { retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 50 } },
      },
    });

    let output = "";
    child = spawn(process.execPath, ["--import", "tsx", "engine/worker/main.ts"], {
      env: { ...process.env, DATABASE_URL: isolated.url, LOG_LEVEL: "debug", LOG_PRETTY: "", WORKER_CONCURRENCY: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));

    const runId = await runNow(db, workspaceId, flowId, { code: "INV-LOG-1" });
    await waitFor(async () => (await runRow(db, runId)).status === "failed", 60_000, 200).catch((error: Error) => {
      throw new Error(`${error.message}; worker said: ${output.slice(-3000)}`);
    });
    // The run's own lines are written before the run is marked failed; the summary right after.
    await waitFor(async () => output.includes(`"runId":"${runId}"`) && output.includes('"msg":"run failed"'), 10_000);
    child.kill("SIGTERM");
    await new Promise((resolve) => child!.once("exit", resolve));

    // The secret, in any form, is nowhere in what the process wrote.
    expect(output).not.toContain(LICENSE_KEY);
    expect(output).not.toContain(encodeURIComponent(LICENSE_KEY));
    expect(output).not.toContain(BASIC);
    expect(calls).toBe(2);

    const lines = output.trim().split("\n").map((text) => JSON.parse(text) as Line);
    for (const line of lines) {
      expect(typeof line.level).toBe("string");
      expect(Date.parse(line.time as string)).not.toBeNaN();
      expect(line.service).toBe("worker");
    }
    const ofRun = lines.filter((l) => l.runId === runId);
    for (const line of ofRun) {
      expect(line).toMatchObject({ workspaceId, flowId, runId });
    }
    const ofNode = ofRun.filter((l) => l.nodeId === "tax");
    expect(ofNode.every((l) => l.nodeType === "avalara.getTransaction" && typeof l.attempt === "number")).toBe(true);

    // Both HTTP calls, by attempt, with the status the service answered.
    const http = ofNode.filter((l) => l.msg === "http call").map((l) => [l.attempt, (l.http as { status: number }).status]);
    expect(http).toEqual([
      [1, 503],
      [2, 400],
    ]);
    // The retry, announced at warn for attempt 1; the failure at error for attempt 2, its message masked.
    expect(ofNode.find((l) => l.level === "warn" && l.attempt === 1)?.msg).toMatch(/^Attempt 1 failed .*retrying in \d+ ms$/);
    const failed = ofNode.find((l) => l.msg === "node failed");
    expect(failed).toMatchObject({ level: "error", attempt: 2, status: "failed", error: { kind: "permanent", status: 400, code: "InvalidParameter" } });
    expect((failed!.error as { message: string }).message).toContain("license key [redacted]");
    expect(ofRun.find((l) => l.msg === "run failed")).toMatchObject({ level: "error", status: "failed" });
  });

  it("masks secret fields by name at any depth, and refuses an unknown LOG_LEVEL with a clear message", () => {
    let written = "";
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const log = createLogger({ level: "info", destination: sink });
    log.info(
      {
        req: { headers: { authorization: "Bearer tok_live_1", cookie: "ledgerline.session_token=abc123" } },
        connection: { id: "c1", secrets: { password: "hunter2-pw" } },
        nested: { a: { b: { c: { clientSecret: "cs-deep-777", refresh_token: "rt-deep-888", token_type: "bearer" } } } },
      },
      "request",
    );
    log.child({ apiKey: "ak-bound-999" }).warn("bound");
    for (const secret of ["tok_live_1", "abc123", "hunter2-pw", "cs-deep-777", "rt-deep-888", "ak-bound-999"]) expect(written).not.toContain(secret);
    const [first, second] = written.trim().split("\n").map((t) => JSON.parse(t));
    expect(first).toMatchObject({
      level: "info",
      msg: "request",
      req: { headers: { authorization: "[redacted]", cookie: "[redacted]" } },
      connection: { id: "c1", secrets: "[redacted]" },
      nested: { a: { b: { c: { clientSecret: "[redacted]", refresh_token: "[redacted]", token_type: "bearer" } } } },
    });
    expect(second).toMatchObject({ level: "warn", apiKey: "[redacted]" });
    expect(() => settingsFromEnv({ LOG_LEVEL: "verbose" })).toThrow("LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got \"verbose\")");
    expect(settingsFromEnv({ LOG_LEVEL: "DEBUG", LOG_PRETTY: "1" })).toMatchObject({ level: "debug", pretty: true });
  });
});

/**
 * `npm run bench:mcp`: what one read tool call costs an agent. The SDK's MCP client calls
 * `intacct_list_glAccounts` over real HTTP (the real route handler, app/api/mcp/route.ts, behind a
 * node:http server) against the Intacct sandbox, on the bench's own PostgreSQL
 * (bench/engine/database.ts). Each call is what production does: token check, rate-limit count,
 * tool catalogue, a one-node run of the executor (run, checkpoints, audit event) and the answer.
 *
 *   npm run bench:mcp                   # 200 calls after 20 warm-up calls
 *   npm run bench:mcp -- --calls 500
 *
 * Prints ms per call (mean, p50, p95, p99) and, for comparison, the node's own time inside the
 * run (the sandbox round trip) from node_runs.duration_ms.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { intacct } from "../../connectors/intacct";
import { createSandbox } from "../../connectors/intacct/sandbox";
import { createDb, jsonb } from "../../db/client";
import { encryptJson } from "../../db/crypto";
import { createToken } from "../../engine/auth/tokens";
import { ensureUser } from "../../engine/auth/users";
import { createWorkspace } from "../../engine/auth/workspaces";
import { updateMcpSettings } from "../../engine/mcp/settings";
import { startBenchDatabase } from "../engine/database";

const { values } = parseArgs({ options: { calls: { type: "string", default: "200" }, warmup: { type: "string", default: "20" } } });
const calls = Number(values.calls);
const warmup = Number(values.warmup);

const database = await startBenchDatabase({ profile: false });
process.env.DATABASE_URL = database.url;
const db = createDb(database.url, { max: 4 });
const sandbox = await createSandbox().listen(0);
const bench = { label: "bench", kind: "system" as const };

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: samples.reduce((s, x) => s + x, 0) / samples.length, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

try {
  const user = await ensureUser(db.sql, { email: "bench@ledgerline.test", name: "Bench" });
  const workspace = await createWorkspace(db, "Bench Books", user.id, bench);
  const demo = intacct.sandbox!(sandbox.url);
  await db.sql`
    insert into connections (workspace_id, system, name, config, secrets_enc)
    values (${workspace.id}, 'intacct', 'Intacct sandbox', ${jsonb(demo.config)}::text::jsonb, ${encryptJson(demo.secrets)})`;
  await updateMcpSettings(db, workspace.id, { callsPerMinute: 10_000 }, bench);
  const token = await createToken(db, { workspaceId: workspace.id, userId: user.id, creatorRole: "owner", name: "bench agent", role: "operator", expiresInDays: null, actor: bench });

  const { POST } = await import("../../app/api/mcp/route");
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const response = await POST(new Request(`http://127.0.0.1${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }));
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/mcp`);
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${token.token}` } } }));

  const samples: number[] = [];
  for (let i = 0; i < warmup + calls; i++) {
    const started = performance.now();
    const result = await client.callTool({ name: "intacct_list_glAccounts", arguments: { limit: 10 } });
    const took = performance.now() - started;
    if (result.isError) throw new Error(`call ${i} failed: ${JSON.stringify(result.structuredContent)}`);
    if (i >= warmup) samples.push(took);
  }
  const nodeTimes = (
    await db.sql<{ ms: number }[]>`
      select n.duration_ms as ms from node_runs n join runs r on r.id = n.run_id
      where r.workspace_id = ${workspace.id} and n.node_id = 'tool' order by r.created_at offset ${warmup}`
  ).map((r) => r.ms);
  const call = stats(samples);
  const node = stats(nodeTimes);
  const f = (n: number) => n.toFixed(1).padStart(7);
  console.log(`MCP read tool call (intacct_list_glAccounts, ${calls} calls after ${warmup} warm-up; ${database.description}; load average ${loadavg()[0]!.toFixed(1)})`);
  console.log(`                                   mean     p50     p95     p99  (ms)`);
  console.log(`  whole call, client to client  ${f(call.mean)} ${f(call.p50)} ${f(call.p95)} ${f(call.p99)}`);
  console.log(`  the node inside the run       ${f(node.mean)} ${f(node.p50)} ${f(node.p95)} ${f(node.p99)}`);
  await client.close();
  await new Promise((resolve) => server.close(resolve));
} finally {
  await sandbox.close();
  await db.close();
  await database.stop();
}

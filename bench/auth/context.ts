/**
 * `npm run bench:auth`: what the request check costs. `createContext` runs before every tRPC call;
 * this times its body (engine/auth/request.ts resolveRequest, the same code with the same Better
 * Auth instance) for a session cookie, a session cookie with an explicit workspace header, an API
 * token, and an anonymous request, on the bench's own PostgreSQL (bench/engine/database.ts).
 *
 *   npm run bench:auth                  # 2000 calls per case after 200 warm-up calls
 *   npm run bench:auth -- --calls 5000
 *
 * Prints µs per call (mean, p50, p95, p99) and database round trips per call for each case.
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { createDb } from "../../db/client";
import { createAuth } from "../../engine/auth/better-auth";
import { resolveRequest, WORKSPACE_HEADER } from "../../engine/auth/request";
import { createToken } from "../../engine/auth/tokens";
import { ensureUser, setPassword } from "../../engine/auth/users";
import { createWorkspace } from "../../engine/auth/workspaces";
import { startBenchDatabase } from "../engine/database";

const { values } = parseArgs({ options: { calls: { type: "string", default: "2000" }, warmup: { type: "string", default: "200" } } });
const calls = Number(values.calls);
const warmup = Number(values.warmup);

const database = await startBenchDatabase({ profile: false });
const db = createDb(database.url, { max: 4 });
const origin = "http://bench.ledgerline.test";
const auth = createAuth(db, { publicUrl: origin });

// Count statements sent by wrapping the two pools' query entry points is not possible from
// outside postgres.js; pg_stat_database's xact_commit is a close proxy for round trips.
async function commits(): Promise<number> {
  const [row] = await db.sql<{ n: string }[]>`select xact_commit::text as n from pg_stat_database where datname = current_database()`;
  return Number(row!.n);
}

try {
  const user = await ensureUser(db.sql, { email: "bench@ledgerline.test", name: "Bench" });
  await setPassword(db, user.id, "bench-password-123");
  const workspace = await createWorkspace(db, "Bench Books", user.id, { label: "bench", kind: "system" });
  await createWorkspace(db, "Bench Other", user.id, { label: "bench", kind: "system" });
  const signIn = await auth.handler(
    new Request(`${origin}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify({ email: "bench@ledgerline.test", password: "bench-password-123" }),
    }),
  );
  if (signIn.status !== 200) throw new Error(`sign-in answered ${signIn.status}`);
  const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const token = await createToken(db, { workspaceId: workspace.id, userId: user.id, creatorRole: "owner", name: "bench", role: "editor", expiresInDays: null, actor: { label: "bench", kind: "system" } });

  const cases: { name: string; headers: Headers; expect: (r: Awaited<ReturnType<typeof resolveRequest>>) => boolean }[] = [
    { name: "session cookie (last chosen workspace)", headers: new Headers({ cookie }), expect: (r) => r.caller?.kind === "user" && r.workspace !== null },
    { name: "session cookie + x-ledgerline-workspace", headers: new Headers({ cookie, [WORKSPACE_HEADER]: workspace.id }), expect: (r) => r.workspace?.id === workspace.id },
    { name: "Authorization: Bearer <api token>", headers: new Headers({ authorization: `Bearer ${token.token}` }), expect: (r) => r.caller?.kind === "token" && r.workspace?.role === "editor" },
    { name: "anonymous (no cookie, no token)", headers: new Headers(), expect: (r) => r.caller === null },
  ];

  console.log(`createContext cost per request: ${calls} calls per case after ${warmup} warm-up calls, one at a time`);
  console.log(`database: ${database.description}\n`);
  console.log(`${"case".padEnd(42)} ${"mean µs".padStart(9)} ${"p50".padStart(7)} ${"p95".padStart(7)} ${"p99".padStart(7)} ${"txns/call".padStart(10)}`);
  for (const c of cases) {
    for (let i = 0; i < warmup; i++) {
      const r = await resolveRequest(db, auth, c.headers);
      if (!c.expect(r)) throw new Error(`${c.name}: unexpected result ${JSON.stringify(r)}`);
    }
    const before = await commits();
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      await resolveRequest(db, auth, c.headers);
      times.push((performance.now() - t0) * 1000);
    }
    const txns = ((await commits()) - before - 1) / calls;
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(`${c.name.padEnd(42)} ${mean.toFixed(0).padStart(9)} ${at(0.5).toFixed(0).padStart(7)} ${at(0.95).toFixed(0).padStart(7)} ${at(0.99).toFixed(0).padStart(7)} ${txns.toFixed(2).padStart(10)}`);
  }
} finally {
  await db.close();
  await database.stop();
}

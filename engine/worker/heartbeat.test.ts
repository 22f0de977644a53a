/**
 * The health check's "worker up" uses the workers' own stale window: when an operator shortens it
 * (LEDGERLINE_STALE_AFTER_MS), a worker the sweeper already treats as gone is not reported alive.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db/client";
import { isolatedDatabase } from "../test/helpers";
import { liveWorkers } from "./heartbeat";

let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let db: Db;
const saved = process.env.LEDGERLINE_STALE_AFTER_MS;

beforeAll(async () => {
  isolated = await isolatedDatabase();
  db = createDb(isolated.url, { max: 2 });
  await db.sql`insert into worker_heartbeats (worker_id, hostname, pid, last_seen_at) values ('quiet-worker', 'worker-host', 4242, now() - interval '5 seconds')`;
});
afterEach(() => {
  if (saved === undefined) delete process.env.LEDGERLINE_STALE_AFTER_MS;
  else process.env.LEDGERLINE_STALE_AFTER_MS = saved;
});
afterAll(async () => {
  await db.close();
  await isolated.drop();
});

describe("live workers", () => {
  it("counts a worker seen 5 s ago as alive under the default 12 s window", async () => {
    delete process.env.LEDGERLINE_STALE_AFTER_MS;
    expect(await liveWorkers(db)).toBe(1);
  });

  it("counts it as gone once the operator's stale window is 3 s, as the sweeper does", async () => {
    process.env.LEDGERLINE_STALE_AFTER_MS = "3000";
    expect(await liveWorkers(db)).toBe(0);
  });
});

/**
 * Intacct's concurrent requests per company, across channels and processes: two connections of one
 * company, one on the XML gateway and one on the REST API, each built as a worker builds it
 * (buildEnv: the connection row, its encrypted state, the limits in PostgreSQL) on a database
 * handle of its own, as two worker processes have. Three reads at once: two go out, the third
 * waits for one of them to end, and the sandbox (which counts both channels against the company's
 * 2) refuses none.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intacct, type IntacctClient } from "../connectors/intacct";
import { CONCURRENT_REQUESTS } from "../connectors/intacct/concurrency";
import { createSandbox } from "../connectors/intacct/sandbox";
import type { HttpCallRecord, SandboxServer } from "../connectors/sdk";
import type { Db } from "../db/client";
import { buildEnv, loadConnection } from "./connections";
import { createConnection, createWorkspace, testDb } from "./test/helpers";

const LATENCY_MS = 250;
/** What each request did, in the order it happened: sent (its slot taken) or answered. */
const events: Array<{ at: "sent" | "answered"; channel: string; status?: number }> = [];
const dbs: Db[] = [];
let server: SandboxServer;
let workspaceId: string;

beforeAll(async () => {
  server = await createSandbox().listen(0);
  const db = testDb(2);
  dbs.push(db);
  workspaceId = await createWorkspace(db, "Intacct concurrency");
});
afterAll(async () => {
  await server.close();
  await Promise.all(dbs.map((db) => db.close()));
});

/** A connection row of the demo company on `transport`, and its client as a worker process of its own builds it. */
async function connection(transport: "xml" | "rest"): Promise<IntacctClient> {
  const db = testDb(4);
  dbs.push(db);
  const values = intacct.sandbox!(server.url);
  const id = await createConnection(db, workspaceId, "intacct", `Intacct (${transport})`, { ...values.config, transport }, values.secrets);
  const noop = () => undefined;
  const loaded = await loadConnection(db, workspaceId, id);
  const env = buildEnv(db, loaded, {
    log: { info: noop, warn: noop, error: noop },
    signal: new AbortController().signal,
    beforeSend: async () => void events.push({ at: "sent", channel: transport }),
    record: (call: HttpCallRecord) => void events.push({ at: "answered", channel: transport, status: call.status }),
  });
  return loaded.connector.createClient(env) as IntacctClient;
}

const faults = (patch: Record<string, unknown>) => fetch(`${server.url}/__sandbox/faults`, { method: "POST", body: JSON.stringify(patch) });

describe("Intacct concurrent requests per company, XML and REST together", () => {
  it("a third request of the company waits for a slot, whichever channel and process sends it; the sandbox refuses none", async () => {
    const xml = await connection("xml");
    const rest = await connection("rest");
    // Signed in on both (an XML session, a REST token) before the clock starts.
    await xml.ping();
    await rest.ping();
    events.length = 0;
    await faults({ latencyMs: LATENCY_MS });

    const started = Date.now();
    const read = (client: IntacctClient) => client.readByQuery("CLASS", "", { fields: ["CLASSID"] });
    const results = await Promise.all([read(xml), read(rest), read(rest)]);
    const elapsed = Date.now() - started;
    await faults({ latencyMs: 0 });

    // Every read answered, in full, none refused with GW-0010 (HTTP 429).
    expect(results.map((rows) => rows.length)).toEqual([3, 3, 3]);
    expect(events.filter((e) => e.at === "answered").map((e) => e.status)).toEqual([200, 200, 200]);
    // Both channels were used, and never more than the company's 2 at once (other test files'
    // requests of the same company, in the same PostgreSQL, can only make it fewer).
    expect(new Set(events.filter((e) => e.at === "sent").map((e) => e.channel))).toEqual(new Set(["xml", "rest"]));
    let inFlight = 0;
    let most = 0;
    for (const e of events) {
      inFlight += e.at === "sent" ? 1 : -1;
      most = Math.max(most, inFlight);
    }
    expect(CONCURRENT_REQUESTS).toBe(2);
    expect(most).toBeLessThanOrEqual(CONCURRENT_REQUESTS);
    // The third was sent only after one of the first two was answered: two rounds of the latency.
    const sends = events.flatMap((e, i) => (e.at === "sent" ? [i] : []));
    expect(sends).toHaveLength(3);
    expect(sends[2]).toBeGreaterThan(events.findIndex((e) => e.at === "answered"));
    expect(elapsed).toBeGreaterThanOrEqual(2 * LATENCY_MS);
  });
});

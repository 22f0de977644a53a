/**
 * Where the HTTP POST node may post: metadata, private and loopback addresses are refused when the
 * flow is saved (loopback and private ones unless LEDGERLINE_ALLOWED_HOSTS lists them), and a
 * redirect into the metadata service is refused when the run sends (the run fails with the reason,
 * nothing is retried). Real PostgreSQL, real HTTP.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../executor/run";
import { validateFlow } from "../flow/validate";
import { createFlow } from "../flows";
import { createRuns } from "../runs";
import { builtInFlow, createLookupTable, createWorkspace, nodeRuns, testDb } from "../test/helpers";

const db = testDb();
const allowedBefore = process.env.LEDGERLINE_ALLOWED_HOSTS;

/** Run `fn` with LEDGERLINE_ALLOWED_HOSTS set to `value` (undefined: unset), then put it back. */
async function withAllowed<T>(value: string | undefined, fn: () => T | Promise<T>): Promise<T> {
  if (value === undefined) delete process.env.LEDGERLINE_ALLOWED_HOSTS;
  else process.env.LEDGERLINE_ALLOWED_HOSTS = value;
  try {
    return await fn();
  } finally {
    if (allowedBefore === undefined) delete process.env.LEDGERLINE_ALLOWED_HOSTS;
    else process.env.LEDGERLINE_ALLOWED_HOSTS = allowedBefore;
  }
}
let workspaceId: string;
let tableId: string;
let redirector: Server;
let redirectorUrl: string;
let posts = 0;

beforeAll(async () => {
  workspaceId = await createWorkspace(db, "HTTP POST egress");
  tableId = await createLookupTable(db, workspaceId, "State to department", { WA: { value: "D-WEST" } });
  redirector = createServer((req, res) => {
    posts++;
    res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/iam/security-credentials/" });
    res.end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
  redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => redirector.close(() => resolve()));
  await db.close();
});

function flowPosting(url: string) {
  const definition = builtInFlow(tableId);
  definition.nodes.push({ id: "post", type: "core.httpPost", typeVersion: 1, position: { x: 800, y: 0 }, config: { url, keyPath: "invoice" } });
  definition.edges.push({ id: "e-post", source: "big", target: "post" });
  return definition;
}

describe("HTTP POST egress", () => {
  it("refuses metadata, link-local, private and loopback addresses when the flow is saved, naming the node", () =>
    withAllowed(undefined, () => {
      for (const [url, reason] of [
        ["http://169.254.169.254/latest/meta-data/", /link-local, metadata or reserved/],
        ["http://metadata.google.internal/computeMetadata/v1/", /cloud metadata service/],
        ["http://[fe80::1]/", /link-local/],
        ["http://192.168.1.20/webhook", /private network address/],
        ["http://127.0.0.1:9200/_search", /is this machine \(loopback\)/],
        ["http://localhost:3000/api/trpc/flows.create", /is this machine \(loopback\)/],
        ["file:///etc/passwd", /http or https only/],
      ] as const) {
        const { problems } = validateFlow(flowPosting(url));
        expect(problems.find((p) => p.nodeId === "post")?.message, url).toMatch(reason);
      }
      expect(validateFlow(flowPosting("https://hooks.example.com/ledger")).problems).toEqual([]);
    }));

  it("accepts a private or loopback address the allowed list names, never metadata", () =>
    withAllowed("192.168.1.0/24, 127.0.0.1", () => {
      expect(validateFlow(flowPosting("http://192.168.1.20/webhook")).problems).toEqual([]);
      expect(validateFlow(flowPosting(redirectorUrl)).problems).toEqual([]);
      expect(validateFlow(flowPosting("http://169.254.169.254/")).problems.find((p) => p.nodeId === "post")?.message).toMatch(/never reachable/);
    }));

  it("refuses a redirect into the metadata service when the run sends, and does not retry it", () => withAllowed("127.0.0.1", async () => {
    const { flowId, versionId, problems } = await createFlow(db, workspaceId, { name: "post to redirector", definition: flowPosting(redirectorUrl) });
    expect(problems).toEqual([]);
    const { created } = await db.sql.begin((tx) =>
      createRuns(tx, { workspaceId, flowId, versionId, triggerKind: "manual" }, [{ key: "rec-redirect", version: "1", data: { number: "INV-R", address: { region: "wa" }, lines: [{ amount: 300 }] } }], { enqueue: false }),
    );
    const result = await executeRun(db, created[0]!);
    expect(result.status).toBe("failed");
    const post = (await nodeRuns(db, created[0]!)).find((r) => r.node_id === "post")!;
    expect(post.status).toBe("failed");
    expect(post.attempt).toBe(1);
    expect(JSON.stringify(post.attempts)).toMatch(/169\.254\.169\.254 is a link-local, metadata or reserved address/);
    expect(posts).toBe(1);
  }));
});

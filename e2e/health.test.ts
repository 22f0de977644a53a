/**
 * The running product answers as the conventions say: health with database, migrations and worker
 * up; the node registry over tRPC; a signed webhook reaching the engine through the app.
 */
import { describe, expect, inject, it } from "vitest";

describe("running product", () => {
  it("reports database, migrations and worker as up", async () => {
    const res = await fetch(`${inject("baseUrl")}/api/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    // Status only: nothing more for the public to read.
    expect(body).toEqual({ status: "ok", database: { ok: true }, migrations: { ok: true }, worker: { ok: true } });
  });

  it("serves the node registry with a JSON Schema per config", async () => {
    const res = await fetch(`${inject("baseUrl")}/api/trpc/registry.nodes`, { headers: { authorization: `Bearer ${inject("apiToken")}` } });
    expect(res.status).toBe(200);
    const { result } = await res.json();
    const nodes = result.data.json as { type: string; system: string; configSchema: { type?: string } }[];
    const systems = new Set(nodes.map((n) => n.system));
    for (const system of ["core", "intacct", "avalara", "exact", "commerce"]) expect(systems).toContain(system);
    const map = nodes.find((n) => n.type === "core.mapFields")!;
    expect(map.configSchema.type).toBe("object");
  });

  it("answers 401 to a call without a session or token", async () => {
    const res = await fetch(`${inject("baseUrl")}/api/trpc/flows.list`);
    expect(res.status).toBe(401);
    const wrong = await fetch(`${inject("baseUrl")}/api/trpc/flows.list`, { headers: { authorization: "Bearer llt_not-a-token" } });
    expect(wrong.status).toBe(401);
  });

  it("answers a webhook address with no flow 404, without a gzip stream", async () => {
    const res = await fetch(`${inject("baseUrl")}/api/trpc/flows.list`, { headers: { authorization: `Bearer ${inject("apiToken")}` } });
    const flows = (await res.json()).result.data.json as { id: string }[];
    expect(flows.length).toBeGreaterThan(0);
    const hook = await fetch(`${inject("baseUrl")}/api/webhooks/00000000-0000-4000-8000-000000000000/trigger`, { method: "POST", body: "{}", headers: { "accept-encoding": "gzip" } });
    expect(hook.status).toBe(404);
    // A webhook's answer is a few bytes: sent as is, never through a gzip stream of its own.
    expect(hook.headers.get("content-encoding")).toBeNull();
    expect(hook.headers.get("cache-control")).toContain("no-transform");
  });
});

/**
 * The route handlers as the internet reaches them (real Requests, real PostgreSQL behind them):
 * body caps answer 413 while the body streams, and cookie-carrying POSTs from another site are
 * refused (CSRF) while Bearer tokens and anonymous requests get the router's own answer.
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, inject } from "vitest";

type Handler = (req: Request, ctx?: unknown) => Promise<Response>;
let trpcPost: Handler;
let webhookPost: (req: Request, ctx: { params: Promise<{ flowId: string; nodeId: string }> }) => Promise<Response>;
let publicUrl: string;

beforeAll(async () => {
  process.env.DATABASE_URL = inject("databaseUrl");
  trpcPost = (await import("../api/trpc/[trpc]/route")).POST;
  webhookPost = (await import("../api/webhooks/[flowId]/[nodeId]/route")).POST;
  publicUrl = (await import("../../db/env")).env.publicUrl;
});
afterEach(() => {
  delete process.env.LEDGERLINE_WEBHOOK_MAX_BODY;
});

const MB = 1024 * 1024;

/** A body of `size` bytes sent in 64 KB chunks without a Content-Length; counts what was pulled. */
function streamed(size: number) {
  const state = { pulled: 0 };
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= size) return controller.close();
      const part = chunk.subarray(0, Math.min(chunk.byteLength, size - state.pulled));
      state.pulled += part.byteLength;
      controller.enqueue(part);
    },
  });
  return { body, state };
}

function webhook(body: BodyInit, headers: Record<string, string> = {}) {
  const flowId = randomUUID();
  const request = new Request(`${publicUrl}/api/webhooks/${flowId}/trigger`, { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return webhookPost(request, { params: Promise.resolve({ flowId, nodeId: "trigger" }) });
}

function trpc(procedure: string, body: BodyInit, headers: Record<string, string> = {}) {
  return trpcPost(new Request(`${publicUrl}/api/trpc/${procedure}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers }, duplex: "half" } as RequestInit));
}

describe("body caps", () => {
  it("a 6 MB webhook gets 413 with a JSON error, declared or streamed; the stream is not read past the cap", async () => {
    const declared = await webhook("a".repeat(6 * MB), { "content-type": "application/json" });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: "The request body is larger than 5 MB.", limitBytes: 5 * MB } });

    const { body, state } = streamed(6 * MB);
    const chunked = await webhook(body);
    expect(chunked.status).toBe(413);
    expect(state.pulled).toBeLessThan(5 * MB + 256 * 1024);
  });

  it("a webhook under the cap reaches the trigger (unknown flow: 404, not 413)", async () => {
    const response = await webhook(JSON.stringify({ pad: "a".repeat(4 * MB) }), { "content-type": "application/json" });
    expect(response.status).not.toBe(413);
    expect(response.status).toBeLessThan(500);
  });

  it("the webhook cap is configurable", async () => {
    process.env.LEDGERLINE_WEBHOOK_MAX_BODY = "1000";
    const response = await webhook("a".repeat(2000));
    expect(response.status).toBe(413);
    expect((await response.json()).error.message).toBe("The request body is larger than 1000 bytes.");
  });

  it("a 2 MB tRPC body gets 413, declared or streamed", async () => {
    const declared = await trpc("flows.create", JSON.stringify({ json: { name: "x", pad: "a".repeat(2 * MB) } }));
    expect(declared.status).toBe(413);
    expect((await declared.json()).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: "The request body is larger than 1 MB." });
    const { body, state } = streamed(2 * MB);
    expect((await trpc("flows.create", body)).status).toBe(413);
    expect(state.pulled).toBeLessThan(MB + 256 * 1024);
  });

  it("a tRPC body under the cap reaches the router (anonymous: 401)", async () => {
    const response = await trpc("flows.create", JSON.stringify({ json: { name: "small" } }));
    expect(response.status).toBe(401);
  });
});

describe("cross-site requests (CSRF)", () => {
  const body = JSON.stringify({ json: { name: "from elsewhere" } });
  const cookie = { cookie: "ledgerline.session_token=forged.value" };

  it("refuses a cookie-carrying POST from another site or without an origin", async () => {
    for (const headers of [
      { ...cookie, origin: "https://evil.example" },
      { ...cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      { ...cookie, "sec-fetch-site": "same-site", origin: "https://sub.localhost" },
      { ...cookie, "sec-fetch-site": "cross-site", origin: new URL(publicUrl).origin },
      cookie,
    ]) {
      const response = await trpc("flows.create", body, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect((await response.json()).error.message).toMatch(/did not come from Ledgerline's own pages/);
    }
  });

  it("lets the app's own pages, Bearer tokens and anonymous requests through to the router", async () => {
    for (const headers of [
      { ...cookie, "sec-fetch-site": "same-origin", origin: new URL(publicUrl).origin },
      { ...cookie, origin: new URL(publicUrl).origin },
      { ...cookie, authorization: "Bearer llt_not-a-real-token", origin: "https://evil.example" },
      { origin: "https://evil.example" },
    ]) {
      const response = await trpc("flows.create", body, headers);
      expect(response.status, JSON.stringify(headers)).toBe(401);
    }
  });
});

/**
 * The route handlers as the internet reaches them (real Requests, real PostgreSQL behind them):
 * body caps answer 413 while the body streams, and cookie-carrying POSTs from another site are
 * refused (CSRF) while Bearer tokens and anonymous requests get the router's own answer.
 * (The webhook intake's cap: webhook-intake.test.ts.)
 */
import { beforeAll, describe, expect, it, inject } from "vitest";

type Handler = (req: Request, ctx?: unknown) => Promise<Response>;
let trpcPost: Handler;
let publicUrl: string;

beforeAll(async () => {
  process.env.DATABASE_URL = inject("databaseUrl");
  trpcPost = (await import("../api/trpc/[trpc]/route")).POST;
  publicUrl = (await import("../../db/env")).env.publicUrl;
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

function trpc(procedure: string, body: BodyInit, headers: Record<string, string> = {}) {
  return trpcPost(new Request(`${publicUrl}/api/trpc/${procedure}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers }, duplex: "half" } as RequestInit));
}

describe("body caps", () => {
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

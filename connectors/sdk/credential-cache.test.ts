import { describe, expect, it } from "vitest";
import { CredentialCache } from "./credential-cache";
import { redactedExcerpt, Redactor } from "./redact";
import { memoryStateStore, type StateStore } from "./state";

interface Token {
  identity: string;
  token: string;
  expiresAt: number;
}
interface Stored {
  other?: string;
  token?: Token;
}

/** A cache as a connector builds one: the token in one field of the state, keyed by identity. */
function cache(state: StateStore, identity: string, clock: { now: number }, issued: string[], issueMs = 20) {
  return new CredentialCache<Token, Stored>({
    state,
    pick: (s) => s?.token,
    put: (s, token) => ({ ...s, token }),
    usable: (t) => t.identity === identity && t.expiresAt > clock.now,
    secret: (t) => t.token,
    issue: async () => {
      const token = `t${issued.length + 1}`;
      issued.push(token);
      await new Promise((r) => setTimeout(r, issueMs));
      return { identity, token, expiresAt: clock.now + 60_000 };
    },
  });
}

describe("credential cache", () => {
  it("concurrent callers in one process and across processes share one sign-in", async () => {
    const state = memoryStateStore({ other: "kept" });
    const clock = { now: 1_000 };
    const issued: string[] = [];
    const workerA = cache(state, "acme", clock, issued);
    const workerB = cache(state, "acme", clock, issued);
    const tokens = await Promise.all([workerA.get(), workerA.get(), workerB.get(), workerB.get(), workerA.get()]);
    expect(issued).toEqual(["t1"]);
    expect(new Set(tokens.map((t) => t.token))).toEqual(new Set(["t1"]));
    // Stored beside the rest of the connection state.
    expect(await state.get()).toEqual({ other: "kept", token: { identity: "acme", token: "t1", expiresAt: 61_000 } });
  });

  it("renews once when the credential expires", async () => {
    const state = memoryStateStore();
    const clock = { now: 0 };
    const issued: string[] = [];
    const c = cache(state, "acme", clock, issued, 0);
    expect((await c.get()).token).toBe("t1");
    clock.now = 59_999;
    expect((await c.get()).token).toBe("t1");
    clock.now = 60_000;
    const renewed = await Promise.all([c.get(), c.get()]);
    expect(renewed.map((t) => t.token)).toEqual(["t2", "t2"]);
    expect(issued).toEqual(["t1", "t2"]);
  });

  it("a refused credential is dropped and the next caller signs in again; a stale refusal keeps a newer one", async () => {
    const state = memoryStateStore();
    const clock = { now: 0 };
    const issued: string[] = [];
    const a = cache(state, "acme", clock, issued, 0);
    const b = cache(state, "acme", clock, issued, 0);
    expect((await a.get()).token).toBe("t1");
    expect((await b.get()).token).toBe("t1");
    await a.invalidate("t1");
    expect(((await state.get()) as Stored).token).toBeUndefined();
    expect((await a.get()).token).toBe("t2");
    // b still remembers t1 in its process; the gateway refuses it: b drops t1 only, and takes t2.
    await b.invalidate("t1");
    expect(((await state.get()) as Stored).token?.token).toBe("t2");
    expect((await b.get()).token).toBe("t2");
    expect(issued).toEqual(["t1", "t2"]);
  });

  it("is keyed by the connection's identity: a credential of another identity is not used", async () => {
    const state = memoryStateStore();
    const clock = { now: 0 };
    const issued: string[] = [];
    expect((await cache(state, "acme", clock, issued, 0).get()).token).toBe("t1");
    const other = await cache(state, "globex", clock, issued, 0).get();
    expect(other).toMatchObject({ identity: "globex", token: "t2" });
  });

  it("a failed sign-in reaches every waiting caller and the next call tries again", async () => {
    const state = memoryStateStore();
    let calls = 0;
    const c = new CredentialCache<Token, Stored>({
      state,
      pick: (s) => s?.token,
      put: (s, token) => ({ ...s, token }),
      usable: () => true,
      secret: (t) => t.token,
      issue: async () => {
        calls++;
        if (calls === 1) throw new Error("sign-in refused");
        return { identity: "acme", token: "ok", expiresAt: 1 };
      },
    });
    const results = await Promise.allSettled([c.get(), c.get()]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect((await c.get()).token).toBe("ok");
    expect(calls).toBe(2);
  });

  it("update stores a later expiry of the same credential only", async () => {
    const state = memoryStateStore();
    const clock = { now: 0 };
    const c = cache(state, "acme", clock, [], 0);
    const first = await c.get();
    await c.update({ ...first, expiresAt: 120_000 });
    expect(((await state.get()) as Stored).token?.expiresAt).toBe(120_000);
    await c.update({ ...first, token: "other", expiresAt: 999 });
    expect(((await state.get()) as Stored).token).toMatchObject({ token: "t1", expiresAt: 120_000 });
  });
});

describe("redacted excerpt", () => {
  it("a secret that straddles the cut never appears, not even in part", () => {
    const secret = "s3cr3t-license-key-0123456789";
    const redactor = new Redactor([secret]);
    for (let cut = 1; cut < 60; cut++) {
      const body = `${"x".repeat(Math.max(0, cut - 10))}${secret} tail`;
      const out = redactedExcerpt(redactor, body, cut);
      expect(out).not.toContain(secret.slice(0, 6));
      expect(out).not.toContain(secret.slice(-6));
    }
  });

  it("cuts long bodies after redacting and marks the cut", () => {
    const redactor = new Redactor(["topsecret"]);
    expect(redactedExcerpt(redactor, "a topsecret b", 100)).toBe("a [redacted] b");
    expect(redactedExcerpt(redactor, "topsecret and more text", 12)).toBe("[redacted] a…");
  });
});

import { describe, expect, it } from "vitest";
import { ReferenceCache } from "./reference-cache";

describe("reference cache", () => {
  it("serves a read until it is older than the max age, then reads again", async () => {
    const clock = { t: 1_000 };
    const cache = new ReferenceCache({ maxAgeMs: 60_000, maxEntries: 10, now: () => clock.t });
    let reads = 0;
    const load = async () => ++reads;
    expect(await cache.get("a", load)).toEqual({ value: 1, readAt: 1_000, cached: false });
    clock.t += 59_999;
    expect(await cache.get("a", load)).toEqual({ value: 1, readAt: 1_000, cached: true });
    clock.t += 1;
    expect(await cache.get("a", load)).toEqual({ value: 2, readAt: 61_000, cached: false });
    // A fresh read replaces the kept one for later callers.
    expect((await cache.get("a", load, { fresh: true })).value).toBe(3);
    expect(await cache.get("a", load)).toMatchObject({ value: 3, cached: true });
    cache.forget("a");
    expect(await cache.get("a", load)).toMatchObject({ value: 4, cached: false });
  });

  it("shares one read among callers of a key, keeps keys apart, and does not keep a failed read", async () => {
    const cache = new ReferenceCache({ maxAgeMs: 60_000, maxEntries: 10 });
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const load = async () => {
      reads++;
      await gate;
      return "chart";
    };
    const both = Promise.all([cache.get("conn-1", load), cache.get("conn-1", load)]);
    const other = cache.get("conn-2", load);
    release();
    expect((await both).map((r) => r.value)).toEqual(["chart", "chart"]);
    expect((await other).cached).toBe(false);
    expect(reads).toBe(2);

    await expect(cache.get("conn-3", async () => Promise.reject(new Error("503 from the remote")))).rejects.toThrow("503");
    expect(await cache.get("conn-3", async () => "read again")).toMatchObject({ value: "read again", cached: false });
  });

  it("holds at most maxEntries keys, dropping the oldest read first", async () => {
    const cache = new ReferenceCache({ maxAgeMs: 60_000, maxEntries: 2 });
    let reads = 0;
    const load = async () => ++reads;
    await cache.get("a", load);
    await cache.get("b", load);
    await cache.get("c", load);
    expect((await cache.get("c", load)).cached).toBe(true);
    expect((await cache.get("b", load)).cached).toBe(true);
    expect((await cache.get("a", load)).cached).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { advanceWindow, windowStart, type StampClock } from "./poll-window";

/** ISO-like stamps without a zone, as Magento writes them. */
const clock: StampClock = {
  ms: (s) => Date.parse(`${s.replace(" ", "T")}Z`),
  text: (ms) => new Date(ms).toISOString().slice(0, 19).replace("T", " "),
};
const at = (r: { id: string; at: string }) => ({ key: r.id, stamp: r.at });

describe("overlap window", () => {
  it("re-reads the overlap, drops what was delivered, keeps rows sharing the newest stamp", () => {
    const first = advanceWindow(undefined, [{ id: "1", at: "2026-01-01 10:00:00" }, { id: "2", at: "2026-01-01 10:05:00" }], at, 120_000, 0, clock);
    expect(first.fresh.map((f) => f.key)).toEqual(["1", "2"]);
    expect(first.next).toEqual({ since: "2026-01-01 10:05:00", seen: ["2@2026-01-01 10:05:00"] });
    expect(clock.text(windowStart(first.next, 120_000, 0, clock))).toBe("2026-01-01 10:03:00");
    // A late commit inside the overlap, one sharing the newest stamp, and a repeat.
    const rows = [{ id: "3", at: "2026-01-01 10:04:00" }, { id: "2", at: "2026-01-01 10:05:00" }, { id: "4", at: "2026-01-01 10:05:00" }];
    const second = advanceWindow(first.next, rows, at, 120_000, 0, clock);
    expect(second.fresh.map((f) => f.key)).toEqual(["3", "4"]);
    expect(second.next.since).toBe("2026-01-01 10:05:00");
    // A changed record (new stamp) is new again.
    const third = advanceWindow(second.next, [{ id: "2", at: "2026-01-01 10:09:00" }], at, 120_000, 0, clock);
    expect(third.fresh.map((f) => `${f.key}@${f.stamp}`)).toEqual(["2@2026-01-01 10:09:00"]);
    expect(third.next.seen).toEqual(["2@2026-01-01 10:09:00"]);
  });

  it("a first poll that finds nothing starts its cursor at the lookback", () => {
    const from = clock.ms("2026-01-01 00:00:00");
    expect(advanceWindow(undefined, [], at, 60_000, from, clock).next).toEqual({ since: "2026-01-01 00:00:00", seen: [] });
    expect(windowStart(undefined, 60_000, from, clock)).toBe(from);
  });
});

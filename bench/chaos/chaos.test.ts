/**
 * The chaos bench's short version inside `npm test`: about 100 documents through the real
 * processes (three `npm run worker` processes, the web app, the four sandboxes, PostgreSQL with
 * fsync on), each fault once (SIGKILL, SIGSTOP past the stale window, SIGTERM mid-batch, a
 * PostgreSQL restart) under 20% 429s, 5% 5xx, 2% lost responses and sessions ending. The stale
 * window is 5 s here (see shortVersion) so it fits in a few minutes on two cores.
 */
import { expect, it } from "vitest";
import { runChaos, shortVersion } from "./chaos";
import { printFigures } from "./report";

it("posts every document at most once and loses none, and resumes interrupted runs within 60 s", async () => {
  const lines: string[] = [];
  const figures = await runChaos({ ...shortVersion(), log: (line) => lines.push(line) });
  printFigures(figures, (line) => lines.push(line));
  console.log(lines.join("\n"));

  const byName = Object.fromEntries(figures.integrations.map((f) => [f.integration, f]));
  expect(figures.integrations.reduce((n, f) => n + f.documents, 0)).toBe(100);
  for (const f of figures.integrations) {
    expect(f.duplicates, `${f.title}: duplicates`).toEqual([]);
    expect(f.losses, `${f.title}: losses`).toEqual([]);
    // Every document ended somewhere a person can see it: posted, nothing to post, parked or failed.
    expect(f.posted + f.skipped + f.needsReview + f.failed + f.unfinished, f.title).toBe(f.documents);
  }
  // The faults reached real work: postings in every target, and each process fault met runs in flight.
  expect(byName.exact!.posted).toBeGreaterThan(0);
  expect(byName.intacct!.posted).toBeGreaterThan(0);
  expect(byName.commerce!.posted).toBeGreaterThan(0);
  expect(figures.recoveries.map((r) => r.event.kind)).toEqual(["SIGKILL", "SIGSTOP", "SIGTERM", "postgres restart"]);
  for (const r of figures.recoveries) {
    expect(r.stuck, `${r.event.kind}: runs that never resumed`).toEqual([]);
  }
  expect(figures.slowestRecoveryMs).toBeLessThan(60_000);
  expect(figures.ok).toBe(true);
}, 600_000);

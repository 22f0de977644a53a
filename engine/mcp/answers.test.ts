/**
 * Paging and the size cap of tool answers: every list of a result is cut to the same window, the
 * totals say how long each list is, and an answer too large for the cap is sent with fewer rows.
 */
import { describe, expect, it } from "vitest";
import { fittedPage, MAX_ANSWER_CHARS, pageResult } from "./answers";

describe("tool answers", () => {
  it("pages every list of a result, nested ones too, and says where the next page starts", () => {
    const result = { object: "GLACCOUNT", records: Array.from({ length: 7 }, (_, i) => ({ no: i })), dimensions: { DEPARTMENT: ["A", "B"], LOCATION: ["X", "Y", "Z"] } };
    const first = pageResult(result, 0, 3);
    expect(first.value).toEqual({ object: "GLACCOUNT", records: [{ no: 0 }, { no: 1 }, { no: 2 }], dimensions: { DEPARTMENT: ["A", "B"], LOCATION: ["X", "Y", "Z"] } });
    expect(first.page).toEqual({ offset: 0, limit: 3, totals: { records: 7, "dimensions.DEPARTMENT": 2, "dimensions.LOCATION": 3 }, nextOffset: 3 });
    const last = pageResult(result, 6, 3);
    expect((last.value as typeof result).records).toEqual([{ no: 6 }]);
    expect(last.page!.nextOffset).toBeNull();
    // A result without lists is answered whole.
    expect(pageResult({ recordNo: "12" }, 0, 3)).toEqual({ value: { recordNo: "12" }, page: null });
  });

  it("sends fewer rows when a page would pass the answer cap", () => {
    const rows = Array.from({ length: 400 }, (_, i) => ({ i, text: "x".repeat(1000) }));
    const { value, page, capped } = fittedPage({ rows }, 0, 400);
    expect(capped).toBe(true);
    expect(JSON.stringify(value).length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
    expect(page!.limit).toBeLessThan(400);
    expect(page!.nextOffset).toBe(page!.limit);
    expect((value as { rows: unknown[] }).rows).toHaveLength(page!.limit);
  });
});

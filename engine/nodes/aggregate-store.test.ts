/**
 * Summary posting's exact arithmetic and windows, without a database: amounts in integer minor
 * units, windows in UTC, group keys independent of field order, lines summed per identical fields.
 */
import { describe, expect, it } from "vitest";
import { canonical, formatMinor, groupKeyOf, normalizeLines, referenceFor, sumLines, toMinor, windowOf } from "./aggregate-store";

describe("exact amounts", () => {
  it("parses decimal strings and short numbers into minor units and formats them back", () => {
    expect(toMinor("12.34")).toBe(1234n);
    expect(toMinor("-0.05")).toBe(-5n);
    expect(toMinor("7")).toBe(700n);
    expect(toMinor(19.9)).toBe(1990n);
    expect(toMinor("1.500")).toBe(150n); // trailing zeros lose nothing
    expect(toMinor("123456789012345.67")).toBe(12345678901234567n); // beyond float precision
    expect(formatMinor(12345678901234567n)).toBe("123456789012345.67");
    expect(formatMinor(-5n)).toBe("-0.05");
    expect(formatMinor(0n)).toBe("0.00");
    expect(toMinor("1.2345", 4)).toBe(12345n);
    expect(formatMinor(12345n, 4)).toBe("1.2345");
  });

  it("refuses what it would have to round or guess", () => {
    expect(() => toMinor(0.1 + 0.2)).toThrow(/more than 2 decimals/);
    expect(() => toMinor("1.005")).toThrow(/more than 2 decimals/);
    expect(() => toMinor("1,000.00")).toThrow(/decimal number/);
    expect(() => toMinor(Number.NaN)).toThrow(/decimal number/);
    expect(() => toMinor(undefined)).toThrow(/decimal number/);
  });

  it("sums a thousand cents exactly where floats drift", () => {
    const lines = Array.from({ length: 1000 }, () => [{ accountNo: "4000", amount: "0.10" }]);
    expect(sumLines(lines, 2).total).toBe("100.00");
    expect(Array.from({ length: 1000 }, () => 0.1).reduce((a, b) => a + b, 0)).not.toBe(100);
  });
});

describe("windows", () => {
  it("places a record in its UTC hour, day or month", () => {
    expect(windowOf("2026-11-30T23:59:59Z", "day")).toEqual({ key: "2026-11-30", start: new Date("2026-11-30T00:00:00Z"), end: new Date("2026-12-01T00:00:00Z") });
    expect(windowOf("2026-12-01T00:30:00+01:00", "day").key).toBe("2026-11-30");
    expect(windowOf("2026-11-30", "hour")).toMatchObject({ key: "2026-11-30T00", end: new Date("2026-11-30T01:00:00Z") });
    expect(windowOf("2026-12-15", "month")).toEqual({ key: "2026-12", start: new Date("2026-12-01T00:00:00Z"), end: new Date("2027-01-01T00:00:00Z") });
    expect(() => windowOf("yesterday", "day")).toThrow(/YYYY-MM-DD/);
    expect(() => windowOf(undefined, "day")).toThrow(/YYYY-MM-DD/);
  });
});

describe("groups and lines", () => {
  it("gives a group the same key whatever the order of its fields", () => {
    expect(groupKeyOf({ channel: "web", department: "SALES" })).toBe(groupKeyOf({ department: "SALES", channel: "web" }));
    expect(groupKeyOf("web")).toBe("web");
    expect(canonical({ b: [1, { d: 2, c: 3 }], a: null })).toBe('{"a":null,"b":[1,{"c":3,"d":2}]}');
    expect(() => groupKeyOf(undefined)).toThrow(/group-by/);
    expect(referenceFor("daily-sales", "2026-11-24", "web")).toMatch(/^2026-11-24-[0-9A-F]{10}$/);
    expect(referenceFor("daily-sales", "2026-11-24", "web")).not.toBe(referenceFor("daily-sales", "2026-11-24", "store"));
  });

  it("checks a record's lines: typed lines balance, every line typed or none", () => {
    const ok = normalizeLines([{ accountNo: "1200", type: "debit", amount: "10.00" }, { accountNo: "4000", type: "credit", amount: 10 }], 2);
    expect(ok).toEqual({ lines: [{ accountNo: "1200", type: "debit", amount: "10.00" }, { accountNo: "4000", type: "credit", amount: "10.00" }], minor: 1000n });
    expect(() => normalizeLines([{ accountNo: "1200", type: "debit", amount: "10.00" }, { accountNo: "4000", type: "credit", amount: "9.99" }], 2)).toThrow(/do not balance: debits 10.00, credits 9.99/);
    expect(() => normalizeLines([{ type: "debit", amount: "1.00" }, { amount: "1.00" }], 2)).toThrow(/every line a type/);
    expect(() => normalizeLines([], 2)).toThrow(/no lines/);
    expect(() => normalizeLines([{ accountNo: { nested: true }, amount: "1.00" }], 2)).toThrow(/must be a text or a number/);
  });

  it("sums lines per identical fields (account, type, dimensions) and drops lines that net to zero", () => {
    const summed = sumLines(
      [
        [{ accountNo: "1200", type: "debit", amount: "10.05" }, { accountNo: "4000", type: "credit", amount: "10.05", departmentId: "SALES" }],
        [{ accountNo: "1200", type: "debit", amount: "0.95" }, { accountNo: "4000", type: "credit", amount: "0.95", departmentId: "SALES" }],
        [{ accountNo: "1200", type: "debit", amount: "2.00" }, { accountNo: "4000", type: "credit", amount: "2.00", departmentId: "OPS" }],
        [{ accountNo: "9000", type: "debit", amount: "1.00" }, { accountNo: "9000", type: "debit", amount: "-1.00" }],
      ],
      2,
    );
    expect(summed.lines).toEqual([
      { accountNo: "1200", type: "debit", amount: "13.00" },
      { accountNo: "4000", type: "credit", departmentId: "SALES", amount: "11.00" },
      { accountNo: "4000", type: "credit", departmentId: "OPS", amount: "2.00" },
    ]);
    expect(summed).toMatchObject({ totalDebit: "13.00", totalCredit: "13.00" });
  });
});

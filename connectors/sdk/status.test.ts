import { describe, expect, it } from "vitest";
import { NeedsReviewError, PermanentError, RetryableError } from "./errors";
import { errorForStatus, statusStep } from "./status";

const base = { system: "demo", message: (step: string, status: number) => `${step} ${status}` };

describe("HTTP status ladder", () => {
  it("puts each status on its step", () => {
    expect([429, 500, 502, 503, 524, 401, 403, 404, 409, 400, 422, 408, 200, 302].map((s) => statusStep(s))).toEqual([
      "rate_limited",
      "transient",
      "transient",
      "transient",
      "transient",
      "auth",
      "auth",
      "not_found",
      "conflict",
      "invalid",
      "invalid",
      "invalid",
      undefined,
      undefined,
    ]);
    expect(statusStep(408, [408])).toBe("transient");
  });

  it("429 is retryable with its Retry-After and never outcome unknown", () => {
    const error = errorForStatus({ ...base, status: 429, retryAfterMs: 7000, write: true, code: "rate" });
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ message: "rate_limited 429", retryAfterMs: 7000, outcomeUnknown: false, status: 429, code: "rate", system: "demo" });
  });

  it("5xx is retryable; a write's outcome is unknown unless the connector says the status applies nothing", () => {
    expect(errorForStatus({ ...base, status: 502 })).toMatchObject({ kind: "retryable", outcomeUnknown: false });
    expect(errorForStatus({ ...base, status: 502, write: true })).toMatchObject({ kind: "retryable", outcomeUnknown: true });
    const onlyAfterProcessing = (s: number) => s === 524;
    expect(errorForStatus({ ...base, status: 502, write: true, mayHaveApplied: onlyAfterProcessing })).toMatchObject({ outcomeUnknown: false });
    expect(errorForStatus({ ...base, status: 524, write: true, mayHaveApplied: onlyAfterProcessing })).toMatchObject({ outcomeUnknown: true });
    expect(errorForStatus({ ...base, status: 408, timeouts: [408], write: true })).toMatchObject({ kind: "retryable", outcomeUnknown: true });
  });

  it("401 and 403 are permanent and mark the connection as the connector asks", () => {
    const error = errorForStatus({ ...base, status: 401, authHealth: "failing", body: "{}" });
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ message: "auth 401", connectionHealth: "failing", body: "{}" });
    expect(errorForStatus({ ...base, status: 403 }).connectionHealth).toBeUndefined();
  });

  it("404, 409 and other 4xx are permanent, with the remote code and details kept", () => {
    for (const status of [404, 409, 400, 422]) {
      const error = errorForStatus({ ...base, status, code: "X", details: { field: "a" } });
      expect(error).toBeInstanceOf(PermanentError);
      expect(error).toMatchObject({ status, code: "X", details: { field: "a" } });
    }
    expect(errorForStatus({ ...base, status: 409 }).message).toBe("conflict 409");
    expect(errorForStatus({ ...base, status: 404 }).message).toBe("not_found 404");
  });

  it("a connector's own step (an error code inside a 400) and its own error for a step", () => {
    expect(errorForStatus({ ...base, status: 400, step: "rate_limited", retryAfterMs: 1000 })).toMatchObject({ kind: "retryable", retryAfterMs: 1000 });
    const error = errorForStatus({
      ...base,
      status: 403,
      override: { auth: (info) => new NeedsReviewError(info.message, { ...info, reasonCode: "access_denied" }) },
    });
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect(error).toMatchObject({ reasonCode: "access_denied", status: 403, system: "demo", message: "auth 403" });
  });
});

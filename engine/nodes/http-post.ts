/**
 * HTTP POST (idempotent): send the input as JSON to any endpoint that honours an `Idempotency-Key`
 * header. The business key comes from a field of the input, so a retry, a replay or a duplicate
 * trigger never posts twice.
 * https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 *
 * Where it may post (engine/egress.ts): any public host; this machine (loopback) and private
 * networks only when LEDGERLINE_ALLOWED_HOSTS lists them; link-local and cloud-metadata never. Checked when
 * the flow is saved and again when each request connects (after DNS, and on redirects).
 */
import { z } from "zod";
import { AlreadyDoneError, nodeFactory, parseRetryAfter, PermanentError, RetryableError } from "../../connectors/sdk";
import { egressFor } from "../egress";
import { evaluate, safePath } from "./expressions";

const core = nodeFactory<undefined>("core");

/** Own fields only: `constructor.name` must not give every record the same key. */
function readPath(input: unknown, path: string): unknown {
  let cursor: unknown = input;
  for (const part of path.split(".")) {
    if (cursor === null || typeof cursor !== "object" || !Object.hasOwn(cursor, part)) return undefined;
    cursor = (cursor as Record<string, unknown>)[part];
  }
  return cursor;
}

function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

export const httpPost = core({
  type: "core.httpPost",
  version: 1,
  title: "HTTP POST (idempotent)",
  description: "POST the input as JSON with an Idempotency-Key header derived from a field of the record.",
  category: "connector",
  icon: "send",
  config: z.object({
    url: z
      .string()
      .url()
      .superRefine((url, issue) => {
        const reason = egressFor("core").refusal(url);
        if (reason) issue.addIssue({ code: "custom", message: reason });
      })
      .describe("Endpoint URL"),
    keyPath: safePath(z.string().min(1)).describe("Field of the input that identifies the record, e.g. invoice.id"),
    body: z.string().optional().describe("Optional JSONata expression for the body (default: the input)").meta({ format: "jsonata" }),
    timeoutMs: z.number().int().min(100).max(120_000).default(30_000),
  }),
  input: z.unknown(),
  output: z.object({ status: z.number(), body: z.unknown() }),
  effect: {
    kind: "write",
    key: (input, config) => {
      const value = readPath(input, config.keyPath);
      if (value === undefined || value === null || value === "") throw new Error(`the input has no value at ${config.keyPath}`);
      return `${new URL(config.url).host}:${String(value)}`;
    },
  },
  run: async (ctx, input, config) => {
    const body = config.body ? await evaluate(config.body, input, ctx, "body") : input;
    const key = ctx.idempotency?.key ?? "";
    const response = await ctx.http.request({
      method: "POST",
      url: config.url,
      headers: { "content-type": "application/json", accept: "application/json", "idempotency-key": key },
      body: JSON.stringify(body ?? null),
      timeoutMs: config.timeoutMs,
    });
    const parsed = parseBody(response.text);
    if (response.status >= 200 && response.status < 300) return { status: response.status, body: parsed };
    const info = { system: "http", status: response.status, body: response.text.slice(0, 2000) };
    if (response.status === 409) throw new AlreadyDoneError(`already posted (409)`, { ...info, result: { status: 409, body: parsed } });
    if (response.status === 429 || response.status >= 500) {
      throw new RetryableError(`POST answered ${response.status}`, { ...info, retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) });
    }
    throw new PermanentError(`POST answered ${response.status}`, info);
  },
});

"use client";
/** Recorded HTTP calls (method, URL, status, duration, bodies), already redacted by the server. */
import { formatDuration } from "./ui";

export interface HttpCall { label?: string; method: string; url: string; status?: number; durationMs: number; requestHeaders?: Record<string, string>; requestBody?: string; responseBody?: string; error?: string; at?: string }

function prettyBody(body: string | undefined) {
  if (!body) return null;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export function HttpCalls({ calls, empty = "This step made no HTTP calls." }: { calls: HttpCall[]; empty?: string }) {
  if (calls.length === 0) return <div className="muted small">{empty}</div>;
  return (
    <div className="stack" style={{ gap: 8 }}>
      {calls.map((c, i) => (
        <details key={i} className="card" data-testid="http-call">
          <summary className="row" style={{ padding: "8px 12px" }}>
            <span className="mono" style={{ fontWeight: 700, width: 52 }}>{c.method}</span>
            <span className={`badge plain ${!c.status ? "badge-fail" : c.status < 300 ? "badge-ok" : c.status < 500 && c.status !== 429 ? "badge-fail" : "badge-review"}`}>{c.status ?? "no answer"}</span>
            <span className="mono truncate" style={{ flex: 1 }} title={c.url}>{c.url}</span>
            <span className="muted small nowrap">{formatDuration(c.durationMs)}</span>
          </summary>
          <div className="card-body stack" style={{ paddingTop: 0 }}>
            {c.label ? <div className="small muted">{c.label}</div> : null}
            {c.error ? <div className="alert alert-error">{c.error}</div> : null}
            <div className="grid-2">
              <div>
                <div className="field-label small" style={{ marginBottom: 4 }}>Request</div>
                {c.requestHeaders && Object.keys(c.requestHeaders).length ? (
                  <pre className="codebox" style={{ marginBottom: 6 }}>{Object.entries(c.requestHeaders).map(([k, v]) => `${k}: ${v}`).join("\n")}</pre>
                ) : null}
                {c.requestBody ? <pre className="codebox">{prettyBody(c.requestBody)}</pre> : <div className="muted small">No body</div>}
              </div>
              <div>
                <div className="field-label small" style={{ marginBottom: 4 }}>Response</div>
                {c.responseBody ? <pre className="codebox">{prettyBody(c.responseBody)}</pre> : <div className="muted small">No body</div>}
              </div>
            </div>
          </div>
        </details>
      ))}
    </div>
  );
}


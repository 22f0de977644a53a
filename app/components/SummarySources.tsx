/**
 * The source records of a summary posting (the Summary close trigger's output): each record key
 * with its amount and a link to the run that put it into the summary.
 */
import Link from "next/link";

interface SummaryOutput {
  window?: string;
  groupKey?: string;
  total?: string;
  records?: Array<{ recordKey: string; runId: string; amount: string }>;
}

export function SummarySources({ output }: { output: unknown }) {
  const summary = (output ?? {}) as SummaryOutput;
  if (!Array.isArray(summary.records)) return null;
  return (
    <div style={{ marginBottom: 12 }} data-testid="summary-sources">
      <div className="small muted" style={{ marginBottom: 6 }}>
        {summary.records.length} source record{summary.records.length === 1 ? "" : "s"} in window {summary.window}, group {summary.groupKey} (total {summary.total})
      </div>
      <div className="table-wrap" style={{ maxHeight: 280, overflow: "auto" }}>
        <table className="table">
          <thead><tr><th>Record</th><th className="right">Amount</th><th>Run</th></tr></thead>
          <tbody>
            {summary.records.map((r) => (
              <tr key={r.recordKey}>
                <td className="mono small">{r.recordKey}</td>
                <td className="right mono">{r.amount}</td>
                <td><Link href={`/runs/${r.runId}`}>open</Link></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

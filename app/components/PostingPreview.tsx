"use client";
/**
 * What a write would post, as a dry run renders it (connectors' `WriteEffect.preview`): a journal
 * (Intacct GLBATCH, an Exact general journal entry), an Intacct AR debit or credit memo, an AP
 * bill. Each posting is a table of its lines with accounts, dimensions, debit/credit (or amount)
 * and the source each line came from, with its totals and balance. Anything else shows as JSON.
 */

interface Line {
  account: string;
  dimensions: Record<string, string>;
  debit: string;
  credit: string;
  amount: string;
  from: string;
}
interface Posting {
  title: string;
  currency: string | null;
  /** Journals have debit and credit columns; memos and bills one amount column. */
  sided: boolean;
  lines: Line[];
  totalDebit?: string;
  totalCredit?: string;
  balance?: string;
  total?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const dims = (d: unknown): Record<string, string> => (d && typeof d === "object" ? (Object.fromEntries(Object.entries(d).filter(([, v]) => v)) as Record<string, string>) : {});
const sidedLine = (l: Any): Line => ({
  account: String(l.accountNo ?? l.glAccount ?? ""),
  dimensions: dims(l.dimensions),
  debit: l.type === "debit" ? String(l.amount) : "",
  credit: l.type === "credit" ? String(l.amount) : "",
  amount: String(l.amount),
  from: String(l.jurisdiction ?? l.document ?? l.memo ?? l.description ?? ""),
});
const amountLine = (l: Any): Line => ({ account: String(l.accountNo ?? ""), dimensions: dims(l.dimensions), debit: "", credit: "", amount: String(l.amount), from: String(l.memo ?? "") });

/** The postings a rendered write holds ([] when it is not one we know how to lay out). */
export function postingsOf(wouldPost: unknown): Posting[] {
  const p = wouldPost as Any;
  if (!p || typeof p !== "object") return [];
  const currency = typeof p.currency === "string" ? p.currency : null;
  if (p.object === "ARADJUSTMENT") {
    const memos: Posting[] = (p.reversals ?? []).map((r: Any) => ({
      title: `${r.kind} ${r.adjustmentNumber}, reversing adjustment ${r.reverses}`,
      currency: r.currency ?? currency,
      sided: false,
      lines: (r.lines ?? []).map(amountLine),
      total: r.total,
    }));
    if (p.adjustment) memos.push({ title: `${p.adjustment.kind} ${p.adjustment.adjustmentNumber} for customer ${p.customerId}${p.invoiceNumber ? `, invoice ${p.invoiceNumber}` : ""}`, currency: p.adjustment.currency ?? currency, sided: false, lines: (p.adjustment.lines ?? []).map(amountLine), total: p.adjustment.total });
    return memos;
  }
  if (p.object === "GLBATCH" && Array.isArray(p.batches)) {
    return p.batches.map((b: Any) => ({ title: `${b.journal} batch: ${b.title}`, currency: b.currency ?? currency, sided: true, lines: (b.lines ?? []).map(sidedLine), totalDebit: b.totalDebit, totalCredit: b.totalCredit, balance: b.balance }));
  }
  if (p.object === "GeneralJournalEntry" && Array.isArray(p.entries)) {
    return p.entries.map((e: Any) => ({
      title: e.reversal ? `Reversal of entry ${e.reverses ?? ""} in journal ${e.journal}` : `Entry in journal ${e.journal}`,
      currency: e.currency ?? currency,
      sided: true,
      lines: (e.lines ?? []).map(sidedLine),
      totalDebit: e.totalDebit,
      totalCredit: e.totalCredit,
      balance: e.balance,
    }));
  }
  if (p.object === "APBILL" && Array.isArray(p.lines)) {
    return [{ title: `AP bill ${p.billNumber ?? ""} for vendor ${p.vendorId ?? ""}`, currency, sided: false, lines: p.lines.map(amountLine), total: p.total }];
  }
  if (Array.isArray(p.lines) && p.lines.every((l: Any) => l && typeof l.accountNo === "string" && (l.type === "debit" || l.type === "credit"))) {
    return [{ title: `Journal entry${p.journal ? ` in ${p.journal}` : ""}${p.referenceNo ? `, reference ${p.referenceNo}` : ""}`, currency, sided: true, lines: p.lines.map(sidedLine), totalDebit: p.totalDebit, totalCredit: p.totalCredit, balance: p.balance }];
  }
  return [];
}

export function PostingTable({ posting }: { posting: Posting }) {
  return (
    <table className="table posting" data-testid="posting-lines">
      <caption className="small" style={{ textAlign: "left" }}>{posting.title}</caption>
      <thead>
        <tr>
          <th>Account</th>
          <th>Dimensions</th>
          {posting.sided ? <><th>Debit</th><th>Credit</th></> : <th>Amount</th>}
          <th>From</th>
        </tr>
      </thead>
      <tbody>
        {posting.lines.map((l, i) => (
          <tr key={i}>
            <td className="mono">{l.account}</td>
            <td className="small">{Object.entries(l.dimensions).map(([k, v]) => `${k}: ${v}`).join(", ")}</td>
            {posting.sided ? <><td className="mono">{l.debit}</td><td className="mono">{l.credit}</td></> : <td className="mono">{l.amount}</td>}
            <td className="small">{l.from}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        {posting.sided ? (
          <tr data-testid="posting-total"><td colSpan={2}>Total{posting.currency ? ` (${posting.currency})` : ""}, balance {posting.balance ?? "?"}</td><td className="mono">{posting.totalDebit}</td><td className="mono">{posting.totalCredit}</td><td /></tr>
        ) : (
          <tr data-testid="posting-total"><td colSpan={2}>Total{posting.currency ? ` (${posting.currency})` : ""}</td><td className="mono">{posting.total}</td><td /></tr>
        )}
      </tfoot>
    </table>
  );
}

/** A rendered write: its postings as tables, or its JSON when it is not a posting. */
export function PostingPreview({ wouldPost }: { wouldPost: unknown }) {
  const postings = postingsOf(wouldPost);
  const outcome = (wouldPost as { outcome?: string } | null)?.outcome;
  if (postings.length === 0) {
    return (
      <>
        {outcome === "unchanged" || outcome === "nothing_to_post" ? <p className="small muted">{outcome === "unchanged" ? "The books already hold this: nothing would be posted." : "Nothing to post."}</p> : null}
        <details><summary className="small">Details</summary><pre className="small">{JSON.stringify(wouldPost, null, 2)}</pre></details>
      </>
    );
  }
  return (
    <>
      {postings.map((p, i) => <PostingTable key={i} posting={p} />)}
      <details><summary className="small">As sent</summary><pre className="small">{JSON.stringify(wouldPost, null, 2)}</pre></details>
    </>
  );
}

"use client";
/**
 * Test and run: a dry run (flows.dryRun: reads and transforms execute, the first write stops and
 * shows what it would send) and "Run now" (flows.runNow, queued for the worker), both with
 * optional JSON input, then each node's input and output from runs.get, and a link to the run.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { isTerminalRunStatus, type NodeRunStatus, type RunStatus } from "../../../engine/status";
import { useCan } from "../../lib/role";
import { useTRPC } from "../../lib/trpc";
import { typeKey, useEditor, useEditorStore, useNotify, useRegistry } from "./context";

const STATUS_TEXT: Record<string, string> = {
  queued: "Queued",
  running: "Running",
  waiting: "Waiting to retry",
  retrying: "Retrying",
  succeeded: "Succeeded",
  already_done: "Already done (read back)",
  failed: "Failed",
  needs_review: "Needs review",
  skipped: "Skipped",
  dry_run: "Dry run: stopped before writing",
  awaiting_approval: "Awaiting approval",
  rejected: "Rejected by an approver",
} satisfies Record<RunStatus | NodeRunStatus, string>;

export function StatusPill({ status }: { status: string }) {
  return <span className={`ed-status st-${status}`}>{STATUS_TEXT[status] ?? status}</span>;
}

export function RunPanel({ ensureSaved, triggerType }: { ensureSaved: (why: string) => Promise<boolean>; triggerType: string | undefined }) {
  const trpc = useTRPC();
  const notify = useNotify();
  const { flowId } = useRegistry();
  const problems = useEditor((s) => s.problems.length);
  const [text, setText] = useState("");
  const [runId, setRunId] = useState<string | null>(null);
  const [kind, setKind] = useState<"dry" | "run" | null>(null);
  const queryClient = useQueryClient();
  const canRun = useCan("operator");
  const dry = useMutation(trpc.flows.dryRun.mutationOptions());
  const run = useMutation(trpc.flows.runNow.mutationOptions());
  const details = useQuery({
    ...trpc.runs.get.queryOptions({ runId: runId ?? "" }),
    enabled: Boolean(runId),
    refetchInterval: (q) => (q.state.data && isTerminalRunStatus(q.state.data.run.status) ? false : 1000),
  });

  let parsed: unknown = undefined;
  let parseError: string | null = null;
  if (text.trim()) {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      parseError = (error as Error).message;
    }
  }

  /** The trigger's sample record (runInput.describe) as a starting point. */
  async function fillSample() {
    if (!(await ensureSaved("Saved to read the trigger's input"))) return;
    try {
      const info = await queryClient.fetchQuery({ ...trpc.runInput.describe.queryOptions({ flowId }), staleTime: 0 });
      setText(JSON.stringify(info.sample ?? {}, null, 2));
    } catch (error) {
      notify({ kind: "error", text: `Could not read the trigger's input: ${(error as Error).message}` });
    }
  }

  async function start(which: "dry" | "run") {
    if (parseError) return;
    if (!(await ensureSaved(which === "dry" ? "Saved for a dry run" : "Saved before Run now"))) return;
    setRunId(null);
    try {
      const res = which === "dry" ? await dry.mutateAsync({ flowId, data: parsed }) : await run.mutateAsync({ flowId, data: parsed });
      setKind(which);
      setRunId(res!.runId);
    } catch (error) {
      notify({ kind: "error", text: `${which === "dry" ? "Dry run" : "Run"} refused: ${(error as Error).message}` });
    }
  }

  const busy = dry.isPending || run.isPending;
  const status = details.data?.run.status;
  return (
    <div className="ed-config" data-testid="run-panel">
      <h3 className="ed-panel-title">Test and run</h3>
      <label className="ed-label" htmlFor="run-input">
        Input data (JSON, optional)
      </label>
      <textarea
        id="run-input"
        className="ed-code"
        rows={5}
        spellCheck={false}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={triggerType === "core.manualTrigger" ? "Leave empty to use the trigger's sample data" : '{ "id": "…" }'}
        data-testid="run-input"
      />
      {parseError && <div className="ed-field-problem">Not valid JSON: {parseError}</div>}
      <p className="ed-help">
        A dry run reads and transforms for real, then stops at the first node that would write and shows what it would send. Run now queues a real run.
      </p>
      {problems > 0 && <div className="ed-warn-box">Fix the {problems} problem{problems > 1 ? "s" : ""} marked on the canvas first: flows with problems cannot run.</div>}
      {!canRun && <div className="ed-warn-box">Dry runs and runs need the operator role or higher in this workspace.</div>}
      {canRun && (
      <div className="ed-run-actions">
        <button type="button" className="ed-btn ed-btn-ghost" disabled={busy} onClick={() => void fillSample()} data-testid="run-sample">
          Sample record
        </button>
        <button type="button" className="ed-btn" disabled={busy || Boolean(parseError) || problems > 0} onClick={() => void start("dry")} data-testid="dry-run">
          {dry.isPending ? "Dry running…" : "Dry run"}
        </button>
        <button type="button" className="ed-btn ed-btn-primary" disabled={busy || Boolean(parseError) || problems > 0} onClick={() => void start("run")} data-testid="run-now">
          {run.isPending ? "Starting…" : "Run now"}
        </button>
      </div>
      )}

      {runId && (
        <div className="ed-run-result" data-testid="run-result">
          <div className="ed-run-result-head">
            <span>{kind === "dry" ? "Dry run" : "Run"}</span>
            <span data-testid="run-status">{status ? <StatusPill status={status} /> : <span className="ed-muted">starting…</span>}</span>
            <Link href={`/runs/${runId}`} className="ed-link" data-testid="run-link">
              Open run log →
            </Link>
          </div>
          {details.data?.run.errorKind && (
            <div className="ed-problems-box">{String((details.data.run.error as { message?: string } | null)?.message ?? details.data.run.errorKind)}</div>
          )}
          <NodeRuns nodeRuns={details.data?.nodeRuns ?? []} />
          {status && !isTerminalRunStatus(status) && <p className="ed-muted ed-small">Updating every second…</p>}
        </div>
      )}
    </div>
  );
}

interface NodeRunLite {
  nodeId: string;
  nodeType: string;
  status: string;
  input: unknown;
  output: unknown;
  error: unknown;
  durationMs: number | null;
}

interface RenderedLine {
  accountNo: string;
  type: "debit" | "credit";
  amount: string;
  memo?: string;
  document?: string;
  dimensions?: Record<string, string>;
}

/** A rendered journal (a write's dry-run preview): its lines, debit/credit and balance. */
function PostingLines({ posting }: { posting: unknown }) {
  const p = posting as { lines?: RenderedLine[]; totalDebit?: string; totalCredit?: string; balance?: string; currency?: string } | null;
  if (!p || !Array.isArray(p.lines) || !p.lines.every((l) => l && typeof l.accountNo === "string")) return null;
  return (
    <table className="ed-posting" data-testid="posting-lines">
      <thead>
        <tr><th>Account</th><th>Dimensions</th><th>Debit</th><th>Credit</th><th>From</th></tr>
      </thead>
      <tbody>
        {p.lines.map((l, i) => (
          <tr key={i}>
            <td className="mono">{l.accountNo}</td>
            <td className="ed-small">{Object.entries(l.dimensions ?? {}).map(([k, v]) => `${k}: ${v}`).join(", ")}</td>
            <td className="mono">{l.type === "debit" ? l.amount : ""}</td>
            <td className="mono">{l.type === "credit" ? l.amount : ""}</td>
            <td className="ed-small">{l.document ?? l.memo ?? ""}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr><td colSpan={2}>Total{p.currency ? ` (${p.currency})` : ""}, balance {p.balance ?? "?"}</td><td className="mono">{p.totalDebit}</td><td className="mono">{p.totalCredit}</td><td /></tr>
      </tfoot>
    </table>
  );
}

function NodeRuns({ nodeRuns }: { nodeRuns: NodeRunLite[] }) {
  const store = useEditorStore();
  const { byKey } = useRegistry();
  const nodes = useEditor((s) => s.nodes);
  if (nodeRuns.length === 0) return <p className="ed-muted ed-small">No node has run yet.</p>;
  return (
    <ol className="ed-noderuns">
      {nodeRuns.map((nr) => {
        const node = nodes.find((n) => n.id === nr.nodeId);
        const info = node ? byKey.get(typeKey(node.data.type, node.data.typeVersion)) : undefined;
        const dry = nr.status === "dry_run" ? (nr.output as { wouldSend?: unknown; wouldPost?: unknown } | null) : null;
        const wouldSend = dry?.wouldPost ?? dry?.wouldSend;
        return (
          <li key={nr.nodeId} className={`ed-noderun st-${nr.status}`} data-testid="node-run">
            <div className="ed-noderun-head">
              <button type="button" className="ed-link" onClick={() => store.getState().selectNode(nr.nodeId)} title="Show on canvas">
                {node?.data.name || info?.title || nr.nodeId}
              </button>
              <StatusPill status={nr.status} />
              {nr.durationMs !== null && <span className="ed-muted ed-small">{nr.durationMs} ms</span>}
            </div>
            {wouldSend !== undefined && (
              <div className="ed-wouldsend" data-testid="would-send">
                <div className="ed-label">{dry?.wouldPost !== undefined ? "Would post (nothing was sent)" : "Would send"}</div>
                <PostingLines posting={wouldSend} />
                <pre>{JSON.stringify(wouldSend, null, 2)}</pre>
              </div>
            )}
            {Boolean(nr.error) && <div className="ed-field-problem">{String((nr.error as { message?: string }).message ?? "")}</div>}
            <details>
              <summary>Input</summary>
              <pre>{JSON.stringify(nr.input, null, 2) ?? "(none)"}</pre>
            </details>
            {wouldSend === undefined && (
              <details>
                <summary>Output</summary>
                <pre>{JSON.stringify(nr.output, null, 2) ?? "(none)"}</pre>
              </details>
            )}
          </li>
        );
      })}
    </ol>
  );
}

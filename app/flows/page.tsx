"use client";
/** Flows: every flow of the workspace with its state and last week's runs; create, import, open, (de)activate. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ImportFlowDialog } from "../components/FlowTransfer";
import { EmptyState, ErrorBox, Loading, Modal, PageHeader, StatusBadge, errorMessage, timeAgo } from "../components/ui";
import { useCan } from "../lib/role";
import { useTRPC } from "../lib/trpc";
import { Form } from "../components/Form";

export default function FlowsPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const flows = useQuery(trpc.flows.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const canEdit = useCan("editor");
  const [name, setName] = useState("");
  const [toggleError, setToggleError] = useState<string | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });

  const create = useMutation(
    trpc.flows.create.mutationOptions({
      onSuccess: (result) => {
        void invalidate();
        if (result) router.push(`/flows/${result.flowId}`);
      },
    }),
  );
  const activate = useMutation(trpc.flows.activate.mutationOptions({ onSuccess: invalidate, onError: (e) => setToggleError(errorMessage(e)) }));
  const deactivate = useMutation(trpc.flows.deactivate.mutationOptions({ onSuccess: invalidate, onError: (e) => setToggleError(errorMessage(e)) }));

  return (
    <div className="page">
      <PageHeader
        title="Flows"
        description="Each flow moves records from one system to another. Open a flow to edit it on the canvas."
        actions={
          <>
            {canEdit ? (
              <>
                <button className="btn" onClick={() => setImporting(true)} data-testid="import-flow">Import</button>
                <Link className="btn" href="/templates">Start from a template</Link>
                <button className="btn btn-primary" onClick={() => setCreating(true)}>+ New flow</button>
              </>
            ) : null}
          </>
        }
      />
      {toggleError ? (
        <div className="alert alert-error" role="alert" style={{ marginBottom: 12 }}>
          {toggleError} <button className="btn btn-xs btn-ghost" onClick={() => setToggleError(null)}>Dismiss</button>
        </div>
      ) : null}
      <div className="table-wrap">
        {flows.isLoading ? (
          <Loading what="Loading flows" />
        ) : flows.error ? (
          <div className="card-body"><ErrorBox error={flows.error} title="Could not load flows" /></div>
        ) : !flows.data?.length ? (
          <EmptyState
            title="No flows yet"
            action={
              <div className="row" style={{ justifyContent: "center" }}>
                <Link className="btn btn-primary" href="/templates">Browse templates</Link>
                <button className="btn" onClick={() => setCreating(true)}>Create a blank flow</button>
              </div>
            }
          >
            Start from a template (Exact, Intacct, Avalara, Adobe Commerce) or build one from scratch.
          </EmptyState>
        ) : (
          <table className="table" data-testid="flows-table">
            <thead>
              <tr>
                <th>Flow</th>
                <th>State</th>
                <th>Version</th>
                <th>Runs (7 days)</th>
                <th>Last run</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {flows.data.map((flow) => {
                const busy = (activate.isPending && activate.variables?.flowId === flow.id) || (deactivate.isPending && deactivate.variables?.flowId === flow.id);
                return (
                  <tr key={flow.id}>
                    <td style={{ maxWidth: 380 }}>
                      <Link href={`/flows/${flow.id}`} style={{ fontWeight: 600 }}>{flow.name}</Link>
                      {flow.description ? <div className="small muted truncate">{flow.description}</div> : null}
                    </td>
                    <td>{flow.active ? <StatusBadge status="succeeded" label="Active" /> : <StatusBadge status="inactive" label="Inactive" />}</td>
                    <td className="muted">v{flow.latestVersion}</td>
                    <td className="nowrap">
                      {flow.runs7d > 0 ? (
                        <div className="row" style={{ gap: 6 }}>
                          <Link href={`/runs?flowId=${flow.id}`} style={{ fontWeight: 600 }}>{flow.runs7d}</Link>
                          {flow.failed7d > 0 ? <Link className="badge badge-fail" href={`/runs?flowId=${flow.id}&status=failed`}>{flow.failed7d} failed</Link> : null}
                          {flow.review7d > 0 ? <Link className="badge badge-review" href={`/runs?flowId=${flow.id}&status=needs_review`}>{flow.review7d} review</Link> : null}
                        </div>
                      ) : (
                        <span className="subtle">No runs</span>
                      )}
                    </td>
                    <td className="muted nowrap">{timeAgo(flow.lastRunAt)}</td>
                    <td className="right nowrap">
                      <div className="row" style={{ justifyContent: "flex-end" }}>
                        <Link className="btn btn-sm btn-ghost" href={`/flows/${flow.id}/overview`}>Overview</Link>
                        <Link className="btn btn-sm" href={`/flows/${flow.id}`}>{canEdit ? "Edit" : "View"}</Link>
                        {!canEdit ? null : flow.active ? (
                          <button className="btn btn-sm" disabled={busy} onClick={() => deactivate.mutate({ flowId: flow.id })}>Deactivate</button>
                        ) : (
                          <button className="btn btn-sm btn-primary" disabled={busy} onClick={() => activate.mutate({ flowId: flow.id })}>Activate</button>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>

      {importing ? <ImportFlowDialog onClose={() => setImporting(false)} /> : null}
      {creating ? (
        <Modal
          title="New flow"
          onClose={() => setCreating(false)}
          footer={
            <>
              <button className="btn" onClick={() => setCreating(false)}>Cancel</button>
              <button className="btn btn-primary" form="new-flow" type="submit" disabled={create.isPending || !name.trim()}>
                {create.isPending ? "Creating…" : "Create and open editor"}
              </button>
            </>
          }
        >
          <Form
            id="new-flow"
            onSubmit={(e) => {
              e.preventDefault();
              if (name.trim()) create.mutate({ name: name.trim() });
            }}
          >
            <div className="field">
              <label htmlFor="flow-name">Name</label>
              <input id="flow-name" className="input" autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Exact invoices → Avalara tax journal" />
              <span className="hint">The flow starts with a manual trigger; add nodes on the canvas.</span>
            </div>
            <ErrorBox error={create.error} />
          </Form>
        </Modal>
      ) : null}
    </div>
  );
}

"use client";
/** Starter templates: one click creates a working flow (and its mapping tables) and opens the editor. */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { EmptyState, ErrorBox, Loading, PageHeader, SYSTEM_META } from "../components/ui";
import { useCan } from "../lib/role";
import { useTRPC } from "../lib/trpc";


export default function TemplatesPage() {
  const trpc = useTRPC();
  const canUse = useCan("editor");
  const router = useRouter();
  const list = useQuery(trpc.templates.list.queryOptions());
  const use = useMutation(trpc.templates.use.mutationOptions({ onSuccess: (r) => r && router.push(`/flows/${r.flowId}`) }));
  return (
    <div className="page">
      <PageHeader title="Templates" description="Starter flows for the integrations finance teams ask for most. Using one creates the flow, its mapping tables with example rows, and picks your connections; finish it on the canvas." />
      <ErrorBox error={use.error} title="Could not create the flow" />
      {list.isLoading ? <Loading what="Loading templates" /> : list.error ? <ErrorBox error={list.error} /> : !list.data?.length ? (
        <EmptyState title="No templates available" />
      ) : (
        <div className="grid-cards" data-testid="templates">
          {list.data.map((t) => (
            <div key={t.id} className="card" style={{ display: "flex", flexDirection: "column" }} data-testid="template-card">
              <div className="card-body" style={{ flex: 1 }}>
                <div className="row" style={{ marginBottom: 10 }}>
                  {t.systems.map((s, i) => (
                    <span key={s} className="row" style={{ gap: 4 }}>
                      {i > 0 ? <span className="subtle">→</span> : null}
                      <span className="badge plain" style={{ background: `${SYSTEM_META[s]?.color ?? "#667085"}14`, color: SYSTEM_META[s]?.color ?? "#667085" }}>{SYSTEM_META[s]?.title ?? s}</span>
                    </span>
                  ))}
                </div>
                <h2 style={{ marginBottom: 6 }}>{t.title}</h2>
                <p className="muted" style={{ margin: 0 }}>{t.description}</p>
              </div>
              <div className="card-footer">
                <span className="spacer" />
                {canUse ? (
                  <button className="btn btn-primary" disabled={use.isPending} onClick={() => use.mutate({ templateId: t.id })}>
                    {use.isPending && use.variables?.templateId === t.id ? "Creating…" : "Use template"}
                  </button>
                ) : (
                  <span className="small muted">Using a template needs the editor role</span>
                )}
              </div>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

"use client";
/** Starter templates: each opens the setup wizard; wizards left before activation can be resumed. */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { EmptyState, ErrorBox, Loading, PageHeader, SYSTEM_META } from "../components/ui";
import { useCan } from "../lib/role";
import { useTRPC } from "../lib/trpc";


export default function TemplatesPage() {
  const trpc = useTRPC();
  const canUse = useCan("editor");
  const router = useRouter();
  const list = useQuery(trpc.templates.list.queryOptions());
  const inProgress = useQuery(trpc.templates.inProgress.queryOptions());
  return (
    <div className="page">
      <PageHeader title="Templates" description="Starter flows for the integrations finance teams ask for most. The setup wizard connects your systems, picks your accounts from them, and walks you to a dry run and activation." />
      {inProgress.data?.length ? (
        <div className="card" style={{ marginBottom: 16 }} data-testid="wizards-in-progress">
          <div className="card-body">
            <h2>Setups in progress</h2>
            {inProgress.data.map((w) => (
              <div key={w.flowId} className="row">
                <Link href={`/templates/${w.templateId}?flow=${w.flowId}`}>Resume “{w.name}”</Link>
                <span className="small muted">at {w.step}</span>
              </div>
            ))}
          </div>
        </div>
      ) : null}
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
                  <button className="btn btn-primary" onClick={() => router.push(`/templates/${t.id}`)}>Use template</button>
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

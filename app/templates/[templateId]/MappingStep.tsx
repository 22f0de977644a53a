"use client";
/**
 * Wizard step 3: the flow's mapping tables checked against the connected systems' live values.
 * Each live value without a row (an Intacct item without an Avalara tax code) is listed with a
 * way to map it here; each mapped value the system does not have (a GL account not in the chart)
 * with a way to correct it. Keys no system lists (jurisdictions, states) are found by the dry run.
 */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorBox, Loading, SYSTEM_META } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import { MapRow } from "./MapRow";

export function MappingStep({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const check = useQuery(trpc.wizard.mappingCheck.queryOptions({ flowId }));
  if (check.isLoading) return <Loading what="Checking the mapping tables against your systems" />;
  if (check.error) return <ErrorBox error={check.error} />;
  const refresh = () => void check.refetch();
  return (
    <div data-testid="mapping-check">
      {(check.data ?? []).map((t) => {
        const columns = t.columns.map((c) => ({ name: c.name, label: c.label, options: c.options }));
        const source = t.keySource ? SYSTEM_META[t.keySource.system]?.title ?? t.keySource.system : null;
        return (
          <section key={t.tableId} className="card" style={{ marginBottom: 12 }} data-testid="mapping-table" data-table={t.name}>
            <div className="card-body">
              <h3 style={{ marginTop: 0 }}>
                <Link href={`/mappings/${t.tableId}`}>{t.name}</Link> <span className="small muted">{t.rows} {t.rows === 1 ? "row" : "rows"}{t.hasDefault ? ", with a * default" : ""}</span>
              </h3>
              {t.columns.filter((c) => c.error).map((c) => <p key={c.name} className="small" style={{ color: "var(--fail)" }}>{c.label}: could not read the live values ({c.error})</p>)}
              {t.keySource?.error ? <p className="small" style={{ color: "var(--fail)" }}>{t.keyLabel}: could not read the live values ({t.keySource.error})</p> : null}
              {t.keySource && !t.keySource.error ? (
                t.unmapped.length ? (
                  <div data-testid="unmapped">
                    <p className="small"><strong>{t.unmapped.length} {t.keyLabel} value{t.unmapped.length === 1 ? "" : "s"} in {source} without a row</strong>{t.hasDefault ? " (the * row covers them)" : ": a run that meets one waits in review"}.</p>
                    {t.unmapped.map((o) => <MapRow key={o.value} tableId={t.tableId} rowKey={o.value} columns={columns} onSaved={refresh} />)}
                  </div>
                ) : (
                  <p className="small" data-testid="all-mapped" style={{ color: "var(--ok)" }}>Every {t.keyLabel} in {source} has a row.</p>
                )
              ) : !t.keySource ? (
                <p className="small muted">{t.keyLabel} values cannot be listed ahead: the dry run (step 5) names any it meets without a row, to map there.</p>
              ) : null}
              {t.unknown.length ? (
                <div data-testid="unknown-values">
                  <p className="small" style={{ color: "var(--fail)" }}><strong>Mapped values your systems do not have:</strong></p>
                  {t.unknown.map((u) => (
                    <div key={`${u.key}:${u.column}`}>
                      <span className="small">{u.key}: {t.columns.find((c) => c.name === u.column)?.label} <span className="mono">{u.value}</span> is not in the live list</span>
                      <MapRow tableId={t.tableId} rowKey={u.key} originalKey={u.key} initial={{ ...u.values, [u.column]: "" }} columns={columns} onSaved={refresh} action="Correct" />
                    </div>
                  ))}
                </div>
              ) : t.rows > 0 ? (
                <p className="small" style={{ color: "var(--ok)" }}>Every mapped value exists in the connected systems.</p>
              ) : null}
            </div>
          </section>
        );
      })}
      <button className="btn" onClick={refresh} disabled={check.isFetching}>{check.isFetching ? "Checking…" : "Check again"}</button>
    </div>
  );
}

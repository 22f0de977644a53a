"use client";
/**
 * First steps on the home page: connect the systems, set up a flow from a template, see a run,
 * look at what waits in review. Each step is ticked from the workspace's own data. In the demo
 * workspace "Try it" does the first three at once with sample documents in the sandboxes.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorBox } from "./ui";
import { useCan } from "../lib/role";
import { useTRPC } from "../lib/trpc";

export function FirstSteps() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCan("editor");
  const shell = useQuery(trpc.studio.shell.queryOptions());
  const connections = useQuery(trpc.connections.list.queryOptions());
  const flows = useQuery({ ...trpc.flows.list.queryOptions(), refetchInterval: 5_000 });
  const tryIt = useMutation(trpc.templates.tryDemo.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const list = (flows.data ?? []) as { active: boolean; lastRunAt: unknown }[];
  const steps = [
    { done: (connections.data ?? []).some((c) => c.status === "ok"), label: "Connect your systems and test each connection", href: "/connections" },
    { done: list.length > 0, label: "Set up a flow from a template (the wizard picks your accounts)", href: "/templates" },
    { done: list.some((f) => f.active), label: "Dry run it, then activate it", href: "/flows" },
    { done: list.some((f) => Boolean(f.lastRunAt)), label: "Watch its first runs", href: "/flows" },
    { done: false, label: "Resolve what waits in review (bad addresses, missing mappings)", href: "/review" },
  ];
  const demo = shell.data?.workspace?.slug === "demo";
  return (
    <div className="card" data-testid="first-steps">
      <div className="card-body">
        <h2>First steps</h2>
        <ol style={{ paddingLeft: 20 }}>
          {steps.map((s) => (
            <li key={s.label} data-done={s.done ? "yes" : "no"}>
              <span aria-hidden>{s.done ? "✓ " : ""}</span>
              <Link href={s.href}>{s.label}</Link>
            </li>
          ))}
        </ol>
        {demo && canEdit ? (
          <div className="row">
            <button className="btn btn-primary" data-testid="try-it" disabled={tryIt.isPending} onClick={() => tryIt.mutate()}>
              {tryIt.isPending ? "Starting…" : "Try it with sample documents"}
            </button>
            <span className="small muted">Switches the demo flows on and creates sample invoices and orders in the sandboxes, one with a bad address and one with an unmapped SKU.</span>
          </div>
        ) : null}
        <ErrorBox error={tryIt.error} title="Try it did not start" />
        {tryIt.data ? (
          <div className="small" data-testid="try-it-result">
            Created {tryIt.data.documents.length} sample documents; {tryIt.data.activated.length} flows switched on
            {tryIt.data.skipped.length ? ` (${tryIt.data.skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")})` : ""}. Runs appear within a minute on <Link href="/flows">Flows</Link>.
          </div>
        ) : null}
      </div>
    </div>
  );
}

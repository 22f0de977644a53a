"use client";
/**
 * /flows/<id>: the flow editor. Loads the latest version and the node registry, then hands them
 * to the editor (which keeps its own store from then on: refetches after saving only refresh the
 * version list, never the canvas under the user's hands).
 */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { FlowEditor } from "../../components/editor/FlowEditor";
import { useTRPC } from "../../lib/trpc";
import "../../components/editor/editor.css";

export default function FlowEditorPage() {
  const { flowId } = useParams<{ flowId: string }>();
  const trpc = useTRPC();
  const valid = /^[0-9a-f-]{36}$/i.test(flowId);
  const flow = useQuery({ ...trpc.flows.get.queryOptions({ flowId }), enabled: valid, staleTime: Infinity });
  const registry = useQuery({ ...trpc.registry.nodes.queryOptions(), staleTime: Infinity });

  if (!valid || flow.error || registry.error) {
    const message = !valid ? "This address does not point to a flow." : (flow.error ?? registry.error)!.message;
    return (
      <div className="ed-page-state" role="alert">
        <h1>{message === "flow not found" ? "Flow not found" : "The editor could not open this flow"}</h1>
        <p>{message === "flow not found" ? "It may have been deleted, or the link is incomplete." : message}</p>
        <p>
          <Link href="/flows">Back to all flows</Link>
          {valid && (
            <>
              {" · "}
              <button type="button" className="ed-link" onClick={() => void Promise.all([flow.refetch(), registry.refetch()])}>
                Try again
              </button>
            </>
          )}
        </p>
      </div>
    );
  }
  if (!flow.data || !registry.data) {
    return (
      <div className="ed-page-state ed-loading" aria-busy>
        <div className="ed-spinner" />
        <p>Opening the flow…</p>
      </div>
    );
  }
  const { flow: f, versions, webhookUrl, definition, problems } = flow.data;
  return (
    <FlowEditor
      key={f.id}
      meta={{ flow: f, versions, webhookUrl }}
      definition={definition}
      problems={problems}
      registry={registry.data}
    />
  );
}

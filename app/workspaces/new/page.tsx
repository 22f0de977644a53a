"use client";
/** Create a workspace; the creator is its owner and it becomes the current one. */
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import { setCurrentWorkspaceId } from "../../lib/workspace";
import { Form } from "../../components/Form";

export default function NewWorkspacePage() {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const create = useMutation(
    trpc.workspaces.create.mutationOptions({
      onSuccess(ws) {
        setCurrentWorkspaceId(ws.id);
        window.location.assign("/flows");
      },
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name });
  }
  return (
    <div className="page">
      <h1>New workspace</h1>
      <p className="muted">A workspace has its own connections, flows, mapping tables, runs and members. You will be its owner.</p>
      <Form className="card card-body" style={{ maxWidth: 480 }} onSubmit={submit}>
        {create.error ? <div className="alert alert-error" role="alert" style={{ marginBottom: 12 }}>{errorMessage(create.error)}</div> : null}
        <div className="field">
          <label htmlFor="ws-name">Name</label>
          <input id="ws-name" className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Acme Holdings EU" autoFocus required />
        </div>
        <button className="btn btn-primary" type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create workspace"}
        </button>
      </Form>
    </div>
  );
}

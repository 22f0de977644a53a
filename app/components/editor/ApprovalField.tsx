"use client";
/**
 * Maker-checker on a write node: "Require approval when…" sets or clears the node's
 * `approval.when`, a JSONata condition over the node's input, previewed like every expression
 * (true: the run would wait on the Approvals page with the exact request). The engine's validation
 * checks the expression when the flow is saved; its message is shown under the field.
 */
import { useState } from "react";
import { useEditorStore } from "./context";
import { JsonataField } from "./JsonataField";

const EXAMPLE = "$sum(lines[type='debit'].$number(amount)) > 10000";

export function ApprovalField({ nodeId, approval, problem }: { nodeId: string; approval: { when: string } | undefined; problem: string | undefined }) {
  const store = useEditorStore();
  // The node's data is the truth (a reload or an undo changes it); local state only holds a ticked
  // box whose condition is still empty, and the text being typed.
  const [ticked, setTicked] = useState(false);
  const [draft, setDraft] = useState("");
  const on = Boolean(approval) || ticked;
  const text = approval?.when ?? draft;
  const save = (when: string) => store.getState().updateNode(nodeId, { approval: when.trim() ? { when } : undefined }, "approval");

  return (
    <div className={`ed-field${problem ? " ed-field-error" : ""}`} data-field="approval.when" data-testid="approval-field">
      <label className="ed-check">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => {
            setTicked(e.target.checked);
            if (!e.target.checked) setDraft(text);
            save(e.target.checked ? text : "");
          }}
        />{" "}
        Require approval when…
      </label>
      {on ? (
        <>
          <JsonataField
            id={`approval-${nodeId}`}
            value={text}
            placeholder={EXAMPLE}
            onChange={(v) => {
              setDraft(v);
              save(v);
            }}
          />
          <div className="ed-help">
            A condition over this step&apos;s input. When it is true, the run waits on the Approvals page with the exact request until an operator
            approves or rejects it; otherwise the write goes ahead. {text.trim() ? null : "Without a condition no approval is asked."}
          </div>
        </>
      ) : (
        <div className="ed-help">Every write goes ahead without a second person. Tick to have large or unusual postings approved first.</div>
      )}
      {problem && <div className="ed-field-problem">{problem}</div>}
    </div>
  );
}

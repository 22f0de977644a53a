"use client";
/**
 * Wizard step 4: when a poll or schedule trigger runs. An interval or a five-field cron (UTC),
 * checked by the server before it is saved as a new version of the flow; the next three times
 * are shown. A webhook flow has nothing to set.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorBox, Loading, formatTime } from "../../components/ui";
import { useCan } from "../../lib/role";
import { useTRPC } from "../../lib/trpc";

const INTERVALS: [number, string][] = [
  [5, "Every 5 minutes"],
  [10, "Every 10 minutes"],
  [15, "Every 15 minutes"],
  [30, "Every 30 minutes"],
  [60, "Every hour"],
  [120, "Every 2 hours"],
  [240, "Every 4 hours"],
  [360, "Every 6 hours"],
  [720, "Every 12 hours"],
  [1440, "Once a day (00:00 UTC)"],
];

export function ScheduleStep({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCan("editor");
  const schedule = useQuery(trpc.wizard.schedule.queryOptions({ flowId }));
  const [choice, setChoice] = useState<string | null>(null);
  const [cron, setCron] = useState<string | null>(null);
  const save = useMutation(
    trpc.wizard.setSchedule.mutationOptions({ onSuccess: (data) => queryClient.setQueryData(trpc.wizard.schedule.queryKey({ flowId }), data) }),
  );
  if (schedule.isLoading) return <Loading what="Loading the schedule" />;
  if (schedule.error || !schedule.data) return <ErrorBox error={schedule.error} />;
  const s = schedule.data;
  if (!s.scheduled) {
    return <p data-testid="no-schedule">{s.mode === "webhook" ? "This flow starts when the system notifies it (a webhook): there is no schedule to set." : "This flow starts by hand: there is no schedule to set."}</p>;
  }
  const selected = choice ?? (s.everyMinutes ? String(s.everyMinutes) : "cron");
  const cronText = cron ?? s.cron ?? "";
  return (
    <div data-testid="schedule-form">
      <p>Now: <span className="mono" data-testid="current-cron">{s.cron}</span> (UTC). Next: {s.next.map((t) => formatTime(t)).join(", ")}</p>
      <div className="field">
        <label htmlFor="schedule-interval">Poll</label>
        <select id="schedule-interval" className="select" value={selected} onChange={(e) => setChoice(e.target.value)}>
          {INTERVALS.map(([m, label]) => <option key={m} value={String(m)}>{label}</option>)}
          <option value="cron">Custom (cron expression)</option>
        </select>
      </div>
      {selected === "cron" ? (
        <div className="field">
          <label htmlFor="schedule-cron">Cron expression (minute hour day month weekday, UTC)</label>
          <input id="schedule-cron" className="input mono" value={cronText} onChange={(e) => setCron(e.target.value)} placeholder="30 6 * * 1-5" />
        </div>
      ) : null}
      <button
        className="btn"
        disabled={!canEdit || save.isPending || (selected === "cron" && !cronText.trim())}
        onClick={() => save.mutate({ flowId, schedule: selected === "cron" ? { cron: cronText } : { everyMinutes: Number(selected) } })}
      >
        {save.isPending ? "Saving…" : "Save the schedule"}
      </button>
      {save.isSuccess ? <span className="small" data-testid="schedule-saved" style={{ marginLeft: 8, color: "var(--ok)" }}>Saved as a new version of the flow.</span> : null}
      <ErrorBox error={save.error} />
    </div>
  );
}

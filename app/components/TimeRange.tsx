"use client";
/** The time-range filter of the list pages (runs, audit trail). */
import { useState } from "react";

const TIME_RANGES: Record<string, { label: string; ms: number | null }> = {
  all: { label: "Any time", ms: null },
  "1h": { label: "Last hour", ms: 3_600_000 },
  "24h": { label: "Last 24 hours", ms: 86_400_000 },
  "7d": { label: "Last 7 days", ms: 7 * 86_400_000 },
  "30d": { label: "Last 30 days", ms: 30 * 86_400_000 },
};

/**
 * The start of the chosen range, in epoch ms (null for any time). It is fixed when the range is
 * chosen (`restart`), so a list's query key stays stable while paging.
 */
export function useTimeRange(range: string): { fromMs: number | null; restart: () => void } {
  const [anchor, setAnchor] = useState(() => Date.now());
  const ms = TIME_RANGES[range]?.ms ?? null;
  return { fromMs: ms ? anchor - ms : null, restart: () => setAnchor(Date.now()) };
}

/** The range menu; `onChange` gets "" for any time (the URL parameter's absence). */
export function TimeRangeSelect({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <select className="select" aria-label="Time range" value={value} onChange={(e) => onChange(e.target.value === "all" ? "" : e.target.value)}>
      {Object.entries(TIME_RANGES).map(([k, r]) => <option key={k} value={k}>{r.label}</option>)}
    </select>
  );
}

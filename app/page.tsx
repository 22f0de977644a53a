"use client";
/** Home: the first-steps checklist, then on to the flows. */
import Link from "next/link";
import { FirstSteps } from "./components/FirstSteps";
import { PageHeader } from "./components/ui";

export default function Home() {
  return (
    <div className="page">
      <PageHeader title="Welcome to Ledgerline" description="Integrations your finance team can trust: see what a flow would post before it posts." actions={<Link className="btn" href="/flows">Go to flows</Link>} />
      <FirstSteps />
    </div>
  );
}

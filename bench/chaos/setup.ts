/**
 * The product under test, made ready the way an operator would: the demo workspace on the four
 * sandboxes, the three starter integrations activated through the engine functions (the Exact one
 * with its reconciliation poll, and its webhook subscribed to the web app once that is up), polls every few seconds so a
 * short run sees its documents, and the sandboxes' faults switched on over their admin API.
 */
import { Redactor, type Logger } from "../../connectors/sdk";
import { ensureWebhookSubscription, type ExactClient } from "../../connectors/exact";
import type { Db } from "../../db/client";
import { buildEnv, loadConnection } from "../../engine/connections";
import { seedDemoWorkspace, type DemoSystem } from "../../engine/demo/seed";
import { parseFlowDefinition } from "../../engine/flow/schema";
import { activateFlow, saveVersion } from "../../engine/flows";
import { findTrigger } from "../../engine/triggers";

export type Integration = "exact" | "intacct" | "commerce";

export const INTEGRATIONS: Record<Integration, { title: string; templates: string[] }> = {
  exact: { title: "Exact invoice -> Avalara -> journal in Exact", templates: ["exact-invoice-avalara-journal", "exact-invoice-avalara-journal-poll"] },
  intacct: { title: "Intacct sales transaction -> Avalara -> tax GL entries in Intacct", templates: ["intacct-sales-avalara-gl"] },
  commerce: { title: "Adobe Commerce order / credit memo -> Intacct AP bill / adjustment", templates: ["commerce-order-intacct-ap-bill"] },
};

export interface ActivatedProduct {
  workspaceId: string;
  /** flow id -> integration */
  flows: Map<string, Integration>;
  webhookUrl: string;
}

/** Exact notifies the web app of every new sales invoice (Exact checks the URL with a POST first, so the app must be up). */
export async function subscribeExactWebhook(db: Db, product: ActivatedProduct): Promise<void> {
  // Exact gives the URL 5 s; a dev server compiles the route on its first request, so ask once first.
  const warm = await fetch(product.webhookUrl, { method: "POST", body: "", signal: AbortSignal.timeout(180_000) });
  await warm.arrayBuffer();
  if (warm.status >= 300) throw new Error(`the web app's webhook URL answered ${warm.status} to Exact's validation POST`);
  const [exact] = await db.sql<{ id: string }[]>`select id::text from connections where workspace_id = ${product.workspaceId} and system = 'exact'`;
  const connection = await loadConnection(db, product.workspaceId, exact!.id);
  const client = connection.connector.createClient(buildEnv(db, connection, { log: silent, signal: new AbortController().signal, redactor: new Redactor() })) as ExactClient;
  await ensureWebhookSubscription(client, product.webhookUrl);
}

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export async function activateIntegrations(
  db: Db,
  options: { sandboxUrls: Record<DemoSystem, string>; publicUrl: string; pollSchedule: string; reconcileSchedule: string },
): Promise<ActivatedProduct> {
  const workspaceId = await seedDemoWorkspace(db, { sandboxUrls: options.sandboxUrls, redirectUri: `${options.publicUrl}/api/oauth/callback` });
  const rows = await db.sql<{ id: string; template_id: string }[]>`
    select id::text, template_id from flows where workspace_id = ${workspaceId} and template_id is not null`;
  const flows = new Map<string, Integration>();
  let webhookUrl = "";
  for (const row of rows) {
    const integration = (Object.keys(INTEGRATIONS) as Integration[]).find((i) => INTEGRATIONS[i].templates.includes(row.template_id));
    if (!integration) continue;
    flows.set(row.id, integration);
    const [latest] = await db.sql<{ definition: unknown }[]>`
      select definition from flow_versions where flow_id = ${row.id} order by version desc limit 1`;
    const definition = parseFlowDefinition(latest!.definition);
    const trigger = findTrigger(definition)!;
    const mode = trigger.def.trigger?.mode;
    if (mode === "poll") {
      // Polls every few seconds (the templates' default is every 5 minutes, the reconciliation hourly).
      const schedule = row.template_id.endsWith("-poll") ? options.reconcileSchedule : options.pollSchedule;
      await saveVersion(db, workspaceId, row.id, { ...definition, settings: { ...definition.settings, schedule } }, `chaos bench: poll ${schedule}`);
    }
    await activateFlow(db, workspaceId, row.id);
    if (mode === "webhook") webhookUrl = `${options.publicUrl}/api/webhooks/${row.id}/${trigger.node.id}`;
  }
  if (flows.size !== 4) throw new Error(`expected the four starter flows, found ${flows.size}`);
  if (!webhookUrl) throw new Error("the Exact starter flow has no webhook trigger");
  return { workspaceId, flows, webhookUrl };
}

export interface SandboxFaultPlan {
  rateLimitRate: number;
  serverErrorRate: number;
  dropAfterWriteRate: number;
  retryAfterSeconds: number;
  expireAuthEveryMs: number;
  seed: number;
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text}`);
}

/**
 * Faults on every sandbox. Sessions and tokens: Intacct's sessions and Commerce's bearer tokens end
 * every `expireAuthEveryMs`. Exact is left on its real 10-minute tokens (it refuses a refresh within
 * 570 s, so an earlier end would only park every Exact call for minutes); Avalara signs each call
 * with the license key and has no session.
 */
export async function switchFaultsOn(urls: Record<DemoSystem, string>, plan: SandboxFaultPlan): Promise<void> {
  const base = { rateLimitRate: plan.rateLimitRate, serverErrorRate: plan.serverErrorRate, dropAfterWriteRate: plan.dropAfterWriteRate, retryAfterSeconds: plan.retryAfterSeconds };
  await post(`${urls.intacct}/__sandbox/faults`, { ...base, seed: plan.seed + 1, expireAuthEveryMs: plan.expireAuthEveryMs });
  await post(`${urls.commerce}/__sandbox/faults`, { ...base, seed: plan.seed + 2, expireAuthEveryMs: plan.expireAuthEveryMs });
  await post(`${urls.exact}/__sandbox/faults`, { ...base, seed: plan.seed + 3 });
  await post(`${urls.avalara}/__sandbox/faults`, { ...base, seed: plan.seed + 4 });
}

export async function switchFaultsOff(urls: Record<DemoSystem, string>): Promise<void> {
  for (const url of Object.values(urls)) await post(`${url}/__sandbox/faults`, {});
}

/**
 * Limits that would turn a 1,000-document run into a day's wait (they are real, and the connectors'
 * own tests cover them): Exact's 60 calls a minute, 5,000 a day and 10 errors per endpoint an hour,
 * and Intacct's 2 concurrent requests per company (raised to 6; 12 runs at once still meet it).
 */
export async function liftVolumeLimits(urls: Record<DemoSystem, string>): Promise<void> {
  await post(`${urls.exact}/__sandbox/config`, { minutelyLimit: 100_000, dailyLimit: 10_000_000, errorLimitPerHour: 100_000 });
  await post(`${urls.intacct}/__sandbox/settings`, { concurrencyLimit: 6 });
}

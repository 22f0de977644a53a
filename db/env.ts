/**
 * Environment read once, in one place. Connectors never read it; the engine and app do.
 *
 * DATABASE_URL               external PostgreSQL; unset = embedded PostgreSQL under LEDGERLINE_DATA_DIR
 * LEDGERLINE_DATA_DIR        where embedded PostgreSQL and the generated key live (default ./.data)
 * LEDGERLINE_PG_PORT         embedded PostgreSQL port (default 5488)
 * LEDGERLINE_ENCRYPTION_KEY  32-byte key, base64 or hex; unset = generated into the data dir on first start
 * PORT                       web app port (default 3000)
 * HOST                       address the web app listens on (default 127.0.0.1; 0.0.0.0 for every interface)
 * LEDGERLINE_TRPC_MAX_BODY   largest tRPC request body in bytes (default 1048576, 1 MB); larger answers 413
 * LEDGERLINE_WEBHOOK_MAX_BODY largest webhook delivery in bytes (default 5242880, 5 MB); larger answers 413
 * WORKER_CONCURRENCY         jobs per worker process (default 4)
 * WORKER_LOCAL_QUEUE         jobs a worker process fetches (and locks) in one query and hands to its free slots
 *                            (default WORKER_CONCURRENCY; 1 = one job per query)
 * WORKER_COMPLETE_BATCH_MS   how long a finished job may wait to be completed together with others (default 2; 0 = none)
 * WORKER_SHUTDOWN_GRACE_MS   on SIGTERM/SIGINT, how long in-flight nodes may take to finish (default 20000)
 * LEDGERLINE_PUBLIC_URL      external URL of the app (OAuth redirects, webhook URLs); default http://localhost:PORT
 * LEDGERLINE_SMTP_URL        outgoing mail (password reset, invitations), e.g. smtp://user:pass@mail.example:587
 *                            or smtps://…:465; unset = no e-mail (the UI says so)
 * LEDGERLINE_MAIL_FROM       sender address (default "Ledgerline <no-reply@localhost>")
 * LEDGERLINE_AUTH_SECRET     signs session cookies; unset = derived from the encryption key
 * LEDGERLINE_ALLOWED_HOSTS  more hosts connections and HTTP nodes may reach: names, *.suffix, addresses, CIDR
 *                            ranges, comma separated (metadata and link-local addresses stay refused)
 * LEDGERLINE_METRICS_TOKEN   Bearer token /api/metrics asks for; unset = the endpoint refuses everyone
 * LEDGERLINE_ALERTS_EVERY_SECONDS  seconds between alert evaluation passes (default 60)
 * INTACCT_SANDBOX_PORT, AVALARA_SANDBOX_PORT, EXACT_SANDBOX_PORT, COMMERCE_SANDBOX_PORT
 *                            sandbox ports (defaults 4101-4104)
 */
import path from "node:path";

function positiveInt(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text && Number.isInteger(value) && value > 0 ? value : fallback;
}

export const env = {
  get databaseUrl(): string | undefined {
    return process.env.DATABASE_URL || undefined;
  },
  get dataDir(): string {
    return path.resolve(process.env.LEDGERLINE_DATA_DIR ?? path.join(process.cwd(), ".data"));
  },
  get pgPort(): number {
    return Number(process.env.LEDGERLINE_PG_PORT ?? 5488);
  },
  get port(): number {
    return Number(process.env.PORT ?? 3000);
  },
  get host(): string {
    return process.env.HOST || "127.0.0.1";
  },
  get trpcMaxBody(): number {
    return positiveInt(process.env.LEDGERLINE_TRPC_MAX_BODY, 1024 * 1024);
  },
  get webhookMaxBody(): number {
    return positiveInt(process.env.LEDGERLINE_WEBHOOK_MAX_BODY, 5 * 1024 * 1024);
  },
  get workerConcurrency(): number {
    return Number(process.env.WORKER_CONCURRENCY ?? 4);
  },
  get workerLocalQueue(): number {
    return positiveInt(process.env.WORKER_LOCAL_QUEUE, this.workerConcurrency);
  },
  get workerCompleteBatchMs(): number {
    const ms = Number(process.env.WORKER_COMPLETE_BATCH_MS ?? 2);
    return Number.isFinite(ms) && ms >= 0 ? ms : 2;
  },
  /** The worker's stale window (LEDGERLINE_STALE_AFTER_MS), when an operator set one; the health check reads it too. */
  get staleAfterMs(): number | undefined {
    const ms = Number(process.env.LEDGERLINE_STALE_AFTER_MS);
    return Number.isFinite(ms) && ms > 0 ? ms : undefined;
  },
  get workerShutdownGraceMs(): number {
    return Number(process.env.WORKER_SHUTDOWN_GRACE_MS ?? 20_000);
  },
  get metricsToken(): string | undefined {
    return process.env.LEDGERLINE_METRICS_TOKEN || undefined;
  },
  get alertsEverySeconds(): number {
    const seconds = Number(process.env.LEDGERLINE_ALERTS_EVERY_SECONDS ?? 60);
    return Number.isFinite(seconds) && seconds >= 1 ? seconds : 60;
  },
  get allowedHosts(): string {
    return process.env.LEDGERLINE_ALLOWED_HOSTS ?? "";
  },
  get publicUrl(): string {
    return process.env.LEDGERLINE_PUBLIC_URL ?? `http://localhost:${this.port}`;
  },
  get smtpUrl(): string | undefined {
    return process.env.LEDGERLINE_SMTP_URL || undefined;
  },
  get mailFrom(): string {
    return process.env.LEDGERLINE_MAIL_FROM || "Ledgerline <no-reply@localhost>";
  },
  get authSecret(): string | undefined {
    return process.env.LEDGERLINE_AUTH_SECRET || undefined;
  },
};

export const SANDBOX_SYSTEMS = ["intacct", "avalara", "exact", "commerce"] as const;
export type SandboxSystem = (typeof SANDBOX_SYSTEMS)[number];
const DEFAULT_SANDBOX_PORTS: Record<SandboxSystem, number> = { intacct: 4101, avalara: 4102, exact: 4103, commerce: 4104 };

export function sandboxPort(system: SandboxSystem): number {
  return Number(process.env[`${system.toUpperCase()}_SANDBOX_PORT`] ?? DEFAULT_SANDBOX_PORTS[system]);
}

export function sandboxUrl(system: SandboxSystem): string {
  return `http://127.0.0.1:${sandboxPort(system)}`;
}

export function requireDatabaseUrl(): string {
  const url = env.databaseUrl;
  if (!url) throw new Error("DATABASE_URL is not set: start Ledgerline with `npm start`, which provides it.");
  return url;
}

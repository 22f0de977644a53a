/**
 * Ledgerline's data model (drizzle, PostgreSQL).
 *
 * Glossary
 * - workspace:     the tenant. Every workspace-owned row carries `workspace_id`; every query filters by it.
 * - connection:    credentials for one external system; `config` is plain jsonb, `secrets_enc` and
 *                  `state_enc` (session ids, token pairs) are AES-256-GCM ciphertexts.
 * - flow / flow version: a flow is the editable thing; each save creates an immutable version.
 * - run:           one execution of a flow version for one source record (trigger record key+version).
 * - node run:      one node's execution in a run: input, output, attempts, HTTP calls, logs. The
 *                  checkpoint a resumed run continues from.
 * - ledger entry:  one business key of a write (e.g. an Avalara document code): posted at most once.
 * - review item:   a run parked for a person (invalid address, missing mapping, reconnect).
 */
import { relations, sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const id = () => uuid("id").primaryKey().defaultRandom();
const workspaceId = () =>
  uuid("workspace_id")
    .notNull()
    .references(() => workspaces.id, { onDelete: "cascade" });
const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

export const workspaces = pgTable("workspaces", {
  id: id(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  createdAt: createdAt(),
  /** Set by an owner: members must have TOTP two-factor on to act in this workspace. */
  requireTwoFactor: boolean("require_two_factor").notNull().default(false),
  /** Days run details (node inputs, outputs, HTTP logs) are kept after a run ends. */
  retentionDetailsDays: integer("retention_details_days").notNull().default(90),
  /** Days run summaries and audit events are kept. */
  retentionSummaryDays: integer("retention_summary_days").notNull().default(400),
  /** Four eyes: whoever started a run (or activated its flow version) cannot approve its writes. */
  requireFourEyes: boolean("require_four_eyes").notNull().default(false),
});

/** People. Also Better Auth's `user` model (see app/server/auth/auth.ts). */
export const users = pgTable("users", {
  id: id(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  createdAt: createdAt(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  updatedAt: updatedAt(),
  twoFactorEnabled: boolean("two_factor_enabled").notNull().default(false),
  /** The workspace the user last chose: the default when a request names none. */
  lastWorkspaceId: uuid("last_workspace_id"),
});

export const memberships = pgTable(
  "memberships",
  {
    workspaceId: workspaceId(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role").notNull().default("admin"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

export const connections = pgTable(
  "connections",
  {
    id: id(),
    workspaceId: workspaceId(),
    system: text("system").notNull(),
    name: text("name").notNull(),
    config: jsonb("config").notNull().default({}),
    secretsEnc: text("secrets_enc"),
    stateEnc: text("state_enc"),
    /** untested | ok | failing | needs_reconnect */
    status: text("status").notNull().default("untested"),
    statusMessage: text("status_message"),
    lastTestedAt: timestamp("last_tested_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("connections_workspace_name").on(t.workspaceId, t.name)],
);

export const oauthStates = pgTable("oauth_states", {
  state: text("state").primaryKey(),
  workspaceId: workspaceId(),
  connectionId: uuid("connection_id")
    .notNull()
    .references(() => connections.id, { onDelete: "cascade" }),
  redirectUri: text("redirect_uri").notNull(),
  /** Who pressed Connect: only their signed-in browser may finish it. */
  userId: uuid("user_id"),
  /** The app page the browser returns to afterwards (a path of this app; default the connections page). */
  returnTo: text("return_to"),
  createdAt: createdAt(),
});

export const flows = pgTable(
  "flows",
  {
    id: id(),
    workspaceId: workspaceId(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    active: boolean("active").notNull().default(false),
    /** The version that triggers run; null until activated. */
    activeVersionId: uuid("active_version_id"),
    latestVersion: integer("latest_version").notNull().default(0),
    templateId: text("template_id"),
    /** Version of the template the flow was made from (null: not made from a template, or before versions were kept). */
    templateVersion: integer("template_version"),
    /** The template's parameter values the flow was built with (offset accounts, journals...): rebuilding it shows a newer version's changes. */
    templateParameters: jsonb("template_parameters"),
    /** Template wizard progress (step, connections, parameters) until the flow is activated from it. */
    wizard: jsonb("wizard"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("flows_workspace").on(t.workspaceId, t.updatedAt)],
);

export const flowVersions = pgTable(
  "flow_versions",
  {
    id: id(),
    workspaceId: workspaceId(),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    definition: jsonb("definition").notNull(),
    note: text("note").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("flow_versions_flow_version").on(t.flowId, t.version)],
);

export const lookupTables = pgTable(
  "lookup_tables",
  {
    id: id(),
    workspaceId: workspaceId(),
    name: text("name").notNull(),
    /** dimension | gl_account | cost_center | tax_gl | custom */
    kind: text("kind").notNull().default("custom"),
    description: text("description").notNull().default(""),
    keyLabel: text("key_label").notNull().default("Source value"),
    /** Value columns: [{ name, label, system?, picker? }] */
    columns: jsonb("columns").notNull().default([]),
    /** Connection whose live lists check the values (optional). */
    connectionId: uuid("connection_id").references(() => connections.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("lookup_tables_workspace_name").on(t.workspaceId, t.name)],
);

export const lookupRows = pgTable(
  "lookup_rows",
  {
    id: id(),
    workspaceId: workspaceId(),
    tableId: uuid("table_id")
      .notNull()
      .references(() => lookupTables.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    values: jsonb("values").notNull().default({}),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("lookup_rows_table_key").on(t.tableId, t.key)],
);

/**
 * One version per workspace's mapping rows, moved by a trigger on every statement that changes
 * them (migration 0023): a worker keeps rows it read and uses them while the version is current.
 */
export const mappingVersions = pgTable("mapping_versions", {
  workspaceId: uuid("workspace_id")
    .primaryKey()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  version: bigint("version", { mode: "number" }).notNull(),
});

export const runs = pgTable(
  "runs",
  {
    id: id(),
    workspaceId: workspaceId(),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    flowVersionId: uuid("flow_version_id")
      .notNull()
      .references(() => flowVersions.id),
    /** manual | schedule | poll | webhook | replay */
    triggerKind: text("trigger_kind").notNull(),
    recordKey: text("record_key").notNull(),
    recordVersion: text("record_version").notNull().default(""),
    recordLabel: text("record_label"),
    input: jsonb("input"),
    /** queued | running | waiting | succeeded | failed | needs_review | skipped */
    status: text("status").notNull().default("queued"),
    error: jsonb("error"),
    /** retryable | permanent | needs_review | internal: the class of the final error */
    errorKind: text("error_kind"),
    failedNodeId: text("failed_node_id"),
    parentRunId: uuid("parent_run_id"),
    replayFromNodeId: text("replay_from_node_id"),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    durationMs: integer("duration_ms"),
    /** Fencing token of the claim executing the run; a new claim (another worker) gets a new one. */
    leaseToken: uuid("lease_token"),
    /** Process holding the lease (for operators). */
    leaseOwner: text("lease_owner"),
    /** The holder renews it; once past, another worker may claim the run and the holder may write nothing. */
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    /** Set when retention removed the node runs' inputs, outputs and HTTP logs. */
    detailsPrunedAt: timestamp("details_pruned_at", { withTimezone: true }),
  },
  (t) => [
    index("runs_workspace_created").on(t.workspaceId, t.createdAt),
    index("runs_workspace_finished").on(t.workspaceId, t.finishedAt),
    index("runs_flow_created").on(t.flowId, t.createdAt),
    /**
     * A flow's runs in time order with what its overview counts (engine/flow-queries.ts flowStats,
     * the runs list filtered by flow): read from the index alone, at any number of runs.
     */
    index("runs_workspace_flow_created").on(t.workspaceId, t.flowId, t.createdAt, t.status, t.triggerKind),
    index("runs_workspace_status_created").on(t.workspaceId, t.status, t.createdAt),
    index("runs_record_key").on(t.workspaceId, t.recordKey),
    /** Search by a field of the trigger record: `input @> {...}` (engine/run-filter.ts). */
    index("runs_input_path_ops").using("gin", t.input.op("jsonb_path_ops")),
    /** Record-key search, `record_key ilike '%text%'` (engine/run-filter.ts): trigrams (pg_trgm). */
    index("runs_record_key_trgm").using("gin", t.recordKey.op("gin_trgm_ops")),
    uniqueIndex("runs_dedupe")
      .on(t.flowId, t.recordKey, t.recordVersion)
      .where(sql`parent_run_id is null`),
  ],
);

export const nodeRuns = pgTable(
  "node_runs",
  {
    id: id(),
    workspaceId: workspaceId(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    nodeType: text("node_type").notNull(),
    /** running | succeeded | already_done | failed | needs_review | skipped | retrying | dry_run */
    status: text("status").notNull(),
    attempt: integer("attempt").notNull().default(1),
    input: jsonb("input"),
    output: jsonb("output"),
    /** Output handle the run continued on (branch nodes). */
    handle: text("handle"),
    httpCalls: jsonb("http_calls").notNull().default([]),
    logs: jsonb("logs").notNull().default([]),
    /** [{ attempt, startedAt, durationMs, error, delayMs }] */
    attempts: jsonb("attempts").notNull().default([]),
    error: jsonb("error"),
    /** Order in which nodes completed in the run. */
    seq: integer("seq").notNull().default(0),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    durationMs: integer("duration_ms"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("node_runs_run_node").on(t.runId, t.nodeId)],
);

export const idempotencyLedger = pgTable(
  "idempotency_ledger",
  {
    id: id(),
    workspaceId: workspaceId(),
    system: text("system").notNull(),
    businessKey: text("business_key").notNull(),
    /** pending (attempt started, outcome unknown until it ends) | done | failed */
    status: text("status").notNull(),
    result: jsonb("result"),
    nodeType: text("node_type").notNull(),
    firstRunId: uuid("first_run_id").notNull(),
    lastRunId: uuid("last_run_id").notNull(),
    /** The attempt (run lease token) a pending key is granted to. */
    leaseToken: uuid("lease_token"),
    attempts: integer("attempts").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("idempotency_key").on(t.workspaceId, t.system, t.businessKey)],
);

export const triggerCheckpoints = pgTable(
  "trigger_checkpoints",
  {
    workspaceId: workspaceId(),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    /** Hash of the trigger's config: a change resets the cursor. */
    configHash: text("config_hash").notNull(),
    cursor: jsonb("cursor"),
    lastPolledAt: timestamp("last_polled_at", { withTimezone: true }),
    lastError: jsonb("last_error"),
    recordsSeen: integer("records_seen").notNull().default(0),
    /** Pages the trigger's polls have read in all (several per tick when the source has more). */
    pagesRead: integer("pages_read").notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.nodeId] })],
);

/**
 * Summary posting (engine/nodes/aggregate.ts): a window of one summary (a day, an hour, a month)
 * that per-record runs deposit into until it closes; its close yields one posting per group.
 */
export const summaryWindows = pgTable(
  "summary_windows",
  {
    id: id(),
    workspaceId: workspaceId(),
    /** The summary's name, shared by the flows that deposit into it and the flow that posts it. */
    summary: text("summary").notNull(),
    windowKey: text("window_key").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    windowEnd: timestamp("window_end", { withTimezone: true }).notNull(),
    /** Set once: no deposit is taken after it. */
    closedAt: timestamp("closed_at", { withTimezone: true }),
    /** The close's runs (one per group) were created. */
    emittedAt: timestamp("emitted_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("summary_windows_key").on(t.workspaceId, t.summary, t.windowKey), index("summary_windows_open").on(t.workspaceId, t.summary, t.closedAt)],
);

/** One source record's lines in a summary window: one row per (summary, record key). */
export const summaryItems = pgTable(
  "summary_items",
  {
    id: id(),
    workspaceId: workspaceId(),
    windowId: uuid("window_id")
      .notNull()
      .references(() => summaryWindows.id, { onDelete: "cascade" }),
    summary: text("summary").notNull(),
    groupKey: text("group_key").notNull(),
    /** The group's fields as the group-by expression gave them (channel, account, dimensions...). */
    groupValue: jsonb("group_value").notNull(),
    recordKey: text("record_key").notNull(),
    /** The run that deposited the record (the latest one, replays included). */
    runId: uuid("run_id").notNull(),
    flowId: uuid("flow_id").notNull(),
    /** [{ amount: "12.34" (exact decimal string), type?, ...line fields }] */
    lines: jsonb("lines").notNull(),
    /** Signed sum of the record's amounts in minor units (cents). */
    amountMinor: bigint("amount_minor", { mode: "bigint" }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("summary_items_record").on(t.workspaceId, t.summary, t.recordKey), index("summary_items_window").on(t.windowId, t.groupKey)],
);

export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: id(),
    workspaceId: workspaceId(),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    eventId: text("event_id").notNull(),
    recordCount: integer("record_count").notNull().default(0),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("webhook_events_dedupe").on(t.flowId, t.nodeId, t.eventId),
    index("webhook_events_workspace_received").on(t.workspaceId, t.receivedAt),
  ],
);

/**
 * Maker-checker: a write node whose approval condition held parks its run here with the exact
 * request it would send. pending -> approved (the run continues) | rejected (it never posts).
 */
export const approvals = pgTable(
  "approvals",
  {
    id: id(),
    workspaceId: workspaceId(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    nodeType: text("node_type").notNull(),
    /** The node's rendered input: what is posted on approval. */
    request: jsonb("request"),
    /** The approval condition that held. */
    condition: text("condition").notNull(),
    /** pending | approved | rejected */
    status: text("status").notNull().default("pending"),
    /** Who started the run or activated its flow version (label and user, when a person). */
    maker: text("maker").notNull().default("engine"),
    makerUserId: uuid("maker_user_id"),
    decidedBy: text("decided_by"),
    decidedByUserId: uuid("decided_by_user_id"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    note: text("note"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("approvals_run_node").on(t.runId, t.nodeId), index("approvals_workspace_status").on(t.workspaceId, t.status, t.createdAt)],
);

export const reviewItems = pgTable(
  "review_items",
  {
    id: id(),
    workspaceId: workspaceId(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    reasonCode: text("reason_code").notNull(),
    reason: text("reason").notNull(),
    details: jsonb("details"),
    /** open | resolved | dismissed */
    status: text("status").notNull().default("open"),
    createdAt: createdAt(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    replayRunId: uuid("replay_run_id"),
    /** Who should fix it, and the one review alerts go to; set by hand or by the flow's assignment rule. */
    assigneeUserId: uuid("assignee_user_id").references(() => users.id, { onDelete: "set null" }),
    /** When someone (or a rule) last set the assignee; a rule never overrides an item that has one. */
    assignedAt: timestamp("assigned_at", { withTimezone: true }),
    /** `rule` or the actor who assigned it. */
    assignedBy: text("assigned_by"),
  },
  (t) => [
    index("review_items_workspace_status").on(t.workspaceId, t.status, t.createdAt),
    index("review_items_assignee").on(t.workspaceId, t.assigneeUserId, t.status),
  ],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    workspaceId: workspaceId(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** How the actor is named in lists: an e-mail, `token:<name> (<e-mail>)`, or `engine`. */
    actor: text("actor").notNull(),
    /** user | token | system (the engine, a trigger, the demo seed) */
    actorKind: text("actor_kind").notNull().default("system"),
    /** The signed-in user, or the user who created the token. No foreign key: the trail outlives the account. */
    actorUserId: uuid("actor_user_id"),
    actorTokenId: uuid("actor_token_id"),
    ip: text("ip"),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    runId: uuid("run_id"),
    recordKey: text("record_key"),
    data: jsonb("data"),
  },
  (t) => [
    index("audit_events_workspace_at").on(t.workspaceId, t.at),
    index("audit_events_record").on(t.workspaceId, t.recordKey),
    index("audit_events_entity").on(t.workspaceId, t.entityType, t.entityId, t.at),
    index("audit_events_actor").on(t.workspaceId, t.actorUserId, t.at),
  ],
);

export const workerHeartbeats = pgTable("worker_heartbeats", {
  workerId: text("worker_id").primaryKey(),
  hostname: text("hostname").notNull(),
  pid: integer("pid").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
});

// Identity (Better Auth's session, account, verification and twoFactor models; API tokens,
// invitations, sign-in attempts and per-workspace single sign-on are Ledgerline's own).

const authUserId = () =>
  uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });

/** A signed-in browser. The cookie carries `token` (signed); the row is the truth. */
export const authSessions = pgTable(
  "auth_sessions",
  {
    id: id(),
    userId: authUserId(),
    token: text("token").notNull().unique(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("auth_sessions_user").on(t.userId)],
);

/** How a user signs in: `credential` (argon2id password hash) or an SSO provider's subject. */
export const authAccounts = pgTable(
  "auth_accounts",
  {
    id: id(),
    userId: authUserId(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    refreshTokenExpiresAt: timestamp("refresh_token_expires_at", { withTimezone: true }),
    scope: text("scope"),
    password: text("password"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("auth_accounts_user").on(t.userId)],
);

/** One-time values: password reset links, SSO state. */
export const authVerifications = pgTable(
  "auth_verifications",
  {
    id: id(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("auth_verifications_identifier").on(t.identifier)],
);

/** A user's TOTP secret and backup codes (encrypted by Better Auth). */
export const twoFactors = pgTable(
  "two_factors",
  {
    id: id(),
    userId: authUserId(),
    secret: text("secret").notNull(),
    backupCodes: text("backup_codes").notNull(),
    verified: boolean("verified").default(true),
    failedVerificationCount: integer("failed_verification_count").default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
  },
  (t) => [index("two_factors_user").on(t.userId)],
);

/**
 * API tokens for scripts and CI: bound to one workspace and one role (no higher than the
 * creator's). Only a SHA-256 of the token is stored; `prefix` is the visible start.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: id(),
    workspaceId: workspaceId(),
    userId: authUserId(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    role: text("role").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("api_tokens_workspace").on(t.workspaceId, t.createdAt)],
);

/** An invitation by e-mail link; the link carries a token whose SHA-256 is stored. */
export const invitations = pgTable(
  "invitations",
  {
    id: id(),
    workspaceId: workspaceId(),
    email: text("email").notNull(),
    role: text("role").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedBy: uuid("accepted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("invitations_workspace").on(t.workspaceId, t.createdAt)],
);

/** Every password sign-in attempt, for rate limiting per account and per IP. */
export const signInAttempts = pgTable(
  "sign_in_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    email: text("email").notNull(),
    ip: text("ip"),
    ok: boolean("ok").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("sign_in_attempts_email_at").on(t.email, t.at), index("sign_in_attempts_ip_at").on(t.ip, t.at)],
);

/** OpenID Connect single sign-on of one workspace. The client secret is AES-256-GCM (db/crypto.ts). */
export const workspaceSso = pgTable("workspace_sso", {
  workspaceId: uuid("workspace_id")
    .primaryKey()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  issuer: text("issuer").notNull(),
  clientId: text("client_id").notNull(),
  clientSecretEnc: text("client_secret_enc").notNull(),
  /** Lower-case e-mail domains allowed to sign in; also how the sign-in page finds the workspace. */
  allowedDomains: jsonb("allowed_domains").$type<string[]>().notNull().default([]),
  /** Role given to a user who joins by signing in (just-in-time membership). */
  defaultRole: text("default_role").notNull().default("viewer"),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

// Alerts: rules say what to watch, channels where to say it; an alert is one open cause (deduped
// until it resolves); a delivery is one message on one channel (opened, resolved, digest, test).

/** Who a flow's new review items are assigned to (one rule per flow, optionally per reason). */
export const reviewAssignmentRules = pgTable(
  "review_assignment_rules",
  {
    id: id(),
    workspaceId: workspaceId(),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    /** Only items of this reason code; null: every reason. */
    reasonCode: text("reason_code"),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("review_assignment_rules_flow_reason").on(t.flowId, sql`coalesce(reason_code, '')`)],
);

/** email | slack | teams | webhook. Addresses and URLs that act as credentials live in `secrets_enc`. */
export const alertChannels = pgTable(
  "alert_channels",
  {
    id: id(),
    workspaceId: workspaceId(),
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    /** Non-secret settings (SMTP host, port, user, from, recipients). */
    config: jsonb("config").notNull().default({}),
    /** AES-256-GCM (db/crypto.ts): SMTP password, Slack/Teams webhook URL, webhook signing secret. */
    secretsEnc: text("secrets_enc"),
    /** immediate | digest (one message a day at `digest_hour` UTC) */
    delivery: text("delivery").notNull().default("immediate"),
    digestHour: integer("digest_hour").notNull().default(8),
    lastDigestAt: timestamp("last_digest_at", { withTimezone: true }),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("alert_channels_workspace_name").on(t.workspaceId, t.name)],
);

/** run_failed | review_opened | review_stale | connection_failing | poll_stalled | error_rate */
export const alertRules = pgTable(
  "alert_rules",
  {
    id: id(),
    workspaceId: workspaceId(),
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    /** Only this flow; null: every flow of the workspace. */
    flowId: uuid("flow_id").references(() => flows.id, { onDelete: "cascade" }),
    /** Thresholds by kind: { hours } | { multiplier } | { percent, minRuns }. */
    params: jsonb("params").notNull().default({}),
    channelIds: jsonb("channel_ids").$type<string[]>().notNull().default([]),
    enabled: boolean("enabled").notNull().default(true),
    /** Failed runs finished up to here have been looked at (run_failed). */
    checkedUntil: timestamp("checked_until", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("alert_rules_workspace").on(t.workspaceId)],
);

export const alerts = pgTable(
  "alerts",
  {
    id: id(),
    workspaceId: workspaceId(),
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => alertRules.id, { onDelete: "cascade" }),
    /** What makes two occurrences the same alert, e.g. `run_failed:<flow>:<node>:<error code>`. */
    causeKey: text("cause_key").notNull(),
    /** open | resolved */
    status: text("status").notNull().default("open"),
    title: text("title").notNull(),
    summary: text("summary").notNull().default(""),
    /** [{ label, value }] shown under the summary (flow, node, record key, error code). */
    facts: jsonb("facts").notNull().default([]),
    /** Where a person goes to act: the run, the review item, the connection. */
    link: text("link").notNull(),
    flowId: uuid("flow_id"),
    runId: uuid("run_id"),
    reviewItemId: uuid("review_item_id"),
    connectionId: uuid("connection_id"),
    assigneeUserId: uuid("assignee_user_id"),
    occurrences: integer("occurrences").notNull().default(1),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("alerts_open_cause").on(t.ruleId, t.causeKey).where(sql`status = 'open'`),
    index("alerts_workspace_seen").on(t.workspaceId, t.lastSeenAt),
  ],
);

export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: id(),
    workspaceId: workspaceId(),
    alertId: uuid("alert_id").references(() => alerts.id, { onDelete: "cascade" }),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => alertChannels.id, { onDelete: "cascade" }),
    /** opened | resolved | digest | test */
    event: text("event").notNull(),
    /** queued (waits for the digest) | sent | failed */
    status: text("status").notNull(),
    recipients: jsonb("recipients").$type<string[]>().notNull().default([]),
    error: text("error"),
    /** The digest delivery that carried this queued one. */
    digestId: uuid("digest_id"),
    /** Sends tried; a failed send is tried again on the next evaluations, up to five times. */
    attempts: integer("attempts").notNull().default(0),
    createdAt: createdAt(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [
    index("alert_deliveries_workspace_created").on(t.workspaceId, t.createdAt),
    index("alert_deliveries_channel_status").on(t.channelId, t.status),
  ],
);

/**
 * Webhook deliveries refused (bad signature, unknown address, too large), counted per flow, HTTP
 * status and day for /api/metrics. Deliveries to an unknown address count under no flow, so
 * random URLs cannot grow the table beyond one row per status and day.
 */
export const webhookRejections = pgTable(
  "webhook_rejections",
  {
    day: text("day").notNull(),
    /** Empty when the address named no active flow. */
    flowId: text("flow_id").notNull().default(""),
    nodeId: text("node_id").notNull().default(""),
    status: integer("status").notNull(),
    count: integer("count").notNull().default(0),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.day, t.flowId, t.nodeId, t.status] })],
);

/**
 * Relations Better Auth's adapter uses to read a session with its user in one statement
 * (`advanced.database.joins`); not database objects, so no migration.
 */
export const usersRelations = relations(users, ({ many }) => ({
  sessions: many(authSessions),
  accounts: many(authAccounts),
}));
export const authSessionsRelations = relations(authSessions, ({ one }) => ({
  user: one(users, { fields: [authSessions.userId], references: [users.id] }),
}));
export const authAccountsRelations = relations(authAccounts, ({ one }) => ({
  user: one(users, { fields: [authAccounts.userId], references: [users.id] }),
}));

/**
 * A reconciliation of one flow for one day: what the source system holds, what was posted by
 * key, the tax engine's current figure against the posted one, and the gaps. Regenerated on a
 * schedule or on request; the latest per flow and day is kept.
 */
export const reconciliationReports = pgTable(
  "reconciliation_reports",
  {
    id: id(),
    workspaceId: workspaceId(),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    /** YYYY-MM-DD (UTC). */
    day: text("day").notNull(),
    generatedAt: timestamp("generated_at", { withTimezone: true }).notNull().defaultNow(),
    /** { seen, posted, gaps: { missing, duplicated, amount_mismatch, parked_for_review }, truncated } */
    summary: jsonb("summary").notNull().default({}),
    /** One row per source document: key, posted entries, posted and current tax, gap. */
    documents: jsonb("documents").notNull().default([]),
  },
  (t) => [uniqueIndex("reconciliation_reports_flow_day").on(t.flowId, t.day), index("reconciliation_reports_workspace").on(t.workspaceId, t.day)],
);

// Agents (MCP at /api/mcp): what a workspace exposes to them, the hidden flows their tool calls
// run as, and the per-token call counter behind the calls-per-minute limit.

/** A workspace's MCP exposure: connections, tools, flows available to agents, approval rules, limit. */
export const mcpSettings = pgTable("mcp_settings", {
  workspaceId: uuid("workspace_id")
    .primaryKey()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  /** engine/mcp/settings.ts `mcpSettingsSchema`, parsed on every read. */
  settings: jsonb("settings").notNull().default({}),
  updatedAt: updatedAt(),
});

/**
 * The flow a connector tool's calls run as (one per tool and connection): a manual trigger and the
 * tool's node, so each call is an ordinary run of the executor, in the run log like any other.
 */
export const agentToolFlows = pgTable(
  "agent_tool_flows",
  {
    id: id(),
    workspaceId: workspaceId(),
    tool: text("tool").notNull(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("agent_tool_flows_tool").on(t.workspaceId, t.tool, t.connectionId), index("agent_tool_flows_flow").on(t.flowId)],
);

/** Tool calls per API token per minute (fixed windows; old windows are pruned as new ones open). */
export const agentCallWindows = pgTable(
  "agent_call_windows",
  {
    tokenId: uuid("token_id")
      .notNull()
      .references(() => apiTokens.id, { onDelete: "cascade" }),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    calls: integer("calls").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tokenId, t.windowStart] })],
);

/**
 * Rate-limit windows shared by every worker process, one row per (key, window): calls `used` of
 * `limit` until `reset_at` (epoch ms, from the system's headers when known), and a block until
 * `blocked_until` after a 429. The key names the system's own account (an Exact app and division,
 * an Avalara account), which several connections and workspaces may share; no record data.
 * Taken and learnt by engine/rate-limit.ts in one statement each.
 */
export const rateLimitWindows = pgTable(
  "rate_limit_windows",
  {
    key: text("key").notNull(),
    name: text("name").notNull(),
    limit: integer("limit").notNull(),
    periodMs: bigint("period_ms", { mode: "number" }).notNull(),
    used: integer("used").notNull().default(0),
    resetAt: bigint("reset_at", { mode: "number" }).notNull(),
    blockedUntil: bigint("blocked_until", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.name] })],
);

/** Concurrency slots per key (Intacct's concurrent requests per company): held until released or `expires_at`. */
export const rateLimitSlots = pgTable(
  "rate_limit_slots",
  {
    key: text("key").notNull(),
    slot: integer("slot").notNull(),
    holder: text("holder"),
    expiresAt: bigint("expires_at", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.slot] })],
);

/**
 * A flow's runs per UTC day and status for closed days (engine/run-day-counts.ts), so a flow's
 * overview over 90 days reads a few hundred rows instead of every run. Holds the finished runs
 * (not dry runs) created before `run_day_counts_state.covered_until` that finished before its
 * `finished_before`; everything else is counted live from `runs`. Kept by a worker cron task and
 * by retention (a purged run leaves its day's count), never by the statement that finishes a run.
 */
export const runDayCounts = pgTable(
  "run_day_counts",
  {
    workspaceId: workspaceId(),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    status: text("status").notNull(),
    runs: integer("runs").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.flowId, t.day, t.status] })],
);

/** How far run_day_counts reaches (one row, id 1): runs created before `covered_until` and finished before `finished_before`. */
export const runDayCountsState = pgTable("run_day_counts_state", {
  id: integer("id").primaryKey(),
  coveredUntil: timestamp("covered_until", { withTimezone: true }).notNull(),
  finishedBefore: timestamp("finished_before", { withTimezone: true }).notNull(),
});

/**
 * `npm run admin -- <command>`: headless administration for operators and CI. These commands and
 * their output are scripted against; keep them stable.
 *
 *   user create --email E --password P --workspace NAME [--role ROLE] [--name NAME]
 *       Creates the user (or sets the password of an existing one) and makes them a member of the
 *       workspace, created when missing. The first member of a workspace is its owner.
 *   user set-password --email E --password P
 *       Sets a password (the operator's way to reset one when e-mail is off); the user's sessions end.
 *   token create --email E --workspace NAME --role ROLE [--expires DAYS] [--name NAME]
 *       Creates an API token for that member, with a role no higher than theirs; prints the token
 *       alone on the last line of stdout (it is shown only this once).
 *
 * The database is DATABASE_URL, else the embedded one in the data dir (the running `npm start`'s,
 * or started for the command).
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { ensureDatabase, migrateDatabase } from "../db/bootstrap";
import { createDb, type Db } from "../db/client";
import { env } from "../db/env";
import type { Actor } from "../engine/audit";
import { recordAudit } from "../engine/audit";
import { passwordSchema } from "../engine/auth/passwords";
import { roleAtLeast, roleSchema, ROLES, type Role } from "../engine/auth/roles";
import { createToken, MAX_TOKEN_DAYS } from "../engine/auth/tokens";
import { emailSchema, ensureUser, findUserByEmail, setPassword } from "../engine/auth/users";
import { addMember, ensureWorkspaceByName, workspaceNameSchema } from "../engine/auth/workspaces";

const USAGE = `Usage:
  npm run admin -- user create --email E --password P --workspace NAME [--role ${ROLES.join("|")}] [--name NAME]
  npm run admin -- user set-password --email E --password P
  npm run admin -- token create --email E --workspace NAME --role ROLE [--expires DAYS] [--name NAME]`;

class UsageError extends Error {}

const CLI_ACTOR: Actor = { label: "admin-cli", kind: "system" };

function required(values: Record<string, string | undefined>, name: string): string {
  const value = values[name];
  if (!value) throw new UsageError(`--${name} is required.`);
  return value;
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${what}: ${result.error.issues[0]?.message ?? "invalid"}`);
  return result.data;
}

async function openDatabase(): Promise<{ db: Db; stop: () => Promise<void> }> {
  if (env.databaseUrl) return { db: createDb(env.databaseUrl, { max: 2 }), stop: async () => undefined };
  // The embedded server of a running `npm start`, when there is one.
  const url = `postgres://postgres:ledgerline@127.0.0.1:${env.pgPort}/ledgerline`;
  const probe = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
  const running = await probe`select 1`.then(() => true, () => false);
  await probe.end({ timeout: 1 });
  if (running) return { db: createDb(url, { max: 2 }), stop: async () => undefined };
  const database = await ensureDatabase();
  await migrateDatabase(database.url);
  return { db: createDb(database.url, { max: 2 }), stop: () => database.stop() };
}

async function userCreate(db: Db, values: Record<string, string | undefined>): Promise<void> {
  const email = parse(emailSchema, required(values, "email"), "--email");
  const password = parse(passwordSchema, required(values, "password"), "--password");
  const workspaceName = parse(workspaceNameSchema, required(values, "workspace"), "--workspace");
  const role: Role | undefined = values.role ? parse(roleSchema, values.role, `--role (one of ${ROLES.join(", ")})`) : undefined;
  const { user, workspace, held } = await db.sql.begin(async (tx) => {
    const user = await ensureUser(tx, { email, name: values.name });
    const workspace = await ensureWorkspaceByName(tx, workspaceName);
    await tx`select id from workspaces where id = ${workspace.id} for update`;
    const held = await addMember(tx, workspace.id, user.id, role);
    await tx`update users set last_workspace_id = coalesce(last_workspace_id, ${workspace.id}) where id = ${user.id}`;
    await recordAudit(tx, workspace.id, CLI_ACTOR, { action: "member.add", entityType: "member", entityId: user.id, data: { email, role: held } });
    return { user, workspace, held };
  });
  await setPassword(db, user.id, password);
  console.log(`${user.created ? "created" : "updated"} user ${email}`);
  if (workspace.created) console.log(`created workspace "${workspaceName}"`);
  console.log(`${email} is ${held} in "${workspaceName}"${role && held !== role ? ` (the first member of a workspace is its owner)` : ""}`);
}

async function userSetPassword(db: Db, values: Record<string, string | undefined>): Promise<void> {
  const email = parse(emailSchema, required(values, "email"), "--email");
  const password = parse(passwordSchema, required(values, "password"), "--password");
  const user = await findUserByEmail(db.sql, email);
  if (!user) throw new UsageError(`No user ${email}.`);
  await setPassword(db, user.id, password);
  console.log(`password set for ${email}; their sessions were signed out`);
}

async function tokenCreate(db: Db, values: Record<string, string | undefined>): Promise<void> {
  const email = parse(emailSchema, required(values, "email"), "--email");
  const workspaceName = parse(workspaceNameSchema, required(values, "workspace"), "--workspace");
  const role = parse(roleSchema, required(values, "role"), `--role (one of ${ROLES.join(", ")})`);
  let expiresInDays: number | null = null;
  if (values.expires !== undefined) {
    expiresInDays = Number(values.expires);
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_TOKEN_DAYS) {
      throw new UsageError(`--expires is a whole number of days from 1 to ${MAX_TOKEN_DAYS}.`);
    }
  }
  const [member] = await db.sql<{ user_id: string; workspace_id: string; role: Role }[]>`
    select u.id::text as user_id, w.id::text as workspace_id, m.role
    from users u join memberships m on m.user_id = u.id join workspaces w on w.id = m.workspace_id
    where u.email = ${email} and (w.name = ${workspaceName} or w.slug = ${workspaceName})
    order by (w.name = ${workspaceName}) desc limit 1`;
  if (!member) throw new UsageError(`${email} is not a member of a workspace named "${workspaceName}".`);
  if (!roleAtLeast(member.role, role)) throw new UsageError(`${email} is ${member.role} in "${workspaceName}"; a token's role can be at most that.`);
  const name = values.name?.trim() || `cli ${new Date().toISOString().slice(0, 10)}`;
  const created = await createToken(db, {
    workspaceId: member.workspace_id,
    userId: member.user_id,
    creatorRole: member.role,
    name,
    role,
    expiresInDays,
    actor: { ...CLI_ACTOR, userId: member.user_id },
  });
  console.log(`token "${name}" (${created.prefix}…) for ${email} in "${workspaceName}", role ${role}, ${created.expiresAt ? `expires ${created.expiresAt.toISOString()}` : "does not expire"}`);
  console.log(created.token);
}

async function main(argv: string[]): Promise<void> {
  const [group, command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      password: { type: "string" },
      workspace: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      expires: { type: "string" },
    },
    strict: true,
  });
  const run =
    group === "user" && command === "create" ? userCreate
    : group === "user" && command === "set-password" ? userSetPassword
    : group === "token" && command === "create" ? tokenCreate
    : null;
  if (!run) throw new UsageError(group ? `Unknown command: ${[group, command].filter(Boolean).join(" ")}` : "No command given.");
  const { db, stop } = await openDatabase();
  try {
    await run(db, values);
  } finally {
    await db.close();
    await stop();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`admin: ${(error as Error).message}`);
    process.exit(1);
  },
);

/**
 * Users and their password credential, written the way Better Auth reads them (a `credential`
 * account whose account id is the user id, argon2id hash). Used by the admin CLI, the demo seed and
 * single sign-on; browsers sign in through Better Auth itself.
 */
import type postgres from "postgres";
import { z } from "zod";
import type { Db } from "../../db/client";
import { hashPassword, passwordSchema } from "./passwords";

type Sql = postgres.Sql | postgres.TransactionSql;

export const emailSchema = z.string().trim().toLowerCase().email("Enter an e-mail address.").max(320);

export interface UserRow {
  id: string;
  email: string;
  name: string;
}

export async function findUserByEmail(sql: Sql, email: string): Promise<UserRow | null> {
  const [row] = await sql<UserRow[]>`select id::text, email, name from users where email = ${email.trim().toLowerCase()}`;
  return row ?? null;
}

/** The user with this e-mail, created when missing (name defaults to the e-mail's local part). */
export async function ensureUser(sql: Sql, input: { email: string; name?: string; emailVerified?: boolean }): Promise<UserRow & { created: boolean }> {
  const email = emailSchema.parse(input.email);
  const name = input.name?.trim() || email.split("@")[0]!;
  const [inserted] = await sql<UserRow[]>`
    insert into users (email, name, email_verified) values (${email}, ${name}, ${input.emailVerified ?? false})
    on conflict (email) do nothing returning id::text, email, name`;
  if (inserted) return { ...inserted, created: true };
  return { ...(await findUserByEmail(sql, email))!, created: false };
}

/** Set (or first give) a user's password. Other sessions of the user end. */
export async function setPassword(db: Db, userId: string, password: string): Promise<void> {
  const hash = await hashPassword(passwordSchema.parse(password));
  await db.sql.begin(async (tx) => {
    const [updated] = await tx`
      update auth_accounts set password = ${hash}, updated_at = now()
      where user_id = ${userId} and provider_id = 'credential' returning id`;
    if (!updated) {
      await tx`insert into auth_accounts (user_id, account_id, provider_id, password) values (${userId}, ${userId}, 'credential', ${hash})`;
    }
    await tx`delete from auth_sessions where user_id = ${userId}`;
  });
}

export async function hasPassword(sql: Sql, userId: string): Promise<boolean> {
  const [row] = await sql`select 1 from auth_accounts where user_id = ${userId} and provider_id = 'credential' and password is not null`;
  return Boolean(row);
}

/**
 * Sign-in rate limiting, per account and per IP, from the `sign_in_attempts` table (so several web
 * processes share it). Failed attempts in the window count; a successful sign-in clears the
 * account's count.
 */
import type { Db } from "../../db/client";

export const SIGN_IN_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 20;

export type LimitVerdict = { allowed: true } | { allowed: false; message: string; retryAfterSeconds: number };

export async function checkSignInAllowed(db: Db, email: string, ip: string | null): Promise<LimitVerdict> {
  const [row] = await db.sql<{ account: number; account_oldest: Date | null; ip: number; ip_oldest: Date | null }[]>`
    with since as (select now() - make_interval(mins => ${SIGN_IN_WINDOW_MINUTES}) as t),
         last_ok as (select max(at) as at from sign_in_attempts where email = ${email} and ok and at > (select t from since))
    select
      (select count(*)::int from sign_in_attempts where email = ${email} and not ok and at > greatest((select t from since), coalesce((select at from last_ok), '-infinity'))) as account,
      (select min(at) from sign_in_attempts where email = ${email} and not ok and at > greatest((select t from since), coalesce((select at from last_ok), '-infinity'))) as account_oldest,
      (select count(*)::int from sign_in_attempts where ${ip}::text is not null and ip = ${ip} and not ok and at > (select t from since)) as ip,
      (select min(at) from sign_in_attempts where ${ip}::text is not null and ip = ${ip} and not ok and at > (select t from since)) as ip_oldest`;
  const retryAfter = (oldest: Date | null) =>
    Math.max(60, Math.ceil(((oldest?.getTime() ?? Date.now()) + SIGN_IN_WINDOW_MINUTES * 60_000 - Date.now()) / 1000));
  if (row!.account >= MAX_FAILURES_PER_ACCOUNT) {
    const seconds = retryAfter(row!.account_oldest);
    return {
      allowed: false,
      retryAfterSeconds: seconds,
      message: `Too many failed sign-ins for this account. Try again in ${Math.ceil(seconds / 60)} minutes, or reset the password.`,
    };
  }
  if (row!.ip >= MAX_FAILURES_PER_IP) {
    const seconds = retryAfter(row!.ip_oldest);
    return {
      allowed: false,
      retryAfterSeconds: seconds,
      message: `Too many failed sign-ins from this network address. Try again in ${Math.ceil(seconds / 60)} minutes.`,
    };
  }
  return { allowed: true };
}

export async function recordSignInAttempt(db: Db, email: string, ip: string | null, ok: boolean): Promise<void> {
  await db.sql`insert into sign_in_attempts (email, ip, ok) values (${email}, ${ip}, ${ok})`;
  // Keep the table small: attempts older than a day serve no limit.
  if (Math.random() < 0.01) await db.sql`delete from sign_in_attempts where at < now() - interval '1 day'`;
}

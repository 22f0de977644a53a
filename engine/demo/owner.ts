/**
 * The demo owner's password: generated on first start, written to `<data dir>/demo-owner-password`
 * (mode 0600) and handed back once so `npm start` can print it; later starts leave it alone and
 * never read it out again. Deleting the file makes the next start generate a new one.
 */
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Db } from "../../db/client";
import { env } from "../../db/env";
import { findUserByEmail, setPassword } from "../auth/users";
import { DEMO_USER } from "./seed";

export const demoPasswordFile = (dataDir = env.dataDir) => path.join(dataDir, "demo-owner-password");

/** Returns the new password when one was generated now, else null (it is in the file already). */
export async function ensureDemoOwnerPassword(db: Db, dataDir = env.dataDir): Promise<{ password: string | null; file: string }> {
  const file = demoPasswordFile(dataDir);
  if (existsSync(file)) return { password: null, file };
  const user = await findUserByEmail(db.sql, DEMO_USER.email);
  if (!user) throw new Error("the demo user is missing: seed the demo workspace first");
  // 20 characters from an unambiguous alphabet: about 115 bits.
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const password = Array.from({ length: 20 }, () => alphabet[randomInt(alphabet.length)]).join("");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${password}\n`, { mode: 0o600, flag: "wx" });
  await setPassword(db, user.id, password);
  return { password, file };
}

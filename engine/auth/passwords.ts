/**
 * Passwords: argon2id (OWASP's parameters: 19 MiB, 2 iterations, 1 lane), the PHC string stored in
 * the credential account row. Better Auth hashes and verifies through these two functions, and so
 * does the admin CLI, so there is one format.
 */
import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";

const ARGON2ID = 2;

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(MAX_PASSWORD_LENGTH, `A password has at most ${MAX_PASSWORD_LENGTH} characters.`);

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
}

export async function verifyPassword(input: { hash: string; password: string }): Promise<boolean> {
  try {
    return await verify(input.hash, input.password);
  } catch {
    return false;
  }
}

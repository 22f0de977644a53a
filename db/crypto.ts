/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV per value and the auth tag stored beside it.
 * Format: `v1.<iv>.<tag>.<ciphertext>` (base64url). The key comes from LEDGERLINE_ENCRYPTION_KEY or,
 * when unset, from a key file generated on first start (mode 0600) in the data dir.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { env } from "./env";

let cachedKey: Buffer | undefined;

function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== 32) throw new Error("LEDGERLINE_ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64)");
  return key;
}

export function encryptionKey(): Buffer {
  if (cachedKey) return cachedKey;
  const fromEnv = process.env.LEDGERLINE_ENCRYPTION_KEY;
  if (fromEnv) return (cachedKey = parseKey(fromEnv));
  const file = path.join(env.dataDir, "encryption.key");
  if (!existsSync(file)) {
    mkdirSync(env.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  }
  return (cachedKey = parseKey(readFileSync(file, "utf8")));
}

export function encrypt(plaintext: string, key = encryptionKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(".");
}

export function decrypt(payload: string, key = encryptionKey()): string {
  const [version, iv, tag, ciphertext] = payload.split(".");
  if (version !== "v1" || !iv || !tag || ciphertext === undefined) throw new Error("unreadable encrypted value");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}

export const encryptJson = (value: unknown, key?: Buffer) => encrypt(JSON.stringify(value), key);
export const decryptJson = <T>(payload: string, key?: Buffer): T => JSON.parse(decrypt(payload, key)) as T;

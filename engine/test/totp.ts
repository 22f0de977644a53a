/**
 * RFC 6238 TOTP (SHA-1, 6 digits, 30 s), computed the way an authenticator app does, for tests
 * that sign in with two-factor. Takes the base32 key or an otpauth:// URI.
 */
import { createHmac } from "node:crypto";

export function totpCode(keyOrUri: string, at = Date.now()): string {
  const secret = (keyOrUri.startsWith("otpauth://") ? new URL(keyOrUri).searchParams.get("secret")! : keyOrUri).replace(/[\s=]+/g, "").toUpperCase();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

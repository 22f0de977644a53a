import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decrypt, decryptJson, encrypt, encryptJson } from "./crypto";

describe("secrets at rest", () => {
  const key = randomBytes(32);

  it("round-trips JSON and never stores the plaintext", () => {
    const secrets = { password: "Sup3r-Secret!", licenseKey: "ABCDEF0123456789" };
    const stored = encryptJson(secrets, key);
    expect(stored).not.toContain("Sup3r-Secret!");
    expect(stored).not.toContain("ABCDEF0123456789");
    expect(decryptJson(stored, key)).toEqual(secrets);
  });

  it("uses a fresh IV for every value", () => {
    expect(encrypt("same", key)).not.toBe(encrypt("same", key));
  });

  it("refuses a tampered ciphertext or the wrong key", () => {
    const stored = encrypt("ledger", key);
    const parts = stored.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 0xff;
    parts[3] = body.toString("base64url");
    expect(() => decrypt(parts.join("."), key)).toThrow();
    expect(() => decrypt(stored, randomBytes(32))).toThrow();
  });
});

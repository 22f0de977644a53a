/**
 * Verifying what Commerce pushes to us. Both channels sign with RSA key pairs, not HMAC:
 *
 * - Adobe I/O Events (asynchronous, the order-event feed): headers `x-adobe-digital-signature-1`
 *   and `-2` are base64 RSA-SHA256 signatures of the raw body; `x-adobe-public-key1-path` and
 *   `-2-path` name the PEM keys on static.adobeioevents.com. Valid when either verifies; the
 *   body's `recipient_client_id` must be our client id. Registration sends `GET ?challenge=…`.
 *   https://developer.adobe.com/events/docs/guides/#security-considerations
 * - Commerce webhooks (synchronous hooks): `x-adobe-commerce-webhook-signature` is a base64
 *   RSA-SHA256 signature made with the store's private key; Adobe's samples verify it over the
 *   base64 encoding of the body, so both base64(body) and the raw body are accepted.
 *   https://developer.adobe.com/commerce/extensibility/webhooks/signature-verification/
 */
import { createPublicKey, verify } from "node:crypto";
import { WebhookRejected, header, type WebhookRequest } from "../sdk";

/** True when `signatureB64` is an RSA-SHA256 signature of `payload` under `publicKeyPem`. Never throws. */
export function verifyRsaSha256(payload: string, signatureB64: string, publicKeyPem: string): boolean {
  try {
    const key = createPublicKey({ key: publicKeyPem, format: "pem" });
    return verify("RSA-SHA256", Buffer.from(payload, "utf8"), key, Buffer.from(signatureB64, "base64"));
  } catch {
    return false;
  }
}

export interface IoEvent {
  id?: string;
  event_id?: string;
  type?: string;
  recipient_client_id?: string;
  time?: string;
  data?: { key?: string; value?: Record<string, unknown>; source?: string; _metadata?: Record<string, unknown> };
  [k: string]: unknown;
}

export function isIoEventsDelivery(req: WebhookRequest): boolean {
  return !!(header(req.headers, "x-adobe-digital-signature-1") || header(req.headers, "x-adobe-digital-signature-2"));
}

export function isCommerceWebhookDelivery(req: WebhookRequest): boolean {
  return !!header(req.headers, "x-adobe-commerce-webhook-signature");
}

function parseJson(rawBody: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(rawBody) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new WebhookRejected("body is not a JSON object");
}

/**
 * Verify an Adobe I/O Events delivery and return the event. Configured keys are tried first; the
 * keys named by the delivery are fetched (from the fixed key host only) when none verifies.
 */
export async function verifyIoEvent(
  req: WebhookRequest,
  options: {
    publicKeys: string[];
    fetchKey?: (path: string) => Promise<string | undefined>;
    recipientClientId?: string;
  },
): Promise<IoEvent> {
  if (!options.recipientClientId) {
    throw new WebhookRejected("I/O Events delivery refused: no client id configured to check recipient_client_id against");
  }
  const signatures = [header(req.headers, "x-adobe-digital-signature-1"), header(req.headers, "x-adobe-digital-signature-2")];
  if (!signatures.some(Boolean)) throw new WebhookRejected("I/O Events delivery without x-adobe-digital-signature headers");
  let valid = signatures.some((sig) => sig && options.publicKeys.some((pem) => verifyRsaSha256(req.rawBody, sig, pem)));
  if (!valid && options.fetchKey) {
    const paths = [header(req.headers, "x-adobe-public-key1-path"), header(req.headers, "x-adobe-public-key2-path")];
    for (let i = 0; i < 2 && !valid; i++) {
      const sig = signatures[i];
      const path = paths[i];
      if (!sig || !path) continue;
      const pem = await options.fetchKey(path);
      valid = !!pem && verifyRsaSha256(req.rawBody, sig, pem);
    }
  }
  if (!valid) throw new WebhookRejected("I/O Events signature does not verify against the configured public keys");
  const event = parseJson(req.rawBody) as IoEvent;
  if (event.recipient_client_id !== options.recipientClientId) {
    throw new WebhookRejected("I/O Events delivery is addressed to another client id");
  }
  return event;
}

/** Verify a Commerce webhook call against the store's public key and return its JSON body. */
export function verifyCommerceWebhook(req: WebhookRequest, publicKeyPem: string | undefined): Record<string, unknown> {
  const signature = header(req.headers, "x-adobe-commerce-webhook-signature");
  if (!signature) throw new WebhookRejected("Commerce webhook without x-adobe-commerce-webhook-signature (enable Digital Signature in the store)");
  if (!publicKeyPem) throw new WebhookRejected("Commerce webhook refused: no webhook public key configured on the connection");
  const base64Body = Buffer.from(req.rawBody, "utf8").toString("base64");
  const valid = verifyRsaSha256(base64Body, signature, publicKeyPem) || verifyRsaSha256(req.rawBody, signature, publicKeyPem);
  if (!valid) throw new WebhookRejected("Commerce webhook signature does not verify against the configured public key");
  return parseJson(req.rawBody);
}

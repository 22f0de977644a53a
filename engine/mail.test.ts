/**
 * Outgoing e-mail against a mail server that accepts the connection and then never answers: the
 * send fails within the greeting timeout (SMTP_TIMEOUTS) with an error, instead of holding the
 * request (an invitation, a password reset) for nodemailer's minutes.
 */
import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sendMail, SMTP_TIMEOUTS } from "./mail";

const sockets: Socket[] = [];
const silent = createServer((socket) => void sockets.push(socket));
const previous = process.env.LEDGERLINE_SMTP_URL;

beforeAll(async () => {
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  process.env.LEDGERLINE_SMTP_URL = `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (previous === undefined) delete process.env.LEDGERLINE_SMTP_URL;
  else process.env.LEDGERLINE_SMTP_URL = previous;
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

it("gives up on a mail server that never greets within the greeting timeout", { timeout: 30_000 }, async () => {
  const started = Date.now();
  const error = await sendMail({ to: "someone@example.test", subject: "Hello", text: "Hello" }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  const elapsed = Date.now() - started;
  expect(error?.message).toMatch(/greeting/i);
  expect(sockets.length).toBeGreaterThan(0);
  expect(elapsed).toBeGreaterThanOrEqual(SMTP_TIMEOUTS.greetingTimeout - 500);
  expect(elapsed).toBeLessThan(SMTP_TIMEOUTS.greetingTimeout + 5_000);
});

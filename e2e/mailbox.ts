/**
 * A real SMTP server for the browser tests (the `smtp-server` package): the web app sends its
 * password reset and invitation e-mails to it; each message is written as a .eml file to a folder
 * the test files read (they run in other processes than the global setup).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { freePort } from "../db/free-port";

export interface Mailbox {
  smtpUrl: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startMailbox(): Promise<Mailbox> {
  const dir = await mkdtemp(path.join(tmpdir(), "ledgerline-mail-"));
  const port = await freePort();
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const file = path.join(dir, `${Date.now()}-${String(++n).padStart(4, "0")}.eml`);
        writeFile(file, Buffer.concat(chunks)).then(() => callback(), callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    dir,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
}

/** Every message received so far, oldest first. */
export async function readMailbox(dir: string): Promise<ReceivedMail[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".eml")).sort();
  const out: ReceivedMail[] = [];
  for (const file of files) {
    const parsed = await simpleParser(await readFile(path.join(dir, file)));
    const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(", ") : (parsed.to?.text ?? "");
    out.push({ to, subject: parsed.subject ?? "", text: parsed.text ?? "" });
  }
  return out;
}

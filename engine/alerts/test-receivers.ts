/**
 * Test receivers: a real SMTP server (smtp-server) that parses every message it accepts, and a
 * local HTTP endpoint that records what Slack, Teams and generic webhooks are sent.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  /** Sign-ins the server refused (a wrong password). */
  refusedLogins: number;
  close(): Promise<void>;
}

export async function startSmtp(credentials: { user: string; password: string }): Promise<SmtpReceiver> {
  const receiver = { mails: [] as ReceivedMail[], refusedLogins: 0 };
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.password) return callback(null, { user: auth.username });
      receiver.refusedLogins++;
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        simpleParser(raw)
          .then((parsed) => {
            receiver.mails.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? "",
              text: parsed.text ?? "",
              raw,
            });
            callback();
          })
          .catch((e: Error) => callback(e));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(receiver, {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

export interface HttpHit {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: unknown;
}

export interface HttpReceiver {
  url: string;
  hits: HttpHit[];
  /** Status to answer with, per path prefix (default 200). */
  status: Map<string, number>;
  on(path: string): HttpHit[];
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const hits: HttpHit[] = [];
  const status = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // not JSON
      }
      const path = req.url ?? "/";
      hits.push({ path, headers: req.headers, raw, body });
      const code = [...status.entries()].find(([prefix]) => path.startsWith(prefix))?.[1] ?? 200;
      // Slack answers "ok" as text/plain; Teams workflows answer 202.
      res.writeHead(code, { "content-type": "text/plain" });
      res.end(code === 200 ? "ok" : "error");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    status,
    on: (prefix) => hits.filter((h) => h.path.startsWith(prefix)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { HttpClient, redactBody } from "./http";
import { Redactor } from "./redact";
import { listen, send } from "./sandbox";

describe("run-log body redaction", () => {
  const redactor = new Redactor(["known-secret-value"]);

  it("masks token fields of JSON bodies the transport has not registered yet", () => {
    const body = JSON.stringify({ access_token: "eyJhbGciOi.new", refresh_token: "r-123", expires_in: "600", note: "has known-secret-value" });
    expect(JSON.parse(redactBody(body, redactor))).toEqual({ access_token: "[redacted]", refresh_token: "[redacted]", expires_in: "600", note: "has [redacted]" });
  });

  it("masks session ids and passwords in XML", () => {
    const xml = "<api><sessionid>abc123session</sessionid><endpoint>https://x</endpoint><password>pw</password></api>";
    expect(redactBody(xml, redactor)).toBe("<api><sessionid>[redacted]</sessionid><endpoint>https://x</endpoint><password>[redacted]</password></api>");
  });

  it("masks secret fields of form bodies and keeps the others as sent", () => {
    const form = "grant_type=refresh_token&refresh_token=old-r&client_id=abc&client_secret=s3cr3t&scope=a%2Cb";
    expect(redactBody(form, redactor)).toBe("grant_type=refresh_token&refresh_token=[redacted]&client_id=abc&client_secret=[redacted]&scope=a%2Cb");
  });

  it("leaves ordinary text alone", () => {
    expect(redactBody("plain text with = sign and spaces", redactor)).toBe("plain text with = sign and spaces");
  });
});

describe("known secrets", () => {
  it("masks a secret learnt after earlier bodies were logged, longest first, and short values stay as they are", () => {
    const redactor = new Redactor(["abcd"]);
    expect(redactor.text("id abcd, ab")).toBe("id [redacted], ab");
    // A session id learnt at run time (a sign-in answer) holds the first secret: it is masked whole.
    redactor.add("xxabcdxx");
    expect(redactBody(JSON.stringify({ s: "xxabcdxx", short: "abc", list: ["abcd"] }), redactor)).toBe(
      JSON.stringify({ s: "[redacted]", short: "abc", list: ["[redacted]"] }),
    );
  });
});

describe("connections to a sandbox", () => {
  it("reuses one connection for calls in a row, as with a real API, and close() still ends it", async () => {
    const sockets = new Set<Socket>();
    const server = await listen((req, res) => {
      sockets.add(req.socket);
      send(res, 200, { ok: true });
    });
    try {
      const client = new HttpClient({ redactor: new Redactor() });
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, i * 300)); // an idle gap between calls, as between a run's nodes
        expect((await client.request({ method: "GET", url: `${server.url}/ping` })).status).toBe(200);
      }
      expect(sockets.size).toBe(1);
    } finally {
      await server.close();
    }
    expect([...sockets].every((socket) => socket.destroyed)).toBe(true);
  });
});

/**
 * Outbound HTTP refuses what it must (SSRF): metadata and link-local addresses by literal, by
 * name, after DNS resolution (a real DNS server started here answers with a metadata address) and
 * on redirects; hosts outside a connector's official list; private ranges unless allowed.
 */
import { createSocket, type Socket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyAddress, EgressPolicy, EgressRefusedError } from "./egress";
import { HttpClient, type HttpCallRecord } from "./http";
import { Redactor } from "./redact";

/** A DNS server that answers every A query with `answer` (RFC 1035 wire format, one record). */
function startDns(answer: string): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket("udp4");
  socket.on("message", (query, peer) => {
    let offset = 12;
    while (query[offset]! !== 0) offset += query[offset]! + 1;
    const questionEnd = offset + 5;
    const qtype = query.readUInt16BE(offset + 1);
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(qtype === 1 ? 1 : 0, 6);
    const question = query.subarray(12, questionEnd);
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0);
    record.writeUInt16BE(1, 2);
    record.writeUInt16BE(1, 4);
    record.writeUInt32BE(60, 6);
    record.writeUInt16BE(4, 10);
    answer.split(".").forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
    socket.send(Buffer.concat([header, question, qtype === 1 ? record : Buffer.alloc(0)]), peer.port, peer.address);
  });
  return new Promise((resolve) => socket.bind(0, "127.0.0.1", () => resolve({ socket, port: socket.address().port })));
}

function resolverAt(port: number) {
  const resolver = new Resolver();
  resolver.setServers([`127.0.0.1:${port}`]);
  return async (hostname: string) => (await resolver.resolve4(hostname)).map((address) => ({ address, family: 4 }));
}

let server: Server;
let base: string;
const seen: IncomingMessage[] = [];
let redirectTo = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    if (req.url === "/big") {
      // 2 MB in chunks, no Content-Length.
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 32; i++) res.write("x".repeat(64 * 1024));
      return res.end();
    }
    if (req.url === "/redirect") {
      res.writeHead(307, { location: redirectTo });
      return res.end();
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true, authorization: req.headers.authorization ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function client(policy: EgressPolicy, calls: HttpCallRecord[] = []) {
  return new HttpClient({ redactor: new Redactor(), egress: policy, record: (c) => calls.push(c) });
}

describe("address classes", () => {
  it("knows metadata, link-local, loopback, private and public addresses, mapped forms included", () => {
    expect(classifyAddress("169.254.169.254")).toBe("never");
    expect(classifyAddress("::ffff:169.254.169.254")).toBe("never");
    expect(classifyAddress("::ffff:a9fe:a9fe")).toBe("never");
    expect(classifyAddress("fe80::1")).toBe("never");
    expect(classifyAddress("fd00:ec2::254")).toBe("never");
    expect(classifyAddress("100.100.100.200")).toBe("never");
    expect(classifyAddress("0.0.0.0")).toBe("never");
    expect(classifyAddress("127.0.0.1")).toBe("loopback");
    expect(classifyAddress("::1")).toBe("loopback");
    expect(classifyAddress("10.1.2.3")).toBe("private");
    expect(classifyAddress("172.20.0.5")).toBe("private");
    expect(classifyAddress("192.168.1.1")).toBe("private");
    expect(classifyAddress("fd12:3456::1")).toBe("private");
    expect(classifyAddress("8.8.8.8")).toBe("public");
  });
});

describe("a connector's policy", () => {
  const intacct = new EgressPolicy({ label: "Sage Intacct", hosts: ["api.intacct.com", "*.intacct.com"] });

  it("allows official hosts and loopback sandboxes, refuses the rest with a reason", () => {
    expect(intacct.refusal("https://api.intacct.com/ia/xml/xmlgw.phtml")).toBeUndefined();
    expect(intacct.refusal("https://eu.intacct.com/x")).toBeUndefined();
    expect(intacct.refusal("http://127.0.0.1:4101")).toBeUndefined();
    expect(intacct.refusal("http://localhost:4101")).toBeUndefined();
    expect(intacct.refusal("https://api.intacct.com.evil.example/")).toMatch(/not an official Sage Intacct host/);
    expect(intacct.refusal("https://evilintacct.com/")).toMatch(/not an official/);
    expect(intacct.refusal("http://169.254.169.254/latest/meta-data/")).toMatch(/never reachable/);
    expect(intacct.refusal("http://[fd00:ec2::254]/")).toMatch(/never reachable/);
    expect(intacct.refusal("http://metadata.google.internal/computeMetadata/v1/")).toMatch(/metadata/);
    expect(intacct.refusal("http://0xa9.0xfe.0xa9.0xfe/")).toMatch(/never reachable/);
    expect(intacct.refusal("http://10.0.0.5/")).toMatch(/private network/);
    expect(intacct.refusal("ftp://api.intacct.com/")).toMatch(/http or https only/);
  });

  it("takes more hosts from the allowed list, never metadata", () => {
    const policy = new EgressPolicy({ label: "Adobe Commerce", hosts: ["*.api.commerce.adobe.com"], allowed: ["shop.example.com", "10.20.0.0/16", "169.254.169.254"] });
    expect(policy.refusal("https://shop.example.com/rest/default")).toBeUndefined();
    expect(policy.refusal("http://10.20.3.4/")).toBeUndefined();
    expect(policy.refusal("http://10.21.3.4/")).toMatch(/private network/);
    expect(policy.refusal("http://169.254.169.254/")).toMatch(/never reachable/);
  });
});

describe("requests", () => {
  it("reach a loopback sandbox", async () => {
    const response = await client(new EgressPolicy({ label: "Sage Intacct", hosts: ["api.intacct.com"] })).request({ method: "GET", url: `${base}/ok` });
    expect(response.status).toBe(200);
  });

  it("in public mode (the HTTP node) refuse this machine unless the allowed list names it", async () => {
    const before = seen.length;
    const attempt = client(new EgressPolicy({ label: "HTTP node" })).request({ method: "POST", url: `${base}/ok`, body: "{}" });
    await expect(attempt).rejects.toThrow(/127\.0\.0\.1 is this machine \(loopback\)/);
    await expect(client(new EgressPolicy({ label: "HTTP node" })).request({ method: "GET", url: `http://localhost:${new URL(base).port}/ok` })).rejects.toThrow(/loopback/);
    expect(seen.length).toBe(before);
    const allowed = client(new EgressPolicy({ label: "HTTP node", allowed: ["127.0.0.1"] }));
    expect((await allowed.request({ method: "POST", url: `${base}/ok`, body: "{}" })).status).toBe(200);
  });

  it("are refused before anything is sent, and the refusal is recorded", async () => {
    const calls: HttpCallRecord[] = [];
    const before = seen.length;
    const attempt = client(new EgressPolicy({ label: "HTTP node" }), calls).request({ method: "POST", url: "http://169.254.169.254/latest/api/token", body: "x" });
    await expect(attempt).rejects.toBeInstanceOf(EgressRefusedError);
    await expect(attempt).rejects.toMatchObject({ kind: "permanent" });
    expect(calls[0]!.error).toMatch(/never reachable/);
    expect(seen.length).toBe(before);
  });

  it("are refused when a name resolves to a metadata address (checked after DNS, at connect)", async () => {
    const dns = await startDns("169.254.169.254");
    try {
      const policy = new EgressPolicy({ label: "HTTP node", resolve: resolverAt(dns.port) });
      expect(policy.refusal("http://innocent.example/")).toBeUndefined();
      const attempt = client(policy).request({ method: "GET", url: "http://innocent.example/latest/meta-data/" });
      await expect(attempt).rejects.toBeInstanceOf(EgressRefusedError);
      await expect(attempt).rejects.toThrow(/innocent\.example \(169\.254\.169\.254\) is a link-local/);
    } finally {
      dns.socket.close();
    }
  });

  it("are refused when a public name resolves to loopback or a private address (rebinding)", async () => {
    const dns = await startDns("127.0.0.1");
    try {
      const attempt = client(new EgressPolicy({ label: "HTTP node", resolve: resolverAt(dns.port) })).request({ method: "GET", url: `http://rebind.example:${new URL(base).port}/ok` });
      await expect(attempt).rejects.toThrow(/rebind\.example \(127\.0\.0\.1\) is this machine/);
      // For a connector, the same answer is a rebinding attempt: only localhost names may resolve there.
      const connector = client(new EgressPolicy({ label: "Sage Intacct", hosts: ["*.intacct.com"], resolve: resolverAt(dns.port) }));
      await expect(connector.request({ method: "GET", url: `http://api.intacct.com:${new URL(base).port}/ok` })).rejects.toThrow(/resolves to a loopback address/);
    } finally {
      dns.socket.close();
    }
  });

  it("follow a redirect only where the rules allow, and drop credentials across origins", async () => {
    const policy = new EgressPolicy({ label: "HTTP node", allowed: ["127.0.0.1", "localhost"] });
    redirectTo = "http://169.254.169.254/latest/meta-data/";
    await expect(client(policy).request({ method: "GET", url: `${base}/redirect` })).rejects.toThrow(/never reachable/);

    redirectTo = `http://localhost:${new URL(base).port}/landed`;
    const response = await client(policy).request({ method: "GET", url: `${base}/redirect`, headers: { authorization: "Bearer s3cret" } });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ ok: true, authorization: null });
  });

  it("stop reading a response past the size cap: permanent for a read, unknown outcome for a write", async () => {
    const capped = new HttpClient({ redactor: new Redactor(), maxResponseBytes: 1024 * 1024 });
    await expect(capped.request({ method: "GET", url: `${base}/big` })).rejects.toMatchObject({ kind: "permanent", message: expect.stringMatching(/larger than 1048576 bytes/) });
    await expect(capped.request({ method: "POST", url: `${base}/big`, body: "{}" })).rejects.toMatchObject({ kind: "retryable", outcomeUnknown: true });
    const roomy = new HttpClient({ redactor: new Redactor(), maxResponseBytes: 4 * 1024 * 1024 });
    expect((await roomy.request({ method: "GET", url: `${base}/big` })).text).toHaveLength(2 * 1024 * 1024);
  });
});

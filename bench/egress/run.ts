/**
 * `npx tsx bench/egress/run.ts`: what the egress rules cost per outbound request. The same
 * loopback JSON endpoint is called sequentially through Node's global fetch (no rules) and through
 * the connectors' HttpClient with a connector's rules (name check per request and per redirect,
 * address check when a socket connects), by IP literal and by name (`localhost`: a DNS lookup per
 * new socket). Keep-alive is on for both. Prints mean, p50 and p99 latency per side.
 *
 *   --requests N   requests per measured round (default 3000)
 *   --rounds R     measured rounds per side, alternating (default 3)
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { EgressPolicy, HttpClient, Redactor } from "../../connectors/sdk";

const { values } = parseArgs({ options: { requests: { type: "string", default: "3000" }, rounds: { type: "string", default: "3" } } });
const requests = Number(values.requests);
const rounds = Number(values.rounds);

const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end('{"ok":true}');
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as AddressInfo).port;

const policy = new EgressPolicy({ label: "Sage Intacct", hosts: ["api.intacct.com", "*.intacct.com"] });
const client = new HttpClient({ redactor: new Redactor(), egress: policy });

type Side = { name: string; call: () => Promise<unknown> };
const sides: Side[] = [
  { name: "global fetch, 127.0.0.1 (no rules)", call: async () => (await fetch(`http://127.0.0.1:${port}/x`)).text() },
  { name: "HttpClient + rules, 127.0.0.1", call: () => client.request({ method: "GET", url: `http://127.0.0.1:${port}/x` }) },
  { name: "HttpClient + rules, localhost (DNS)", call: () => client.request({ method: "GET", url: `http://localhost:${port}/x` }) },
];

async function round(side: Side, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await side.call();
    times.push(performance.now() - started);
  }
  return times;
}

for (const side of sides) await round(side, 300); // warm-up
const results = new Map<string, number[]>(sides.map((s) => [s.name, []]));
for (let r = 0; r < rounds; r++) for (const side of sides) results.get(side.name)!.push(...(await round(side, requests)));

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
console.log(`egress rules: ${requests} sequential requests x ${rounds} rounds per side, loopback keep-alive`);
for (const [name, times] of results) {
  const sorted = [...times].sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(`  ${name.padEnd(40)} mean ${mean.toFixed(3)} ms   p50 ${pct(sorted, 0.5).toFixed(3)} ms   p99 ${pct(sorted, 0.99).toFixed(3)} ms`);
}
server.close();

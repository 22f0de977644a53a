/**
 * Where outbound HTTP may go: the guard against server-side request forgery (SSRF). A connection's
 * secrets travel to the hosts its config names, and a flow's HTTP node posts to any URL a user
 * types, so every request is checked here, by name before it is sent and by address when the
 * socket connects (after DNS resolution, so a name that resolves to a metadata address is caught),
 * and again on every redirect.
 *
 * Glossary
 * - refused always:  link-local (169.254.0.0/16, fe80::/10: the AWS, GCP, Azure and Oracle metadata
 *                    services live there), other metadata endpoints (fd00:ec2::254,
 *                    100.100.100.200, metadata.google.internal...), "this network" (0.0.0.0/8, ::),
 *                    multicast and broadcast. No setting lifts this.
 * - loopback:        127.0.0.0/8, ::1, `localhost`, `*.localhost`: the local sandboxes.
 * - private:         RFC 1918, carrier-grade NAT (100.64.0.0/10), unique-local IPv6 (fc00::/7)...
 * - official hosts:  the host names a connector declares for its system (`api.intacct.com`,
 *                    `*.api.commerce.adobe.com`). A connection reaches those, loopback, and what
 *                    the allowed list adds; nothing else.
 * - allowed list:    what the operator adds (LEDGERLINE_ALLOWED_HOSTS, read by the engine, not
 *                    here): host names (`shop.example.com`, `*.example.com`), addresses and CIDR
 *                    ranges (`10.20.0.0/16`). A listed name may resolve to a private address.
 * - public mode:     `hosts` left undefined (the generic HTTP node, alert webhooks): any public
 *                    host; loopback and private addresses only when the allowed list names them
 *                    (what a flow posts to, it can read the answer of: this machine's services
 *                    and the internal network stay out of reach).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { PermanentError } from "./errors";

/** Refused for every caller, whatever the allowed list says. */
const NEVER_NAMES = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "metadata.azure.internal",
  "instance-data",
  "instance-data.ec2.internal",
]);

function blockList(v4: string[], v6: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of v4) {
    const [net, bits] = cidr.split("/");
    list.addSubnet(net!, Number(bits), "ipv4");
  }
  for (const cidr of v6) {
    const [net, bits] = cidr.split("/");
    list.addSubnet(net!, Number(bits), "ipv6");
  }
  return list;
}

const NEVER = blockList(
  ["0.0.0.0/8", "169.254.0.0/16", "100.100.100.200/32", "192.0.0.192/32", "224.0.0.0/4", "240.0.0.0/4"],
  ["::/128", "fe80::/10", "fd00:ec2::/32", "ff00::/8"],
);
const LOOPBACK = blockList(["127.0.0.0/8"], ["::1/128"]);
const PRIVATE = blockList(
  ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15"],
  ["fc00::/7", "fec0::/10"],
);

export type AddressClass = "never" | "loopback" | "private" | "public";

/** The v4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::/96) address. */
function embeddedV4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:(?:0:)?|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:(?:0:)?|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

export function classifyAddress(address: string): AddressClass {
  const v4 = isIP(address) === 6 ? embeddedV4(address) : undefined;
  const [addr, family] = v4 ? [v4, "ipv4" as const] : [address, isIP(address) === 4 ? ("ipv4" as const) : ("ipv6" as const)];
  if (isIP(addr) === 0) return "never";
  if (NEVER.check(addr, family)) return "never";
  if (addr === "255.255.255.255") return "never";
  if (LOOPBACK.check(addr, family)) return "loopback";
  if (PRIVATE.check(addr, family)) return "private";
  return "public";
}

function normalizeHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
}

function isLoopbackName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

function matchesPattern(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (p === "*") return true;
  if (p.startsWith("*.")) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return host === p;
}

function loopbackRefusal(shown: string): string {
  return `${shown} is this machine (loopback); an administrator can allow it with LEDGERLINE_ALLOWED_HOSTS`;
}

export interface EgressRules {
  /** Who is calling, for messages ("Sage Intacct", "HTTP POST"). */
  label: string;
  /** Official host names (exact or `*.suffix`). Undefined: any public host (public mode). */
  hosts?: readonly string[];
  /** The operator's additions: host names, `*.suffix` patterns, addresses, CIDR ranges. */
  allowed?: readonly string[];
  /** Name resolution (default: the system resolver, as `dns.lookup`). */
  resolve?: (hostname: string, family: 0 | 4 | 6) => Promise<LookupAddress[]>;
}

function systemResolve(hostname: string, family: 0 | 4 | 6): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(hostname, { family, all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
}

/** A request the egress rules refuse: permanent (it fails again until the settings change). */
export class EgressRefusedError extends PermanentError {}

export class EgressPolicy {
  readonly label: string;
  private readonly hosts?: readonly string[];
  private readonly resolve: NonNullable<EgressRules["resolve"]>;
  private readonly allowedNames: string[] = [];
  private readonly allowedAddresses = new BlockList();

  constructor(rules: EgressRules) {
    this.label = rules.label;
    this.hosts = rules.hosts;
    this.resolve = rules.resolve ?? systemResolve;
    for (const raw of rules.allowed ?? []) {
      const entry = normalizeHost(raw.trim());
      if (!entry) continue;
      const [net, bits] = entry.split("/");
      const family = isIP(net!);
      if (family) {
        const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
        this.allowedAddresses.addSubnet(net!, prefix, family === 4 ? "ipv4" : "ipv6");
      } else {
        this.allowedNames.push(entry);
      }
    }
  }

  private addressAllowed(address: string): boolean {
    const v4 = isIP(address) === 6 ? embeddedV4(address) : undefined;
    const addr = v4 ?? address;
    return this.allowedAddresses.check(addr, isIP(addr) === 4 ? "ipv4" : "ipv6");
  }

  private nameAllowed(host: string): boolean {
    return this.allowedNames.some((p) => matchesPattern(host, p));
  }

  /** Why a URL may not be called, or undefined when it may (by name; addresses are checked at connect). */
  refusal(url: string | URL): string | undefined {
    let parsed: URL;
    try {
      parsed = typeof url === "string" ? new URL(url) : url;
    } catch {
      return `"${String(url)}" is not a URL`;
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `${parsed.protocol} URLs are not allowed (http or https only)`;
    if (parsed.username || parsed.password) return "URLs with a user name or password in them are not allowed";
    const host = normalizeHost(parsed.hostname);
    if (NEVER_NAMES.has(host) || host.endsWith(".metadata.google.internal")) return `${host} is a cloud metadata service: never reachable`;
    if (isIP(host)) return this.addressRefusal(host, host);
    if (isLoopbackName(host)) return this.hosts === undefined && !this.nameAllowed(host) ? loopbackRefusal(host) : undefined;
    if (this.nameAllowed(host)) return undefined;
    if (this.hosts === undefined) return undefined;
    if (this.hosts.some((p) => matchesPattern(host, p))) return undefined;
    return `${host} is not an official ${this.label} host (${this.hosts.join(", ") || "none"}) nor a local sandbox; an administrator can allow it with LEDGERLINE_ALLOWED_HOSTS`;
  }

  /** Why `address` (what `hostname` resolved to, or the literal itself) may not be connected to. */
  addressRefusal(hostname: string, address: string): string | undefined {
    const host = normalizeHost(hostname);
    const kind = classifyAddress(address);
    const shown = host === address ? address : `${host} (${address})`;
    if (kind === "never") return `${shown} is a link-local, metadata or reserved address: never reachable`;
    if (this.addressAllowed(address)) return undefined;
    const literal = isIP(host) !== 0;
    if (kind === "loopback") {
      if (this.nameAllowed(host)) return undefined;
      if (this.hosts === undefined) return loopbackRefusal(shown);
      // The local sandboxes; a public name that resolves to loopback is a rebinding attempt.
      if (literal || isLoopbackName(host)) return undefined;
      return `${shown} resolves to a loopback address; only localhost names and addresses may`;
    }
    if (kind === "private") {
      if (!literal && this.nameAllowed(host)) return undefined;
      return `${shown} is a private network address; an administrator can allow it with LEDGERLINE_ALLOWED_HOSTS`;
    }
    // Public: a literal address is only reachable in public mode or when listed.
    if (literal && this.hosts !== undefined) {
      return `${address} is not an official ${this.label} host; an administrator can allow it with LEDGERLINE_ALLOWED_HOSTS`;
    }
    return undefined;
  }

  /** Throw a permanent error naming the reason when the URL may not be called. */
  assertUrl(url: string | URL): void {
    const reason = this.refusal(url);
    if (reason) throw new EgressRefusedError(`${this.label}: ${reason}`, { system: "egress", code: "egress_refused" });
  }

  /**
   * A `dns.lookup` replacement for the socket layer: resolves, then refuses the connection when
   * any address is refused (all of them, so a round-robin answer cannot smuggle one in).
   */
  readonly lookup = (
    hostname: string,
    options: { family?: number | string; all?: boolean },
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const family = options.family === "IPv6" || options.family === 6 ? 6 : options.family === "IPv4" || options.family === 4 ? 4 : 0;
    this.resolve(hostname, family).then(
      (addresses) => {
        if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname}: no address`), { code: "ENOTFOUND" }), []);
        for (const a of addresses) {
          const reason = this.addressRefusal(hostname, a.address);
          if (reason) return callback(new EgressRefusedError(`${this.label}: ${reason}`, { system: "egress", code: "egress_refused" }), []);
        }
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}

/**
 * What an HTTP client checks when it was given no rules (connector tests against their sandboxes):
 * any host name or loopback, never metadata, link-local or private addresses. The engine always
 * gives rules of its own.
 */
export const baseEgress = new EgressPolicy({ label: "HTTP", hosts: ["*"] });

/** Parse LEDGERLINE_ALLOWED_HOSTS-style text: comma or whitespace separated entries. */
export function parseAllowedHosts(text: string | undefined): string[] {
  return (text ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

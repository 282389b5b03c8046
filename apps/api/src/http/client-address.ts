import { isIP } from "node:net";

/**
 * Who is calling, for rate limits and Better Auth's session records. See
 * docs/decisions/017-client-address-and-trust-proxy.md.
 */
export interface ClientAddress {
  /** The address in canonical form (an IPv4-mapped IPv6 address as IPv4); undefined if unknown. */
  ip: string | undefined;
  /**
   * What limits count by: the IPv4 address, or the /64 prefix of an IPv6 address (one subscriber
   * usually holds a whole /64, so counting single IPv6 addresses would be no limit at all), or
   * "unknown" when there is no socket (in-process test requests).
   */
  key: string;
}

export const UNKNOWN_ADDRESS: ClientAddress = { ip: undefined, key: "unknown" };

const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
const BRACKETED_IPV6 = /^\[([^\]]+)\](?::\d{1,5})?$/;
const IPV4_MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/** Eight groups of an IPv6 address as numbers, from the canonical (compressed) form. */
function ipv6Groups(canonical: string): number[] {
  const [head = "", tail] = canonical.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * One address as a proxy or the socket reports it ("203.0.113.7", "203.0.113.7:5100",
 * "2001:db8::1", "[2001:db8::1]:443", "fe80::1%eth0", "::ffff:203.0.113.7"), or undefined when it
 * is not an IP address.
 */
export function parseAddress(value: string): ClientAddress | undefined {
  let text = value.trim();
  text = BRACKETED_IPV6.exec(text)?.[1] ?? IPV4_WITH_PORT.exec(text)?.[1] ?? text;
  // A zone ("%eth0") names the receiving interface, not the client.
  text = text.replace(/%[\w.-]+$/, "");
  const family = isIP(text);
  if (family === 4) return { ip: text, key: text };
  if (family !== 6) return undefined;
  // The URL parser gives the one canonical spelling of an IPv6 address (RFC 5952, lower case).
  const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const mapped = IPV4_MAPPED.exec(canonical);
  if (mapped) {
    const [high, low] = [parseInt(mapped[1] ?? "0", 16), parseInt(mapped[2] ?? "0", 16)];
    const ipv4 = [high >> 8, high & 255, low >> 8, low & 255].join(".");
    return { ip: ipv4, key: ipv4 };
  }
  const prefix = ipv6Groups(canonical)
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":");
  return { ip: canonical, key: `${prefix}::/64` };
}

/**
 * The client's address: the socket's peer, or with `trustProxy` = N (the proxies in front of us,
 * each appending the address it received from) the entry N from the right of X-Forwarded-For.
 * Entries further left were written by the client and prove nothing. Fewer entries than N: the
 * leftmost. No header, or a malformed entry where the trusted one should be: the socket.
 */
export function resolveClientAddress(input: {
  socket: string | undefined;
  forwardedFor: string | undefined;
  trustProxy: number;
}): ClientAddress {
  const fromSocket = (input.socket && parseAddress(input.socket)) || UNKNOWN_ADDRESS;
  if (input.trustProxy === 0 || !input.forwardedFor) return fromSocket;
  const entries = input.forwardedFor.split(",");
  const trusted = entries[Math.max(0, entries.length - input.trustProxy)];
  return (trusted !== undefined && parseAddress(trusted)) || fromSocket;
}

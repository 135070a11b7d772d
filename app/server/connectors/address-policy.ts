/**
 * Which network addresses an outbound connector may reach (server-side request forgery guard).
 * Owns the deny list — private, loopback, link-local (cloud metadata), unspecified, carrier-grade
 * NAT, multicast and reserved ranges, and the IPv6 forms that embed such an IPv4 address — and the
 * allow-list that opens exceptions by address, CIDR range or exact host name. Pure: it resolves
 * no names and opens no sockets; the caller resolves, asks about every address, then connects
 * only to an address it asked about.
 */
import { isIP } from 'node:net';

type Family = 4 | 6;

interface Address {
  family: Family;
  value: bigint;
}

interface Range extends Address {
  bits: number;
}

export interface AddressPolicy {
  /**
   * Why `address` (an IP address `hostname` resolved to, or the literal itself) may not be
   * reached, e.g. "a private address"; null when it may.
   */
  refusal(address: string, hostname: string): string | null;
}

const WIDTH: Record<Family, number> = { 4: 32, 6: 128 };

/** IPv4 ranges no workflow may reach unless allowed: RFC 6890 special-purpose space that is not global. */
const DENIED_V4: ReadonlyArray<readonly [string, string]> = [
  ['0.0.0.0/8', 'an unspecified ("this network") address'],
  ['10.0.0.0/8', 'a private address'],
  ['100.64.0.0/10', 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address (where cloud metadata services live)'],
  ['172.16.0.0/12', 'a private address'],
  ['192.0.0.0/24', 'an IETF protocol address'],
  ['192.168.0.0/16', 'a private address'],
  ['198.18.0.0/15', 'a benchmarking address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved or broadcast address'],
];

const DENIED_V6: ReadonlyArray<readonly [string, string]> = [
  ['::/128', 'the unspecified address'],
  ['::1/128', 'the loopback address'],
  ['64:ff9b:1::/48', 'a local NAT64 address'],
  ['100::/64', 'a discard address'],
  // Teredo hides the client's IPv4 address (inverted) in the last 32 bits: deny rather than decode.
  ['2001::/32', 'a Teredo tunnel address'],
  ['fc00::/7', 'a unique local (private) address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local address'],
  ['ff00::/8', 'a multicast address'],
];

const deniedV4 = DENIED_V4.map(([cidr, reason]) => ({ range: parseRange(cidr)!, reason }));
const deniedV6 = DENIED_V6.map(([cidr, reason]) => ({ range: parseRange(cidr)!, reason }));

/** IPv6 forms that carry an IPv4 address, which is then judged as that IPv4 address. */
const EMBEDDING: ReadonlyArray<{ range: Range; shift: bigint }> = [
  { range: parseRange('::ffff:0:0/96')!, shift: 0n }, // IPv4-mapped, ::ffff:127.0.0.1
  { range: parseRange('::ffff:0:0:0/96')!, shift: 0n }, // IPv4-translated (SIIT)
  { range: parseRange('64:ff9b::/96')!, shift: 0n }, // NAT64 well-known prefix
  { range: parseRange('2002::/16')!, shift: 80n }, // 6to4: 2002:AABB:CCDD::
  { range: parseRange('::/96')!, shift: 0n }, // IPv4-compatible (deprecated), ::127.0.0.1
];

/**
 * Builds the policy from an allow-list of IP addresses (`127.0.0.1`, `::1`), CIDR ranges
 * (`10.1.2.0/24`) and exact host names (`intranet.example`). A named host may resolve to any
 * address; an address or range opens only itself, whatever name leads there.
 */
export function createAddressPolicy(allow: readonly string[] = []): AddressPolicy {
  const ranges: Range[] = [];
  const names = new Set<string>();
  for (const entry of allow) {
    const text = hostKey(entry.trim());
    const single = parseAddress(text);
    const exact = single && (embeddedV4(single) ?? single);
    const range = exact ? { ...exact, bits: WIDTH[exact.family] } : parseRange(text);
    if (range) ranges.push(range);
    else if (HOST_NAME.test(text)) names.add(text);
    else
      throw new Error(
        `Allow-list entry "${entry}" is neither an IP address, a CIDR range (e.g. "10.1.2.0/24") nor a host name (e.g. "intranet.example").`,
      );
  }
  return {
    refusal(address, hostname) {
      if (names.has(hostKey(hostname))) return null;
      const parsed = parseAddress(address);
      if (!parsed) return 'not an IP address';
      const inner = embeddedV4(parsed);
      if (ranges.some((r) => contains(r, parsed) || (inner !== null && contains(r, inner)))) return null;
      if (parsed.family === 6) {
        const denied = deniedV6.find((d) => contains(d.range, parsed));
        if (denied) return denied.reason;
      }
      const judged = inner ?? parsed;
      return judged.family === 4 ? (deniedV4.find((d) => contains(d.range, judged))?.reason ?? null) : null;
    },
  };
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** How a host name is compared: lower case, without IPv6 brackets or the root's trailing dot. */
function hostKey(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

function contains(range: Range, address: Address): boolean {
  if (range.family !== address.family) return false;
  const shift = BigInt(WIDTH[range.family] - range.bits);
  return (range.value ^ address.value) >> shift === 0n;
}

/** The IPv4 address inside an IPv6 address of an embedding form, else null. `::` and `::1` are IPv6's own. */
function embeddedV4(address: Address): Address | null {
  if (address.family !== 6 || address.value <= 1n) return null;
  const form = EMBEDDING.find((e) => contains(e.range, address));
  return form ? { family: 4, value: (address.value >> form.shift) & 0xffff_ffffn } : null;
}

function parseRange(cidr: string): Range | null {
  const [text = '', prefix, ...rest] = cidr.split('/');
  const address = parseAddress(text);
  if (!address || rest.length || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return null;
  const bits = Number(prefix);
  if (bits > WIDTH[address.family]) return null;
  return { ...address, bits };
}

/** An IP address (dotted IPv4, or IPv6 with optional brackets, zone and trailing dotted IPv4) as a number. */
export function parseAddress(text: string): Address | null {
  const address = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(address);
  if (family === 4) return { family: 4, value: v4(address) };
  if (family !== 6) return null;
  let hex = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(hex);
  if (dotted) {
    const n = v4(dotted[1]!);
    hex = `${hex.slice(0, dotted.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = hex.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return { family: 6, value: all.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n) };
}

function v4(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * SSRF guard for webhook targets: a target host is refused when any address it resolves to is not
 * a public unicast address (loopback, private, link-local, unique-local, CGNAT, multicast, reserved,
 * documentation, unspecified; IPv4 and IPv6, including IPv4 embedded in IPv6: mapped, compatible,
 * NAT64 and 6to4), unless WEBHOOK_ALLOWED_HOSTS names the host or a CIDR range holding the address.
 * Checked at registration and again at every delivery, and the connection goes to the address that
 * was checked (no second lookup that DNS rebinding could answer differently).
 */
const FORBIDDEN_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];
const FORBIDDEN_V6: Array<[string, number]> = [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  // IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) are judged by the IPv4 inside.
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, ...)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

// One list per family: a BlockList also matches IPv4 addresses against IPv4-mapped IPv6 rules.
const forbiddenV4 = new BlockList();
const forbiddenV6 = new BlockList();
for (const [net, prefix] of FORBIDDEN_V4) forbiddenV4.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of FORBIDDEN_V6) forbiddenV6.addSubnet(net, prefix, 'ipv6');

/** 16 bytes of an IPv6 address, or null when it is not one. */
export function ipv6Bytes(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.split('%')[0];
  const bytes: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4) {
    tail = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (s: string) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const h = parse(head);
  const r = rest === undefined ? [] : parse(rest);
  const groups = rest === undefined ? h : [...h, ...new Array(8 - h.length - r.length).fill(0), ...r];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  if (v4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The IPv4 address carried inside an IPv6 one (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedIpv4(address: string): string | null {
  const b = ipv6Bytes(address);
  if (!b) return null;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12).join('.');
  if (zeros(0, 12)) return b.slice(12).join('.');
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.slice(12).join('.');
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6).join('.');
  return null;
}

/** True for addresses a webhook may not reach by default. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return forbiddenV4.check(address, 'ipv4');
  if (family !== 6) return true;
  const inner = embeddedIpv4(address);
  if (inner && forbiddenV4.check(inner, 'ipv4')) return true;
  return forbiddenV6.check(address.split('%')[0], 'ipv6');
}

export class AddressPolicy {
  private readonly hosts: string[] = [];
  private readonly rangesV4 = new BlockList();
  private readonly rangesV6 = new BlockList();

  /** `entries`: WEBHOOK_ALLOWED_HOSTS, comma-separated host names (`*.corp.example` allowed) or CIDR ranges. */
  constructor(entries = '') {
    for (const raw of entries.split(',').map((e) => e.trim()).filter(Boolean)) {
      const [net, bits, extra] = raw.split('/');
      const family = isIP(net.replace(/^\[|\]$/g, ''));
      if (family) {
        const address = net.replace(/^\[|\]$/g, '');
        const max = family === 4 ? 32 : 128;
        const prefix = bits === undefined ? max : Number(bits);
        if (extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) {
          throw new Error(`WEBHOOK_ALLOWED_HOSTS: "${raw}" is not a valid CIDR range`);
        }
        if (family === 4) this.rangesV4.addSubnet(address, prefix, 'ipv4');
        else this.rangesV6.addSubnet(address, prefix, 'ipv6');
      } else if (/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(raw) && bits === undefined) {
        this.hosts.push(raw.toLowerCase().replace(/\.$/, ''));
      } else {
        throw new Error(`WEBHOOK_ALLOWED_HOSTS: "${raw}" is neither a host name nor a CIDR range`);
      }
    }
  }

  hostAllowed(hostname: string): boolean {
    const host = hostname.toLowerCase().replace(/\.$/, '');
    return this.hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));
  }

  addressAllowed(address: string): boolean {
    const family = isIP(address);
    if (family === 4) return this.rangesV4.check(address, 'ipv4');
    if (family === 6) {
      const inner = embeddedIpv4(address);
      return this.rangesV6.check(address.split('%')[0], 'ipv6') || (!!inner && this.rangesV4.check(inner, 'ipv4'));
    }
    return false;
  }

  /**
   * Resolves a URL's host and returns the addresses to connect to, or throws a TargetRefused
   * (naming the address) when the target is not allowed.
   */
  async resolve(hostname: string): Promise<Array<{ address: string; family: 4 | 6 }>> {
    const bare = hostname.replace(/^\[|\]$/g, '');
    let addresses: Array<{ address: string; family: number }>;
    if (isIP(bare)) addresses = [{ address: bare, family: isIP(bare) }];
    else {
      try {
        addresses = await lookup(bare, { all: true, verbatim: true });
      } catch (err) {
        throw new TargetUnresolvable(`cannot resolve ${bare}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (!addresses.length) throw new TargetUnresolvable(`cannot resolve ${bare}: no addresses`);
    }
    if (!this.hostAllowed(bare)) {
      const bad = addresses.find((a) => isForbiddenAddress(a.address) && !this.addressAllowed(a.address));
      if (bad) {
        throw new TargetRefused(
          `${bare} resolves to ${bad.address}, a private, loopback or reserved address; allow it with WEBHOOK_ALLOWED_HOSTS`,
        );
      }
    }
    return addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  }
}

/** The target's address is not allowed: permanent. */
export class TargetRefused extends Error {}
/** The target's host does not resolve (now): may be transient. */
export class TargetUnresolvable extends Error {}

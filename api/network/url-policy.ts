// FindFace's deny-networks for URLs the server will connect to (cameras, webhooks): a URL whose host is, or
// resolves to, a loopback, link-local, private, shared (CGNAT), unspecified or multicast address is refused unless
// the operator allowed that network (`api.allowed_networks`). Checked when the URL is saved; whatever connects to
// it later must check again at connect time (DNS can change).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const DENIED_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local (cloud metadata)
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];
const DENIED_V6: ReadonlyArray<readonly [string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];

export interface UrlPolicyOptions {
  /** CIDRs (`10.0.0.0/8`, `fd00::/8`) or single addresses the operator allows although denied by default */
  readonly allowedNetworks: readonly string[];
  /** URL schemes accepted, without the colon */
  readonly schemes: readonly string[];
  /** how host names are resolved (tests pass their own) */
  readonly resolve?: (host: string) => Promise<string[]>;
}

export type UrlVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

function blockList(ranges: Iterable<readonly [string, number, 'ipv4' | 'ipv6']>): BlockList {
  const list = new BlockList();
  for (const [net, prefix, type] of ranges) list.addSubnet(net, prefix, type);
  return list;
}

/** `10.0.0.0/8` or `192.168.1.7` as [network, prefix, family]; throws on anything else. */
export function parseCidr(text: string): [string, number, 'ipv4' | 'ipv6'] {
  const [net = '', prefixText] = text.trim().split('/');
  const family = isIP(net);
  if (family === 0) throw new Error(`${text}: not an IP network (expected e.g. 10.0.0.0/8)`);
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`${text}: prefix must be 0…${max}`);
  return [net, prefix, family === 4 ? 'ipv4' : 'ipv6'];
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

export function createUrlPolicy(opts: UrlPolicyOptions): (url: string) => Promise<UrlVerdict> {
  const denied = blockList([...DENIED_V4.map(([n, p]) => [n, p, 'ipv4'] as const), ...DENIED_V6.map(([n, p]) => [n, p, 'ipv6'] as const)]);
  const allowed = blockList(opts.allowedNetworks.map(parseCidr));
  const resolve = opts.resolve ?? resolveAll;

  const deniedAddress = (address: string): boolean => {
    // an IPv4-mapped IPv6 address is judged as the IPv4 address it carries
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const a = mapped ?? address;
    const type = isIP(a) === 4 ? 'ipv4' : 'ipv6';
    return denied.check(a, type) && !allowed.check(a, type);
  };

  return async (text: string): Promise<UrlVerdict> => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { ok: false, reason: 'not a URL' };
    }
    const scheme = url.protocol.replace(/:$/, '');
    if (!opts.schemes.includes(scheme)) return { ok: false, reason: `scheme ${scheme}: is not accepted (accepted: ${opts.schemes.join(', ')})` };
    if (scheme === 'file') return url.hostname === '' ? { ok: true } : { ok: false, reason: 'a file: URL names no host' };
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (host === '') return { ok: false, reason: 'the URL names no host' };
    let addresses: string[];
    if (isIP(host) !== 0) addresses = [host];
    else {
      try {
        addresses = await resolve(host);
      } catch {
        // not resolvable from here (yet): nothing to judge; the connecting side checks again
        return { ok: true };
      }
    }
    const bad = addresses.find(deniedAddress);
    return bad === undefined
      ? { ok: true }
      : { ok: false, reason: `${host} is ${bad === host ? 'an address' : `resolved to ${bad}`} in a loopback, link-local or private network; allow it with api.allowed_networks` };
  };
}

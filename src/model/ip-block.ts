import { isIP } from 'net';
import { TrustmeshError } from '../errors';

/** A parsed IP address or CIDR block. */
export interface IpBlock {
  /** As written by the user (rendered verbatim). */
  readonly text: string;
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefixLength: number;
}

/**
 * Parses an IP address or CIDR block ("10.0.0.1", "10.0.0.0/8", "fd00::/8").
 * @throws TrustmeshError TM_INVALID_CIDR with a "did you mean" hint
 */
export function parseIpBlock(text: string): IpBlock {
  if (typeof text !== 'string') throw new TypeError('IP block must be a string');
  const [address, prefix, ...rest] = text.trim().split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) {
    throw invalid(text, 'is not an IP address or CIDR block', suggestionForBadAddress(text));
  }
  const bits = family === 4 ? 32 : 128;
  let prefixLength = bits;
  if (prefix !== undefined) {
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) {
      throw invalid(text, `has an invalid prefix length (IPv${family} allows 0-${bits})`, `did you mean "${address}/${bits}"?`);
    }
    prefixLength = Number(prefix);
  }
  const value = ipToBigInt(address, family);
  const mask = prefixMask(prefixLength, bits);
  if ((value & ~mask & ((1n << BigInt(bits)) - 1n)) !== 0n) {
    const networkText = bigIntToIp(value & mask, family);
    throw invalid(text, 'has host bits set beyond its prefix length',
      `did you mean "${networkText}/${prefixLength}" (the network) or "${address}/${bits}" (the single address)?`);
  }
  return { text: text.trim(), family: family === 4 ? 4 : 6, network: value & mask, prefixLength };
}

/** Whether `ip` (an address, not a block) lies inside `block`. Non-addresses never match. */
export function ipBlockContains(block: IpBlock, ip: string): boolean {
  const family = isIP(ip);
  if (family !== block.family) return false;
  const bits = family === 4 ? 32 : 128;
  return (ipToBigInt(ip, family) & prefixMask(block.prefixLength, bits)) === block.network;
}

function invalid(text: string, problem: string, fix: string | undefined): TrustmeshError {
  return new TrustmeshError('TM_INVALID_CIDR', `IP block ${problem}`, {
    value: text,
    allowed: 'an IPv4/IPv6 address or CIDR block such as "10.0.0.1", "10.0.0.0/8" or "fd00::/8"',
    fix,
  });
}

function suggestionForBadAddress(text: string): string | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\s*\/?\s*$/.exec(text.trim());
  if (m && isIP(m[1]) === 4) return `did you mean "${m[1]}/32"?`;
  const dotted = /^(\d{1,3}(?:\.\d{1,3}){0,2})\/(\d{1,2})$/.exec(text.trim());
  if (dotted) {
    const parts = dotted[1].split('.');
    while (parts.length < 4) parts.push('0');
    return `did you mean "${parts.join('.')}/${dotted[2]}"?`;
  }
  return undefined;
}

function prefixMask(prefixLength: number, bits: number): bigint {
  if (prefixLength === 0) return 0n;
  return ((1n << BigInt(prefixLength)) - 1n) << BigInt(bits - prefixLength);
}

function ipToBigInt(address: string, family: number): bigint {
  if (family === 4) {
    return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipToBigInt(v4[1], 4);
    text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = tail === undefined ? headParts : [...headParts, ...new Array<string>(missing).fill('0'), ...tailParts];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function bigIntToIp(value: bigint, family: number): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

import { TrustmeshError, TrustmeshUsageError } from '../errors';
import { CidrRange, cidrContains, parseCidr, parseIp } from '../semantics/ip-match';

/** A validated IP address or CIDR block, as written by the user (rendered verbatim). */
export interface IpBlock extends CidrRange {
  readonly text: string;
}

/**
 * Validates an IP address or CIDR block ("10.0.0.1", "10.0.0.0/8", "fd00::/8") for an intention.
 * Stricter than Istio, which silently masks host bits: "10.0.0.1/24" is ambiguous (the network or
 * the host?) and is refused with both readings offered.
 * @throws TrustmeshError TM_INVALID_CIDR with a "did you mean" hint
 */
export function parseIpBlock(text: string): IpBlock {
  if (typeof text !== 'string') throw new TrustmeshUsageError('IP block must be a string');
  const trimmed = text.trim();
  const range = parseCidr(trimmed);
  if (!range) {
    const [address, prefix] = trimmed.split('/');
    const ip = parseIp(address);
    if (ip && prefix !== undefined) {
      const bits = ip.version === 4 ? 32 : 128;
      throw invalid(text, `has an invalid prefix length (IPv${ip.version} allows 0-${bits})`, `did you mean "${address}/${bits}"?`);
    }
    throw invalid(text, 'is not an IP address or CIDR block', suggestionForBadAddress(trimmed));
  }
  const network = masked(range);
  if (!sameBytes(network, range.bytes)) {
    const bits = range.version === 4 ? 32 : 128;
    const address = trimmed.split('/')[0];
    throw invalid(text, 'has host bits set beyond its prefix length',
      `did you mean "${formatAddress(network, range.version)}/${range.prefixLength}" (the network) or "${address}/${bits}" (the single address)?`);
  }
  return { ...range, text: trimmed };
}

/** Whether `ip` (an address, not a block) lies inside `block`. Non-addresses never match. */
export function ipBlockContains(block: CidrRange, ip: string): boolean {
  const address = parseIp(ip);
  return address !== undefined && cidrContains(block, address);
}

function invalid(text: string, problem: string, fix: string | undefined): TrustmeshError {
  return new TrustmeshError('TM_INVALID_CIDR', `IP block ${problem}`, {
    value: text,
    allowed: 'an IPv4/IPv6 address or CIDR block such as "10.0.0.1", "10.0.0.0/8" or "fd00::/8"',
    fix,
  });
}

function suggestionForBadAddress(text: string): string | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\s*\/?\s*$/.exec(text);
  if (m && parseIp(m[1])) return `did you mean "${m[1]}/32"?`;
  const dotted = /^(\d{1,3}(?:\.\d{1,3}){0,2})\/(\d{1,2})$/.exec(text);
  if (dotted) {
    const parts = dotted[1].split('.');
    while (parts.length < 4) parts.push('0');
    return `did you mean "${parts.join('.')}/${dotted[2]}"?`;
  }
  return undefined;
}

/** The range's bytes with the host bits cleared. */
function masked(range: CidrRange): number[] {
  return [...range.bytes].map((byte, i) => {
    const keep = Math.max(0, Math.min(8, range.prefixLength - i * 8));
    // Keep the top `keep` bits of the byte.
    const unit = 2 ** (8 - keep);
    return Math.floor(byte / unit) * unit;
  });
}

function sameBytes(a: readonly number[], b: Uint8Array): boolean {
  return a.every((v, i) => v === b[i]);
}

function formatAddress(bytes: readonly number[], version: 4 | 6): string {
  if (version === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] * 256 + bytes[i + 1]).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

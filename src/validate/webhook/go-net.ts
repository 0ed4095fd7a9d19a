/**
 * IP address and prefix syntax exactly as Go's `net/netip` reads it (`ParseAddr`, `ParsePrefix`),
 * which is what istiod's webhook calls (`agent.ValidateIPAddress`, `agent.ValidateIPSubnet`,
 * `security.ValidateIPs`). Stricter than most parsers in two ways users meet: an IPv4 octet with a
 * leading zero (`010.0.0.1`) is refused, and so is a prefix length with one (`10.0.0.0/08`).
 *
 * @module
 */

/** A parsed address: its family and, for IPv6, its zone (`fe80::1%eth0`). */
export interface GoAddr {
  readonly version: 4 | 6;
  readonly zone: string;
}

/** The result of a parse: the address, or Go's reason for refusing it. */
export type GoParse<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const HEX_DIGIT = /^[0-9a-fA-F]$/;

const fail = <T>(reason: string): GoParse<T> => ({ ok: false, reason });

/** Go's `netip.ParseAddr`. */
export function parseGoAddr(s: string): GoParse<GoAddr> {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '.') return parseIpv4(s) ? { ok: true, value: { version: 4, zone: '' } } : fail(ipv4Reason(s));
    if (c === ':') return parseIpv6(s);
    if (c === '%') return fail('missing IPv6 address');
  }
  return fail('unable to parse IP');
}

/** Go's `netip.ParsePrefix`: `addr/bits`, no IPv6 zone, bits in decimal without a leading zero. */
export function parseGoPrefix(s: string): GoParse<GoAddr & { readonly bits: number }> {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return fail("no '/'");
  const addr = parseGoAddr(s.slice(0, slash));
  if (!addr.ok) return addr;
  if (addr.value.zone !== '') return fail('IPv6 zones cannot be present in a prefix');
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bits)) return fail(`bad bits after slash: ${JSON.stringify(bits)}`);
  const n = Number(bits);
  if (n > (addr.value.version === 4 ? 32 : 128)) return fail('prefix length out of range');
  return { ok: true, value: { ...addr.value, bits: n } };
}

/** True when Go's `netip.ParseAddr` accepts `s` (istio's `netutil.IsValidIPAddress`). */
export function isGoIp(s: string): boolean {
  return parseGoAddr(s).ok;
}

/** Four decimal octets, 0-255, no leading zeros, nothing else. */
function parseIpv4(s: string): boolean {
  return ipv4Reason(s) === '';
}

function ipv4Reason(s: string): string {
  let fields = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && value === 0) return 'IPv4 field has octet with leading zero';
      value = value * 10 + (c - 0x30);
      digits++;
      if (value > 255) return 'IPv4 field has value >255';
    } else if (s[i] === '.') {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') return 'IPv4 field must have at least one digit';
      if (fields === 3) return 'IPv4 address too long';
      fields++;
      value = 0;
      digits = 0;
    } else {
      return 'unexpected character';
    }
  }
  return fields < 3 ? 'IPv4 address too short' : '';
}

// Follows netip.parseIPv6: groups of 1-4 hex digits, at most one "::" that stands for at least one
// group, an embedded IPv4 address only as the last 32 bits, a non-empty zone after "%".
function parseIpv6(input: string): GoParse<GoAddr> {
  let s = input;
  let zone = '';
  const percent = s.indexOf('%');
  if (percent >= 0) {
    zone = s.slice(percent + 1);
    s = s.slice(0, percent);
    if (zone === '') return fail('zone must be a non-empty string');
  }
  const ok: GoParse<GoAddr> = { ok: true, value: { version: 6, zone } };
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return ok;
  }
  let bytes = 0;
  while (bytes < 16) {
    let off = 0;
    for (; off < s.length; off++) {
      if (!HEX_DIGIT.test(s[off])) break;
      if (off > 3) return fail('each group must have 4 or less digits');
    }
    if (off === 0) return fail('each colon-separated field must have at least one digit');
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && bytes !== 12) return fail('embedded IPv4 address must replace the final 2 fields of the address');
      if (bytes + 4 > 16) return fail('too many hex fields to fit an embedded IPv4 at the end of the address');
      const reason = ipv4Reason(s);
      if (reason !== '') return fail(reason);
      s = '';
      bytes += 4;
      break;
    }
    bytes += 2;
    s = s.slice(off);
    if (s === '') break;
    if (s[0] !== ':') return fail('unexpected character, want colon');
    if (s.length === 1) return fail('colon must be followed by more characters');
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return fail('multiple :: in address');
      ellipsis = bytes;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return fail('trailing garbage after address');
  if (bytes < 16 && ellipsis < 0) return fail('address string too short');
  if (bytes === 16 && ellipsis >= 0) return fail('the :: must expand to at least one field of zeros');
  return ok;
}

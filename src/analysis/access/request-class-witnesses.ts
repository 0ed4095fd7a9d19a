/**
 * Witness values for request classes: from the patterns a destination's policies use on one
 * attribute (`/static/*`, `GET`, `10.0.0.0/8`, …), the concrete values that exhibit each way a
 * request can match or miss them. The request classes are then the distinct match patterns of
 * these witnesses (see `request-classes.ts`); the evaluator's own matchers decide which witness
 * matches what, so a witness that lands in an unexpected class is harmless — at worst a class is
 * not exhibited, which the consistency test would show.
 *
 * @module
 */
/* eslint-disable no-bitwise -- address arithmetic */
import { AccessRequest, AccessRequestDestination } from '../../semantics/access-request';
import { parseCidr } from '../../semantics/ip-match';

/** Where a witness value came from, used to describe classes in words. */
export type WitnessOrigin =
  | { readonly kind: 'absent' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'other' }
  | { readonly kind: 'pattern'; readonly raw: string };

/** A candidate value; `undefined` is "attribute absent". */
export interface Witness {
  readonly value: string | undefined;
  readonly origin: WitnessOrigin;
}

/** A filler no policy is expected to name: keeps prefix/suffix witnesses out of other patterns. */
export const FRESH = '~tm~';

/** Options of {@link stringWitnesses}. */
export interface StringWitnessOptions {
  /** Include "absent". @default false */
  readonly absent?: boolean;
  /** Include the empty string (header presence matches an empty value). @default false */
  readonly empty?: boolean;
  /** The value standing for "anything no pattern names". */
  readonly other: string;
  /** Fill path templates (`{*}`, `{**}`). @default false */
  readonly paths?: boolean;
}

const PAIR_LIMIT = 64;

/**
 * Witnesses for Istio string patterns (exact `abc`, prefix `abc*`, suffix `*abc`, presence `*`,
 * path templates): the value itself, the value plus a filler, prefix-and-suffix combinations, and
 * one "other" value; optionally "absent" and "".
 */
export function stringWitnesses(raws: Iterable<string>, options: StringWitnessOptions): Witness[] {
  const out: Witness[] = [];
  const seen = new Set<string>();
  const push = (value: string | undefined, origin: WitnessOrigin): void => {
    const key = value === undefined ? '\u0000absent' : value;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ value, origin });
  };
  if (options.absent) push(undefined, { kind: 'absent' });
  if (options.empty) push('', { kind: 'empty' });
  push(options.other, { kind: 'other' });
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  for (const raw of [...new Set(raws)].sort()) {
    const origin: WitnessOrigin = { kind: 'pattern', raw };
    if (options.paths && (raw.includes('{*}') || raw.includes('{**}'))) {
      push(raw.replace(/\{\*\*\}/g, `${FRESH}/${FRESH}`).replace(/\{\*\}/g, FRESH), origin);
      push(raw.replace(/\{\*\*\}/g, '').replace(/\{\*\}/g, FRESH), origin);
      continue;
    }
    if (raw === '*') {
      push(FRESH, origin);
    } else if (raw.startsWith('*')) {
      const suffix = raw.slice(1);
      suffixes.push(suffix);
      push(suffix, origin);
      push(`${options.paths ? '/' : ''}${FRESH}${suffix}`, origin);
    } else if (raw.endsWith('*')) {
      const prefix = raw.slice(0, -1);
      prefixes.push(prefix);
      push(prefix, origin);
      push(`${prefix}${FRESH}`, origin);
    } else {
      push(raw, origin);
    }
  }
  let pairs = 0;
  for (const p of prefixes) {
    for (const s of suffixes) {
      if (pairs++ >= PAIR_LIMIT) break;
      push(`${p}${FRESH}${s}`, { kind: 'pattern', raw: `${p}*${s}` });
    }
  }
  return out;
}

/** The "other" values of each string dimension. */
export const OTHER = {
  path: `/${FRESH}other`,
  method: 'TMOTHER',
  host: `${FRESH}other.invalid`,
  value: `${FRESH}other`,
} as const;

/** An address from the documentation range (RFC 5737) that no policy is expected to name. */
export const OTHER_IPV4 = '203.0.113.77';
const OTHER_IPV6 = '2001:db8::77';

/**
 * A plaintext HTTP request from {@link OTHER_IPV4} to `destination`: the base the analyses vary one
 * attribute of, or derive identity-only attributes from.
 */
export function probeRequest(destination: AccessRequestDestination): AccessRequest {
  return { protocol: 'HTTP', source: { principal: null, namespace: null, ip: OTHER_IPV4 }, jwt: null, destination };
}

/**
 * Witnesses for IP/CIDR patterns: each range's first and last address and the addresses just
 * outside it (so nested and adjacent ranges are told apart), plus one IPv4 and one IPv6 address
 * from the documentation ranges; optionally "absent".
 */
export function ipWitnesses(raws: Iterable<string>, absent = false): Witness[] {
  const out: Witness[] = [];
  const seen = new Set<string>();
  const push = (value: string | undefined, origin: WitnessOrigin): void => {
    const key = value ?? '\u0000absent';
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ value, origin });
  };
  if (absent) push(undefined, { kind: 'absent' });
  push(OTHER_IPV4, { kind: 'other' });
  push(OTHER_IPV6, { kind: 'other' });
  for (const raw of [...new Set(raws)].sort()) {
    const range = parseCidr(raw);
    if (!range) continue;
    const origin: WitnessOrigin = { kind: 'pattern', raw };
    const first = Uint8Array.from(range.bytes);
    const last = Uint8Array.from(range.bytes);
    for (let bit = range.prefixLength; bit < first.length * 8; bit++) {
      const byte = bit >> 3;
      const mask = 0x80 >> (bit & 7);
      first[byte] &= ~mask;
      last[byte] |= mask;
    }
    push(formatIp(first), origin);
    push(formatIp(last), origin);
    const before = step(first, -1);
    const after = step(last, 1);
    if (before) push(formatIp(before), { kind: 'other' });
    if (after) push(formatIp(after), { kind: 'other' });
  }
  return out;
}

/** Port numbers for "any other port": the first free number counting down from 65000. */
export function otherPort(used: ReadonlySet<number>): number {
  let p = 65000;
  while (used.has(p)) p--;
  return p;
}

function step(bytes: Uint8Array, delta: 1 | -1): Uint8Array | undefined {
  const out = Uint8Array.from(bytes);
  for (let i = out.length - 1; i >= 0; i--) {
    const v = out[i] + delta;
    if (v >= 0 && v <= 255) {
      out[i] = v;
      return out;
    }
    out[i] = delta === 1 ? 0 : 255;
  }
  return undefined;
}

function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':');
}

import { Duration } from 'cdk8s';
import { TrustmeshError } from '../errors';

const UNITS: Readonly<Record<string, (n: number) => Duration>> = {
  d: Duration.days,
  h: Duration.hours,
  m: Duration.minutes,
};

/**
 * Parses a certificate lifetime written as a number and a unit: `3650d`, `24h`, `90m`. Years are
 * not accepted on purpose (`365d` is unambiguous, a "year" is not).
 * @throws TrustmeshError `TM_CA_INVALID_TTL`
 */
export function parseTtl(text: string, what = 'ttl'): Duration {
  const match = /^\s*(\d+)\s*([dhm])\s*$/.exec(String(text));
  const amount = match ? Number(match[1]) : NaN;
  if (!match || !(amount > 0) || amount > 100 * 365 * 24 * 60) {
    throw new TrustmeshError('TM_CA_INVALID_TTL', `invalid ${what}`, {
      value: text,
      allowed: 'a positive whole number followed by d (days), h (hours) or m (minutes), e.g. 3650d, 90d, 24h',
    });
  }
  return UNITS[match[2]](amount);
}

/** Formats a lifetime the way {@link parseTtl} reads it, in the largest whole unit. */
export function formatTtl(ttl: Duration): string {
  const minutes = Math.round(ttl.toMilliseconds() / 60_000);
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

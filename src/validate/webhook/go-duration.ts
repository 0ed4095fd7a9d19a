/**
 * Durations as istiod reads them (Go's `time.ParseDuration`: `300ms`, `1.5h`, `2h45m`) and the
 * webhook's `agent.ValidateDuration`: at least 1ms, and a whole number of milliseconds.
 *
 * @module
 */

const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n, us: 1_000n, µs: 1_000n, μs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};
const PART = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;

/** Nanoseconds of a Go duration string, or `undefined` when Go would refuse it. */
export function parseGoDuration(text: string): bigint | undefined {
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  while (s !== '') {
    const m = PART.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = UNIT_NS[m[3]];
    const whole = m[1] === '' ? 0n : BigInt(m[1]);
    const frac = m[2] ?? '';
    // Go keeps the fraction to the unit's precision and drops the rest.
    const fracNs = frac === '' ? 0n : (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    total += whole * unit + fracNs;
    s = s.slice(m[0].length);
  }
  return negative ? -total : total;
}

const MS = 1_000_000n;

/**
 * `agent.ValidateDuration` on a duration string: istiod's reason, or `undefined` when accepted or
 * unparsable (the schema reports those). The 1.30 CRDs already enforce the 1ms minimum with a CEL
 * rule on every duration field but one, so the minimum is checked only when asked.
 */
export function durationReason(value: unknown, options: { readonly minimum?: boolean } = {}): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ns = parseGoDuration(value);
  if (ns === undefined) return undefined;
  if (ns < MS) return options.minimum ? 'duration must be greater than 1ms' : undefined;
  if (ns % MS !== 0n) return 'only durations to ms precision are supported';
  return undefined;
}

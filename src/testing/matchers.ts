import { AccessProbe } from './access-probe';
import { AccessOutcome } from '../semantics/access-request';

/** The result shape `expect.extend` matchers return (vitest and jest). */
export interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

/**
 * Vitest/jest matchers for {@link access} probes. Register once in a setup file:
 * `expect.extend(accessMatchers)`.
 */
export const accessMatchers = {
  /** The request reaches the workload. */
  toBeAllowed(received: unknown): MatcherResult {
    const probe = asProbe(received, 'toBeAllowed');
    const d = probe.decision;
    return {
      pass: d.allowed,
      message: () => d.allowed
        ? `expected ${probe.description} to be denied, but it is allowed: ${d.explanation}`
        : `expected ${probe.description} to be allowed, but it is ${d.outcome}: ${d.explanation}`,
    };
  },
  /** The request is refused; optionally with a specific outcome (`DENY_403`, `DENY_401`, `DENY_CONN`). */
  toBeDenied(received: unknown, outcome?: Exclude<AccessOutcome, 'ALLOW'>): MatcherResult {
    const probe = asProbe(received, 'toBeDenied');
    const d = probe.decision;
    const pass = !d.allowed && (outcome === undefined || d.outcome === outcome);
    return {
      pass,
      message: () => pass
        ? `expected ${probe.description} not to be denied${outcome ? ` with ${outcome}` : ''}: ${d.explanation}`
        : `expected ${probe.description} to be denied${outcome ? ` with ${outcome}` : ''}, but it is ${d.outcome}: ${d.explanation}`,
    };
  },
};

function asProbe(received: unknown, matcher: string): AccessProbe {
  if (!(received instanceof AccessProbe)) {
    throw new TypeError(`${matcher}() expects an access probe, e.g. expect(access(app).from(a).to(b).get('/')).${matcher}()`);
  }
  return received;
}

/**
 * perf8: rule guards — necessary conditions of a rule kept as integers in a workload's rule table
 * (workload-rules.ts), so that most non-matching rules are skipped without reading their objects.
 *
 * @module
 */
/* eslint-disable no-bitwise -- guard words and IPv4 masks */
import type { CompiledRule, FieldConstraint } from './authorization-rule';
import { GUARD_CLAIMS, GUARD_OTHER_METHOD, ipv4Int, methodBit } from './request-attributes';
import { parseCidr } from '../../semantics/ip-match';

/** A rule's guard: see {@link guardOf}. */
export interface RuleGuard {
  readonly word: number;
  /** IPv4 ranges as (address, mask) pairs, when the rule can only match a source in one of them. */
  readonly ranges?: readonly number[];
}

const TOKEN_KEYS: ReadonlySet<string> = new Set(['request.auth.principal', 'request.auth.audiences', 'request.auth.presenter']);

/**
 * perf8: what a request must have for a rule to match, read from the workload's table before the
 * rule itself (whose objects are cold memory in a large mesh): bits 0-15 the methods of a rule
 * whose every operation names exact standard methods ({@link methodBit}); {@link GUARD_CLAIMS}
 * when every source names requestPrincipals or a condition tests the token (no verified token:
 * no match); and the IPv4 ranges of a rule whose every source names only IPv4 `ipBlocks` (pairs
 * of address and mask). Necessary conditions only: a rule that passes its guard is still matched.
 */
export function guardOf(rule: Pick<CompiledRule, 'sources' | 'operations' | 'conditions'>): RuleGuard {
  let word = 0;
  const everyGroup = (groups: readonly (readonly FieldConstraint[])[] | undefined, key: string): FieldConstraint[] | undefined => {
    if (!groups) return undefined;
    const out: FieldConstraint[] = [];
    for (const g of groups) {
      const c = g.find((x) => x.attribute.key === key && x.values !== undefined);
      if (!c) return undefined;
      out.push(c);
    }
    return out;
  };
  const methods = everyGroup(rule.operations, ':method');
  if (methods) {
    let mask = 0;
    for (const c of methods) for (const v of c.values!) mask |= methodBit(v.raw);
    if ((mask & GUARD_OTHER_METHOD) === 0) word |= mask;
  }
  if (everyGroup(rule.sources, 'request.auth.principal') || rule.conditions.some((c) => c.values !== undefined && TOKEN_KEYS.has(c.attribute.key))) {
    word |= GUARD_CLAIMS;
  }
  const ips = everyGroup(rule.sources, 'source.ip');
  let ranges: number[] | undefined = [];
  for (const c of ips ?? []) {
    for (const v of c.values!) {
      const r = parseCidr(v.raw);
      if (!r || r.version !== 4) {
        ranges = undefined;
        break;
      }
      const mask = r.prefixLength === 0 ? 0 : (-1 << (32 - r.prefixLength));
      ranges.push(ipv4Int(r.bytes) & mask, mask);
    }
    if (!ranges) break;
  }
  return { word, ...(ips && ranges ? { ranges } : {}) };
}

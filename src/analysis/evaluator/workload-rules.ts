/**
 * The rules that decide for one destination workload, by action and filter chain, pre-merged
 * across its policies: a request tries only the rules its peer identity can match, found by one
 * map lookup per identity key instead of one per policy (see {@link firstMatchingRule} for the
 * per-policy form the explanations and the dry-run/audit reports use).
 *
 * Built once per resolved workload, on its first request; the rules themselves are compiled once
 * per policy (shared by every workload the policy selects).
 *
 * @module
 */
/* eslint-disable no-bitwise -- identity key bit sets */
import { CompiledPolicy, CompiledRule, CompiledRules, ruleMatches } from './authorization-rule';
import { identityKeyBit, RequestAttributes } from './request-attributes';
import { DecidingPolicy } from '../../semantics/access-request';

/** One rule of one policy. */
export interface RuleEntry {
  readonly policy: CompiledPolicy;
  readonly rule: CompiledRule;
}

/** The rules of the policies of one action on one filter chain, in policy then rule order. */
export interface ActionRules {
  readonly entries: readonly RuleEntry[];
  /** Positions of the rules pinned to no identity. */
  readonly unpinned: readonly number[];
  /** Per identity key: the positions of the rules it can match, merged with `unpinned` (ascending). */
  readonly byIdentity: ReadonlyMap<string, readonly number[]>;
  /** Union of the {@link identityKeyBit}s of the keys in `byIdentity`: bits 0-31 and 32-63. */
  readonly bitsLow: number;
  readonly bitsHigh: number;
}

/** DENY and ALLOW rules of one workload on both chains. */
export interface WorkloadRules {
  readonly deny: { readonly http: ActionRules; readonly tcp: ActionRules };
  readonly allow: { readonly http: ActionRules; readonly tcp: ActionRules };
  /** The decision parts when no ALLOW rule matches, per chain, built on first use (the evaluator's). */
  readonly noMatch: { http?: NoMatch; tcp?: NoMatch };
}

/** What a denial by "no ALLOW rule matched" says: the same for every request on one chain of a workload. */
export interface NoMatch {
  readonly decidedBy: readonly DecidingPolicy[];
  readonly text: string;
}

/** Merges the rules of the policies (in their order) for one chain. */
export function actionRules(policies: readonly CompiledPolicy[], chainOf: (p: CompiledPolicy) => CompiledRules): ActionRules {
  const entries: RuleEntry[] = [];
  const unpinned: number[] = [];
  const pinned = new Map<string, number[]>();
  for (const policy of policies) {
    for (const rule of chainOf(policy).rules) {
      const at = entries.length;
      entries.push({ policy, rule });
      if (!rule.identityKeys) {
        unpinned.push(at);
        continue;
      }
      for (const k of rule.identityKeys) {
        const list = pinned.get(k);
        if (list) list.push(at);
        else pinned.set(k, [at]);
      }
    }
  }
  const byIdentity = new Map<string, readonly number[]>();
  let bitsLow = 0;
  let bitsHigh = 0;
  for (const [k, list] of pinned) {
    byIdentity.set(k, mergeSorted(unpinned, list));
    const bit = identityKeyBit(k);
    if (bit < 32) bitsLow |= 1 << bit;
    else bitsHigh |= 1 << (bit - 32);
  }
  return { entries, unpinned, byIdentity, bitsLow, bitsHigh };
}

/** The DENY and ALLOW rules of a workload's enforced policies. */
export function workloadRules(deny: readonly CompiledPolicy[], allow: readonly CompiledPolicy[]): WorkloadRules {
  return {
    deny: { http: actionRules(deny, (p) => p.http), tcp: actionRules(deny, (p) => p.tcp) },
    allow: { http: actionRules(allow, (p) => p.http), tcp: actionRules(allow, (p) => p.tcp) },
    noMatch: {},
  };
}

/** The first rule (in policy, then rule order) that matches the request, if any. */
export function firstMatchingEntry(rules: ActionRules, attrs: RequestAttributes): RuleEntry | undefined {
  const entries = rules.entries;
  if (entries.length === 0) return undefined;
  const keys = attrs.identityKeys;
  if (keys === undefined) {
    for (const e of entries) if (ruleMatches(e.rule, attrs)) return e;
    return undefined;
  }
  // Each list holds the unpinned rules too: with one list (the common case) no merge is needed.
  let first: readonly number[] | undefined;
  let lists = 0;
  const bits = attrs.identityBits;
  for (let i = 0; i < keys.length; i++) {
    // Most keys of a request name no rule of the destination: skip their lookup by the bit filter.
    const bit = bits[i];
    if ((bit < 32 ? rules.bitsLow & (1 << bit) : rules.bitsHigh & (1 << (bit - 32))) === 0) continue;
    const l = rules.byIdentity.get(keys[i]);
    if (l === undefined) continue;
    if (lists === 0) {first = l;} else {
      if (lists === 1) LISTS[0] = first!;
      LISTS[lists] = l;
    }
    lists++;
  }
  if (lists <= 1) {
    for (const i of first ?? rules.unpinned) if (ruleMatches(entries[i].rule, attrs)) return entries[i];
    return undefined;
  }
  // Several keys with rules: walk the ascending lists together (module scratch space: no
  // allocation per request; ruleMatches never re-enters).
  for (let l = 0; l < lists; l++) AT[l] = 0;
  let last = -1;
  for (;;) {
    let next = -1;
    for (let l = 0; l < lists; l++) {
      const list = LISTS[l];
      let at = AT[l];
      while (at < list.length && list[at] <= last) at++;
      AT[l] = at;
      if (at < list.length && (next < 0 || list[at] < next)) next = list[at];
    }
    if (next < 0) return undefined;
    if (ruleMatches(entries[next].rule, attrs)) return entries[next];
    last = next;
  }
}

const LISTS: (readonly number[])[] = [[], [], [], [], [], [], [], []];
const AT = new Int32Array(LISTS.length);

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) {out.push(a[i++]);} else if (i >= a.length || b[j] < a[i]) {out.push(b[j++]);} else {
      out.push(a[i++]);
      j++;
    }
  }
  return out;
}

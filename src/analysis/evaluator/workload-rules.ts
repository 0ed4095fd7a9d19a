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
import { CompiledPolicy, CompiledRule, CompiledRules, ruleMatches } from './authorization-rule';
import { EffectiveMtlsMode, MtlsSource } from './mtls-mode';
import { internIdentityKey, RequestAttributes } from './request-attributes';
import { DecidingPolicy } from '../../semantics/access-request';

/** One rule of one policy. */
export interface RuleEntry {
  readonly policy: CompiledPolicy;
  readonly rule: CompiledRule;
}

/**
 * The rules of the policies of one action on one filter chain, in policy then rule order.
 *
 * perf8: the identity index is one flat Int32Array per action and chain, so that a request's
 * lookup touches a few cache lines of its destination instead of a Map, its hash table and one
 * array per key (at 8,000 workloads those were cold memory on almost every decision):
 * `[n, key ids (n, ascending), starts (n + 1), lists…, unpinned…]` — the positions of the rules
 * each key can match, merged with the unpinned rules (ascending), run from `starts[i]` to
 * `starts[i + 1]`; the unpinned rules' positions run from `starts[n]` to the end.
 */
export interface ActionRules {
  readonly entries: readonly RuleEntry[];
  /** The rules of `entries`, in the same order (what matching reads; `entries` only on a match). */
  readonly rules: readonly CompiledRule[];
  readonly table: Int32Array;
}

/** DENY and ALLOW rules of one workload on both chains. */
export interface WorkloadRules {
  readonly deny: { readonly http: ActionRules; readonly tcp: ActionRules };
  readonly allow: { readonly http: ActionRules; readonly tcp: ActionRules };
  /** The decision parts when no ALLOW rule matches, per chain, built on first use (the evaluator's). */
  readonly noMatch: { http?: NoMatch; tcp?: NoMatch };
}

/**
 * perf8: what the evaluator keeps per resolved workload (on the index's cache entry, so a decision
 * reaches it without a lookup of its own): the merged rules and what the common decision needs to
 * know without touching the workload's policy lists.
 */
export interface WorkloadPlan {
  readonly rules: WorkloadRules;
  /** Decided by the Istio 1.x objects (no v1beta1/v1 policy selects the workload). */
  readonly legacy: boolean;
  /** No ignored, dry-run, AUDIT or CUSTOM policy: a decision carries no extras. */
  readonly plain: boolean;
  /** No RequestAuthentication selects the workload. */
  readonly noJwtRules: boolean;
  /** No ALLOW policy applies to the workload. */
  readonly allowNone: boolean;
  /** The mTLS mode of every port when no port-level mode is set (undefined otherwise). */
  readonly mtls?: { readonly mode: EffectiveMtlsMode; readonly source?: MtlsSource };
}

/** What a denial by "no ALLOW rule matched" says: the same for every request on one chain of a workload. */
export interface NoMatch {
  readonly decidedBy: readonly DecidingPolicy[];
  readonly text: string;
}

/** Merges the rules of the policies (in their order) for one chain. */
export function actionRules(policies: readonly CompiledPolicy[], chainOf: (p: CompiledPolicy) => CompiledRules): ActionRules {
  const entries: RuleEntry[] = [];
  const rules: CompiledRule[] = [];
  const unpinned: number[] = [];
  const pinned = new Map<number, number[]>();
  for (const policy of policies) {
    for (const rule of chainOf(policy).rules) {
      const at = entries.length;
      entries.push({ policy, rule });
      rules.push(rule);
      if (!rule.identityKeys) {
        unpinned.push(at);
        continue;
      }
      for (const k of rule.identityKeys) {
        const id = internIdentityKey(k);
        const list = pinned.get(id);
        if (list) list.push(at);
        else pinned.set(id, [at]);
      }
    }
  }
  const ids = [...pinned.keys()].sort((a, b) => a - b);
  const lists = ids.map((id) => mergeSorted(unpinned, pinned.get(id)!));
  const n = ids.length;
  const table = new Int32Array(2 + 2 * n + lists.reduce((t, l) => t + l.length, 0) + unpinned.length);
  table[0] = n;
  let at = 2 + 2 * n;
  ids.forEach((id, i) => {
    table[1 + i] = id;
    table[1 + n + i] = at;
    table.set(lists[i], at);
    at += lists[i].length;
  });
  table[1 + 2 * n] = at;
  table.set(unpinned, at);
  return { entries, rules, table };
}

/** The DENY and ALLOW rules of a workload's enforced policies. */
export function workloadRules(deny: readonly CompiledPolicy[], allow: readonly CompiledPolicy[]): WorkloadRules {
  return {
    deny: { http: actionRules(deny, (p) => p.http), tcp: actionRules(deny, (p) => p.tcp) },
    allow: { http: actionRules(allow, (p) => p.http), tcp: actionRules(allow, (p) => p.tcp) },
    noMatch: {},
  };
}

/** Where key `id` is filed in `table` (its position among the keys), or -1. */
function findKey(table: Int32Array, id: number): number {
  let lo = 1;
  let hi = table[0];
  while (lo <= hi) {
    const mid = (lo + hi) >> 1; // eslint-disable-line no-bitwise -- halving
    const k = table[mid];
    if (k === id) return mid - 1;
    if (k < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The first rule (in policy, then rule order) that matches the request, if any. */
export function firstMatchingEntry(action: ActionRules, attrs: RequestAttributes): RuleEntry | undefined {
  const rules = action.rules;
  if (rules.length === 0) return undefined;
  const ids = attrs.identityIds;
  if (ids === undefined) {
    for (let i = 0; i < rules.length; i++) if (ruleMatches(rules[i], attrs)) return action.entries[i];
    return undefined;
  }
  const table = action.table;
  const n = table[0];
  // Each list holds the unpinned rules too: with one list (the common case) no merge is needed.
  let lists = 0;
  let from = table[1 + 2 * n];
  let to = table.length;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id < 0 || n === 0) continue;
    const k = findKey(table, id);
    if (k < 0) continue;
    if (lists === 0) {
      from = table[1 + n + k];
      to = table[2 + n + k];
    } else {
      if (lists === 1) {
        AT[0] = from;
        END[0] = to;
      }
      AT[lists] = table[1 + n + k];
      END[lists] = table[2 + n + k];
    }
    lists++;
  }
  if (lists <= 1) {
    for (let p = from; p < to; p++) if (ruleMatches(rules[table[p]], attrs)) return action.entries[table[p]];
    return undefined;
  }
  // Several keys with rules: walk the ascending lists together (module scratch space: no
  // allocation per request; ruleMatches never re-enters).
  let last = -1;
  for (;;) {
    let next = -1;
    for (let l = 0; l < lists; l++) {
      let at = AT[l];
      const end = END[l];
      while (at < end && table[at] <= last) at++;
      AT[l] = at;
      if (at < end && (next < 0 || table[at] < next)) next = table[at];
    }
    if (next < 0) return undefined;
    if (ruleMatches(rules[next], attrs)) return action.entries[next];
    last = next;
  }
}

/** Scratch space of the merge: the range of each list (a canonical principal has at most five keys). */
const AT = new Int32Array(8);
const END = new Int32Array(8);

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

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
/* eslint-disable no-bitwise -- guard words and IPv4 masks */
import { CompiledPolicy, CompiledRule, CompiledRules, ruleMatches } from './authorization-rule';
import { EffectiveMtlsMode, MtlsSource } from './mtls-mode';
import { GUARD_CLAIMS, identityIdAt, internIdentityKey, RequestAttributes } from './request-attributes';
import { appendAll } from '../../private/arrays';

/** One rule of one policy. */
export interface RuleEntry {
  readonly policy: CompiledPolicy;
  readonly rule: CompiledRule;
}

/**
 * The rules of the policies of one action on one filter chain, in policy then rule order.
 *
 * perf8: the identity index is a segment of a flat Int32Array (one array per workload for its
 * four action/chain pairs), so that a request's lookup touches a few cache lines of its
 * destination instead of a Map, its hash table and one array per key (at 8,000 workloads those
 * were cold memory on almost every decision). The segment at `base`:
 * `[n, end, first, last, key ids (n, ascending), starts (n + 1), lists…, unpinned…]` — the
 * segment's rules are `rules[first]` to `rules[last - 1]`; the positions (in `rules`) of the rules
 * each key can match, merged with the unpinned rules (ascending), run from `starts[i]` to
 * `starts[i + 1]`; the unpinned rules' positions run from `starts[n]` to `end`.
 */
export interface ActionRules {
  /** The rules, and the policy of each (a {@link RuleEntry} is made for a match only). */
  readonly owners: readonly CompiledPolicy[];
  readonly rules: readonly CompiledRule[];
  readonly table: Int32Array;
  readonly base: number;
}

/** What a denial by "no ALLOW rule matched" says: the same for every request on one chain of a workload. */
export interface NoMatch {
  /** perf8: the deciding references as one flat array of kind, namespace, name, action, rule (what a decision copies). */
  readonly flat: readonly (string | number | null)[];
  readonly text: string;
}

/**
 * perf8: what the evaluator keeps per resolved workload (on the index's cache entry, so a decision
 * reaches it without a lookup of its own): the DENY and ALLOW rules of its enforced policies on
 * both chains, merged across policies, and what the common decision needs to know without
 * touching the workload's policy lists.
 *
 * check13: the four (action, chain) segments of one table of the plan's own, their rules and
 * policies in one pair of arrays: a decision reads the plan and one table, whatever policies the
 * workload has (at 8,000 workloads each object a decision reaches is a cache miss). The fields a
 * decision reads come first.
 */
export interface WorkloadPlan {
  /** Decided by the Istio 1.x objects (no v1beta1/v1 policy selects the workload). */
  readonly legacy: boolean;
  /** No ignored, dry-run, AUDIT or CUSTOM policy: a decision carries no extras. */
  readonly plain: boolean;
  /** The mTLS mode of every port when no port-level mode is set (undefined otherwise). */
  readonly mtls: { readonly mode: EffectiveMtlsMode; readonly source?: MtlsSource } | undefined;
  /** No RequestAuthentication selects the workload. */
  readonly noJwtRules: boolean;
  /** The segments of the DENY and ALLOW rules on both chains (see {@link ActionRules}), and their rules' guards. */
  readonly table: Int32Array;
  readonly denyHttpBase: number;
  readonly allowHttpBase: number;
  /**
   * check13: what a request must have for a segment to try a rule ({@link mayTryRules}): a
   * decision reads the table only when its principal may have a key of the segment (most have none).
   */
  readonly denyHttpFilter1: number;
  readonly denyHttpFilter2: number;
  readonly allowHttpFilter1: number;
  readonly allowHttpFilter2: number;
  /** No ALLOW policy applies to the workload. */
  readonly allowNone: boolean;
  readonly denyTcpBase: number;
  readonly allowTcpBase: number;
  readonly denyTcpFilter1: number;
  readonly denyTcpFilter2: number;
  readonly allowTcpFilter1: number;
  readonly allowTcpFilter2: number;
  /** The rules of the segments, and the policy of each. */
  readonly rules: readonly CompiledRule[];
  readonly owners: readonly CompiledPolicy[];
}

/** The flags of a {@link WorkloadPlan} (what the evaluator knows of the workload's policies). */
export type PlanFlags = Pick<WorkloadPlan, 'legacy' | 'plain' | 'noJwtRules' | 'allowNone' | 'mtls'>;

/** Appends the segment of the policies' rules on one chain to `table` (rules to `rules`, their policies to `owners`); returns its base. */
function appendSegment(table: number[], owners: CompiledPolicy[], rules: CompiledRule[], policies: readonly CompiledPolicy[],
  chainOf: (p: CompiledPolicy) => CompiledRules): number {
  const unpinned: number[] = [];
  const pinned = new Map<number, number[]>();
  const first = rules.length;
  for (const policy of policies) {
    for (const rule of chainOf(policy).rules) {
      const at = rules.length;
      owners.push(policy);
      rules.push(rule);
      if (!rule.identityKeys) {
        unpinned.push(at);
        continue;
      }
      for (const id of rule.identityIds ?? [...rule.identityKeys].map(internIdentityKey)) {
        const list = pinned.get(id);
        if (list) list.push(at);
        else pinned.set(id, [at]);
      }
    }
  }
  const ids = [...pinned.keys()].sort((a, b) => a - b);
  const lists = ids.map((id) => mergeSorted(unpinned, pinned.get(id)!));
  const n = ids.length;
  const base = table.length;
  table.push(n, 0, first, rules.length);
  appendAll(table, ids);
  let at = base + 4 + 2 * n + 1;
  for (const l of lists) {
    table.push(at);
    at += l.length;
  }
  table.push(at);
  for (const l of lists) for (const x of l) table.push(x);
  for (const x of unpinned) table.push(x);
  table[base + 1] = table.length;
  return base;
}

/**
 * A table of segments, one per (policies, chain), then the rules' guards at `table[0]`: per rule,
 * its guard word and the offset of its IPv4 ranges (-1: none), see rule-guard.ts.
 */
function buildTable(segments: readonly (readonly [readonly CompiledPolicy[], (p: CompiledPolicy) => CompiledRules])[]): {
  table: Int32Array; owners: CompiledPolicy[]; rules: CompiledRule[]; bases: number[];
} {
  const table: number[] = [0];
  const owners: CompiledPolicy[] = [];
  const rules: CompiledRule[] = [];
  const bases = segments.map(([policies, chainOf]) => appendSegment(table, owners, rules, policies, chainOf));
  const guardBase = table.length;
  table[0] = guardBase;
  const ranges: number[] = [];
  const rangesBase = guardBase + 2 * rules.length;
  for (const rule of rules) {
    const g = rule.guard;
    table.push(g.word, g.ranges ? rangesBase + ranges.length : -1);
    if (g.ranges) {
      ranges.push(g.ranges.length / 2);
      appendAll(ranges, g.ranges);
    }
  }
  appendAll(table, ranges);
  return { table: Int32Array.from(table), owners, rules, bases };
}

const HTTP = (p: CompiledPolicy): CompiledRules => p.http;
const TCP = (p: CompiledPolicy): CompiledRules => p.tcp;
/** Builds what a policy's first use in a plan needs now (perf8: `check` does it at load, with the rules). */
export function precomputePolicyRules(policy: CompiledPolicy): void {
  if (policy.action === 'ALLOW') {
    candidateDescription(policy, 'HTTP');
    candidateDescription(policy, 'TCP');
  }
}

/** How an ALLOW policy is named in a "no ALLOW rule matched" denial, per chain (built once: perf8). */
const descriptions = new WeakMap<CompiledRules, string>();

/** An ALLOW policy as a "no ALLOW rule matched" denial names it on one chain (with why it allows nothing there). */
export function candidateDescription(policy: CompiledPolicy, protocol: 'HTTP' | 'TCP'): string {
  const chain = protocol === 'TCP' ? policy.tcp : policy.http;
  let text = descriptions.get(chain);
  if (text === undefined) {
    const name = `${policy.namespace}/${policy.name}`;
    if (policy.resource.spec.rules.length === 0) text = `${name} (no rules: allows nothing)`;
    else if (chain.dropped.length > 0) text = `${name} (${chain.dropped.map((d) => `rule ${d.index} not generated on ${protocol}: ${d.reason}`).join('; ')})`;
    else text = name;
    descriptions.set(chain, text);
  }
  return text;
}

/** The parts of the plan of a workload from its enforced DENY and ALLOW policies (what {@link WorkloadPlan} holds besides). */
export function workloadPlan(deny: readonly CompiledPolicy[], allow: readonly CompiledPolicy[], flags: PlanFlags): WorkloadPlan {
  const { table, owners, rules, bases } = buildTable([[deny, HTTP], [deny, TCP], [allow, HTTP], [allow, TCP]]);
  const [denyHttp, denyTcp, allowHttp, allowTcp] = bases.map((base) => segmentFilter(table, base));
  return {
    legacy: flags.legacy,
    plain: flags.plain,
    mtls: flags.mtls,
    noJwtRules: flags.noJwtRules,
    table,
    denyHttpBase: bases[0],
    allowHttpBase: bases[2],
    denyHttpFilter1: denyHttp[0],
    denyHttpFilter2: denyHttp[1],
    allowHttpFilter1: allowHttp[0],
    allowHttpFilter2: allowHttp[1],
    allowNone: flags.allowNone,
    denyTcpBase: bases[1],
    allowTcpBase: bases[3],
    denyTcpFilter1: denyTcp[0],
    denyTcpFilter2: denyTcp[1],
    allowTcpFilter1: allowTcp[0],
    allowTcpFilter2: allowTcp[1],
    rules,
    owners,
  };
}

/** A segment filter that lets every request try the segment's rules (it has unpinned ones). */
const TRY_ALWAYS = -1;

/**
 * check13: the filter of the segment at `base`: 0 when it has no rules, {@link TRY_ALWAYS} when it
 * has unpinned ones, else two words with bit `id % 29` (first) and `id % 30` (second) set for each
 * of its key ids (a key's two bits are both set; most other ids miss one of them).
 */
function segmentFilter(table: Int32Array, base: number): [number, number] {
  if (table[base + 2] === table[base + 3]) return [0, 0];
  const n = table[base];
  if (table[base + 4 + 2 * n] < table[base + 1]) return [TRY_ALWAYS, TRY_ALWAYS];
  let f1 = 0;
  let f2 = 0;
  for (let i = 0; i < n; i++) {
    const id = table[base + 4 + i];
    f1 |= 1 << (id % 29);
    f2 |= 1 << (id % 30);
  }
  return [f1, f2];
}

/**
 * Whether a segment with this filter may try a rule for the request (else its
 * {@link firstMatchingIn} finds none): it has unpinned rules, or the request's principal has
 * another shape, or one of the principal's key ids has both its bits in the filter.
 */
export function mayTryRules(filter1: number, filter2: number, attrs: RequestAttributes): boolean {
  if (filter1 === 0) return false;
  if (filter1 === TRY_ALWAYS) return true;
  const ids = attrs.identityIds;
  if (ids === undefined) return true;
  for (let i = 0; i < ids.n; i++) {
    const id = identityIdAt(ids, i);
    if (id >= 0 && ((filter1 >> (id % 29)) & 1) !== 0 && ((filter2 >> (id % 30)) & 1) !== 0) return true;
  }
  return false;
}

/** Whether the request passes the guard of rule `i` (see rule-guard.ts). */
function guardPasses(table: Int32Array, i: number, attrs: RequestAttributes): boolean {
  const at = table[0] + 2 * i;
  const word = table[at];
  const ranges = table[at + 1];
  if (word === 0 && ranges < 0) return true;
  const have = attrs.guardWord;
  const methods = word & 0xffff;
  if (methods !== 0 && (methods & have) === 0) return false;
  if ((word & GUARD_CLAIMS) !== 0 && (have & GUARD_CLAIMS) === 0) return false;
  if (ranges < 0) return true;
  const ip = attrs.sourceIpv4;
  if (ip === undefined) return false;
  const n = table[ranges];
  for (let r = ranges + 1; r < ranges + 1 + 2 * n; r += 2) if ((ip & table[r + 1]) === table[r]) return true;
  return false;
}

/** Where key `id` is filed among the `n` keys from `lo` of `table` (its position among them), or -1. */
function findKey(table: Int32Array, lo: number, n: number, id: number): number {
  let l = lo;
  let h = lo + n - 1;
  while (l <= h) {
    const mid = (l + h) >> 1;
    const k = table[mid];
    if (k === id) return mid - lo;
    if (k < id) l = mid + 1;
    else h = mid - 1;
  }
  return -1;
}

/** The first rule (in policy, then rule order) of the segment at `base` of `table` that matches the request, if any. */
export function firstMatchingIn(table: Int32Array, base: number, action: Pick<ActionRules, 'rules' | 'owners'>, attrs: RequestAttributes): RuleEntry | undefined {
  const first = table[base + 2];
  const last = table[base + 3];
  if (first === last) return undefined;
  const n = table[base];
  const starts = base + 4 + n;
  // Each list holds the unpinned rules too: with one list (the common case) no merge is needed.
  let from = table[starts + n];
  let to = table[base + 1];
  let lists = 0;
  // check13: without pinned rules the unpinned ones are all the rules, in order: the principal's
  // keys are not looked up.
  if (n > 0) {
    const ids = attrs.identityIds;
    if (ids === undefined) {
      // A principal of another shape: every rule of the segment, in order.
      for (let i = first; i < last; i++) if (guardPasses(table, i, attrs) && ruleMatches(action.rules[i], attrs)) return entryOf(action, i);
      return undefined;
    }
    for (let i = 0; i < ids.n; i++) {
      const id = identityIdAt(ids, i);
      if (id < 0) continue;
      const k = findKey(table, base + 4, n, id);
      if (k < 0) continue;
      if (lists === 0) {
        from = table[starts + k];
        to = table[starts + k + 1];
      } else {
        if (lists === 1) {
          AT[0] = from;
          END[0] = to;
        }
        AT[lists] = table[starts + k];
        END[lists] = table[starts + k + 1];
      }
      lists++;
    }
  }
  if (lists <= 1) {
    for (let p = from; p < to; p++) {
      const i = table[p];
      if (guardPasses(table, i, attrs) && ruleMatches(action.rules[i], attrs)) return entryOf(action, i);
    }
    return undefined;
  }
  // Several keys with rules: walk the ascending lists together (module scratch space: no
  // allocation per request; ruleMatches never re-enters).
  let tried = -1;
  for (;;) {
    let next = -1;
    for (let l = 0; l < lists; l++) {
      let at = AT[l];
      const stop = END[l];
      while (at < stop && table[at] <= tried) at++;
      AT[l] = at;
      if (at < stop && (next < 0 || table[at] < next)) next = table[at];
    }
    if (next < 0) return undefined;
    if (guardPasses(table, next, attrs) && ruleMatches(action.rules[next], attrs)) return entryOf(action, next);
    tried = next;
  }
}

function entryOf(action: Pick<ActionRules, 'rules' | 'owners'>, i: number): RuleEntry {
  return { policy: action.owners[i], rule: action.rules[i] };
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

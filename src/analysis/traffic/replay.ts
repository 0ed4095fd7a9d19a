/**
 * Replay: decides every recorded request against the policies and groups the differences by
 * source → destination → deciding rule. With one version of the policies, "then" is what the log
 * recorded; with two, "then" is the first version's decision on the same traffic.
 *
 * Memory is bounded by the number of distinct groups and a fixed-size decision cache, never by
 * the number of lines.
 *
 * @module
 */
import { Inventory } from './inventory';
import { dependsOnRequestAttributes } from './request-dependence';
import { resolveRequest, ResolvedRequest } from './resolve-request';
import { TrafficRecord } from './traffic-record';
import { AccessDecision, AccessOutcome, DecidingPolicy } from '../../semantics/access-request';
import { Evaluator } from '../evaluator/evaluate';

/**
 * What replay needs of an evaluator: a decision, and the policies that select a workload (to know
 * whether a decision depends on request attributes a metric sample lacks). The CLI passes the
 * layered evaluator (NetworkPolicy, Sidecar egress, then Istio) with the Istio policies.
 */
export type ReplayEvaluator = Pick<Evaluator, 'evaluate' | 'policiesFor'>;

/** How a request's fate changed. */
export type ReplayCategory = 'newly-denied' | 'newly-allowed' | 'still-denied';

/** Requests with the same source, destination, category and deciding rule. */
export interface ReplayGroup {
  readonly category: ReplayCategory;
  readonly source: string;
  readonly destination: string;
  /** The deciding policy now (for `newly-allowed`: what allows it now). */
  readonly rule: string;
  readonly outcome: AccessOutcome;
  readonly decidedBy: readonly DecidingPolicy[];
  count: number;
  firstSeen?: string;
  lastSeen?: string;
  /** `file:line` and the line of the first request of the group. */
  readonly example: { readonly location: string; readonly line: string; readonly explanation: string };
}

/** Entries that could not be decided, by reason. */
export interface ReplaySkip {
  readonly reason: string;
  count: number;
  readonly example: string;
}

/** The replay's result. */
export interface ReplayResult {
  /** `log` when "then" is the recorded response, `policies` when it is a first version of the policies. */
  readonly baseline: 'log' | 'policies';
  readonly requests: number;
  readonly totals: Readonly<Record<'stillAllowed' | ReplayCategory | 'noDecisionThen' | 'unresolved', number>>;
  /** Sorted: newly denied first, then by source, destination, rule. */
  readonly groups: readonly ReplayGroup[];
  readonly unresolved: readonly ReplaySkip[];
  /** Requests whose recorded response shows no decision (upstream failure), by what they get now. */
  readonly noDecisionThen: Readonly<Record<string, number>>;
}

/** Feeds records in, then {@link Replay.result}. */
export class Replay {
  private readonly groups = new Map<string, ReplayGroup>();
  private readonly unresolved = new Map<string, ReplaySkip>();
  private readonly noDecision: Record<string, number> = {};
  private readonly totals = { 'stillAllowed': 0, 'newly-denied': 0, 'newly-allowed': 0, 'still-denied': 0, 'noDecisionThen': 0, 'unresolved': 0 };
  private requests = 0;
  private readonly caches: DecisionCache[];
  /** Per destination: whether its policies decide by request attributes (metrics cannot answer). */
  private readonly l7 = new Map<string, boolean>();

  /**
   * @param evaluators one (compare with the log) or two (compare the versions) evaluators
   */
  public constructor(private readonly evaluators: readonly ReplayEvaluator[], private readonly inventory: Inventory, private readonly trustDomain = 'cluster.local') {
    this.caches = evaluators.map((e) => new DecisionCache(e));
  }

  /** Decides one record. */
  public add(record: TrafficRecord): void {
    const n = record.count ?? 1;
    this.requests += n;
    const resolution = resolveRequest(record, this.inventory, this.trustDomain);
    if ('unresolved' in resolution) {
      this.skip(record, n, resolution.unresolved);
      return;
    }
    const r = resolution.resolved;
    if (record.format === 'prometheus' && r.request.protocol === 'HTTP' && this.needsRequestAttributes(r)) {
      this.skip(record, n, `metrics record no method, path or token, and the policies of ${r.destination} decide by them (replay its access logs instead)`);
      return;
    }
    const now = this.caches[this.caches.length - 1].decide(r);
    let allowedThen: boolean;
    if (this.caches.length === 2) {
      allowedThen = this.caches[0].decide(r).allowed;
    } else if (r.verdict === 'unknown') {
      this.totals.noDecisionThen += n;
      this.noDecision[now.outcome] = (this.noDecision[now.outcome] ?? 0) + n;
      return;
    } else {
      allowedThen = r.verdict === 'served';
    }
    if (allowedThen && now.allowed) {
      this.totals.stillAllowed += n;
      return;
    }
    const category: ReplayCategory = allowedThen ? 'newly-denied' : now.allowed ? 'newly-allowed' : 'still-denied';
    this.totals[category] += n;
    const rule = ruleOf(now);
    const key = `${category}\0${r.source}\0${r.destination}\0${rule}`;
    let group = this.groups.get(key);
    if (!group) {
      group = {
        category,
        source: r.source,
        destination: r.destination,
        rule,
        outcome: now.outcome,
        decidedBy: now.decidedBy,
        count: 0,
        // A copy: the line is a slice of the reader's chunk, which it would keep alive.
        example: { location: `${record.file}:${record.line}`, line: Buffer.from(record.raw, 'utf8').toString('utf8'), explanation: now.explanation },
      };
      this.groups.set(key, group);
    }
    group.count += n;
    if (record.time !== undefined) {
      if (group.firstSeen === undefined || record.time < group.firstSeen) group.firstSeen = record.time;
      if (group.lastSeen === undefined || record.time > group.lastSeen) group.lastSeen = record.time;
    }
  }

  private skip(record: TrafficRecord, n: number, reason: string): void {
    this.totals.unresolved += n;
    const skip = this.unresolved.get(reason);
    if (skip) skip.count += n;
    else this.unresolved.set(reason, { reason, count: n, example: `${record.file}:${record.line}` });
  }

  private needsRequestAttributes(r: ResolvedRequest): boolean {
    const key = r.destination;
    let answer = this.l7.get(key);
    if (answer === undefined) {
      const { namespace, labels } = r.request.destination;
      answer = this.evaluators.some((e) => dependsOnRequestAttributes(e.policiesFor(namespace, labels)));
      this.l7.set(key, answer);
    }
    return answer;
  }

  /** The result so far. */
  public result(): ReplayResult {
    const order: Record<ReplayCategory, number> = { 'newly-denied': 0, 'newly-allowed': 1, 'still-denied': 2 };
    const groups = [...this.groups.values()].sort((a, b) => order[a.category] - order[b.category]
      || cmp(a.source, b.source) || cmp(a.destination, b.destination) || cmp(a.rule, b.rule));
    const unresolved = [...this.unresolved.values()].sort((a, b) => b.count - a.count || cmp(a.reason, b.reason));
    return {
      baseline: this.caches.length === 2 ? 'policies' : 'log',
      requests: this.requests,
      totals: { ...this.totals },
      groups,
      unresolved,
      noDecisionThen: Object.fromEntries(Object.entries(this.noDecision).sort(([a], [b]) => cmp(a, b))),
    };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The deciding rule as one readable string. */
export function ruleOf(d: AccessDecision): string {
  const deciding = d.decidedBy.filter((p) => p.rule !== null || p.kind !== 'AuthorizationPolicy' || p.action !== 'ALLOW');
  if (d.decidedBy.length === 0) return d.allowed ? 'no policy applies (allow by default)' : d.outcome;
  if (deciding.length === 0) {
    return `no ALLOW rule matched (${d.decidedBy.map((p) => `${p.namespace}/${p.name}`).join(', ')})`;
  }
  return deciding.map((p) => `${p.kind} ${p.namespace}/${p.name}${p.rule !== null ? ` rule ${p.rule}` : ''} (${p.action})`).join(', ');
}

/** A bounded cache of decisions: logs repeat the same call paths. */
class DecisionCache {
  private static readonly MAX = 100_000;
  private readonly cache = new Map<string, AccessDecision>();

  public constructor(private readonly evaluator: ReplayEvaluator) {}

  public decide(r: ResolvedRequest): AccessDecision {
    const q = r.request;
    const key = `${q.protocol}|${q.source.principal}|${q.source.ip}|${r.destination}|${r.destinationWorkload.name}|${q.method}|${q.path}|${q.host}|${q.jwt ? JSON.stringify(q.jwt) : ''}`;
    let d = this.cache.get(key);
    if (!d) {
      d = this.evaluator.evaluate(q);
      if (this.cache.size >= DecisionCache.MAX) this.cache.clear();
      this.cache.set(key, d);
    }
    return d;
  }
}

/**
 * Replay: decides every recorded request against the policies and groups the differences by
 * source → destination → deciding rule. With one version of the policies, "then" is what the log
 * recorded; with two, "then" is the first version's decision on the same traffic.
 *
 * Memory is bounded by the number of distinct groups and fixed-size caches (the reader's shape
 * store, which keeps the judgement of each entry shape, and the decisions), never by the number of lines.
 *
 * @module
 */
import { Inventory } from './inventory';
import { dependsOnRequestAttributes } from './request-dependence';
import { resolveRequest, ResolvedRequest } from './resolve-request';
import { isoMillis } from './text-shape-bytes';
import { TrafficSink } from './traffic-reader';
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
  readonly count: number;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
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

/** A group while records are counted: seen-times as numbers (see {@link TrafficSink.again}). */
interface GroupAcc {
  readonly category: ReplayCategory;
  readonly source: string;
  readonly destination: string;
  readonly rule: string;
  readonly decision: AccessDecision;
  count: number;
  /** Envoy ISO times as milliseconds (NaN: none yet). */
  firstMs: number;
  lastMs: number;
  /** Times in any other form, compared as text (as they were before they became numbers). */
  firstText?: string;
  lastText?: string;
  readonly example: ReplayGroup['example'];
}

/** What a record's shape decides (see `record-shape.ts`): the same for every record of that shape. */
export type Judgement =
  | { readonly kind: 'unresolved'; readonly reason: string; skip?: ReplaySkip }
  | { readonly kind: 'no-decision'; readonly outcome: AccessOutcome }
  | { readonly kind: 'still-allowed' }
  | {
    readonly kind: 'group';
    readonly category: ReplayCategory;
    readonly key: string;
    readonly source: string;
    readonly destination: string;
    readonly rule: string;
    readonly decision: AccessDecision;
    /** The group, once made (saves looking it up by key on every record). */
    group?: GroupAcc;
  };

/**
 * Feeds records in ({@link Replay.add}, or as the reader's sink: each shape judged once), then
 * {@link Replay.result}.
 */
export class Replay implements TrafficSink<Judgement> {
  private readonly groups = new Map<string, GroupAcc>();
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
    this.first(record);
  }

  /** Decides a record and counts it; its judgement, for the records of the same shape (none for metric samples). */
  public first(record: TrafficRecord): Judgement | undefined {
    const n = record.count ?? 1;
    const j = this.judge(record);
    this.requests += n;
    this.count(j, n);
    if (j.kind === 'unresolved') {
      j.skip = this.unresolved.get(j.reason);
      if (j.skip) j.skip.count += n;
      else this.unresolved.set(j.reason, j.skip = { reason: j.reason, count: n, example: `${record.file}:${record.line}` });
    } else if (j.kind === 'group') {
      j.group = this.groups.get(j.key);
      if (!j.group) {
        j.group = {
          category: j.category,
          source: j.source,
          destination: j.destination,
          rule: j.rule,
          decision: j.decision,
          count: 0,
          firstMs: NaN,
          lastMs: NaN,
          // The reader decodes each line on its own: keeping it keeps no more than the line alive.
          example: { location: `${record.file}:${record.line}`, line: record.raw, explanation: j.decision.explanation },
        };
        this.groups.set(j.key, j.group);
      }
      const time = isoMillis(record.time);
      seen(j.group, n, time, Number.isNaN(time) && record.time !== undefined ? detached(record.time) : undefined);
    }
    return record.format === 'prometheus' ? undefined : j;
  }

  /** Counts another record of a judged shape. */
  public again(j: Judgement, time: number, timeText: string | undefined): void {
    this.requests++;
    this.count(j, 1);
    if (j.kind === 'group') seen(j.group!, 1, time, timeText);
    else if (j.kind === 'unresolved') j.skip!.count++;
  }

  /** What follows from the record's shape: the same for every record of that shape. */
  private judge(record: TrafficRecord): Judgement {
    const resolution = resolveRequest(record, this.inventory, this.trustDomain);
    if ('unresolved' in resolution) return { kind: 'unresolved', reason: resolution.unresolved };
    const r = resolution.resolved;
    if (record.format === 'prometheus' && r.request.protocol === 'HTTP' && this.needsRequestAttributes(r)) {
      return { kind: 'unresolved', reason: `metrics record no method, path or token, and the policies of ${r.destination} decide by them (replay its access logs instead)` };
    }
    const now = this.caches[this.caches.length - 1].decide(r);
    let allowedThen: boolean;
    if (this.caches.length === 2) {
      allowedThen = this.caches[0].decide(r).allowed;
    } else if (r.verdict === 'unknown') {
      return { kind: 'no-decision', outcome: now.outcome };
    } else {
      allowedThen = r.verdict === 'served';
    }
    if (allowedThen && now.allowed) return { kind: 'still-allowed' };
    const category: ReplayCategory = allowedThen ? 'newly-denied' : now.allowed ? 'newly-allowed' : 'still-denied';
    const rule = ruleOf(now);
    return { kind: 'group', category, key: `${category}\0${r.source}\0${r.destination}\0${rule}`, source: r.source, destination: r.destination, rule, decision: now };
  }

  /** Counts `n` requests in the totals of their judgement. */
  private count(j: Judgement, n: number): void {
    switch (j.kind) {
      case 'unresolved':
        this.totals.unresolved += n;
        return;
      case 'no-decision':
        this.totals.noDecisionThen += n;
        this.noDecision[j.outcome] = (this.noDecision[j.outcome] ?? 0) + n;
        return;
      case 'still-allowed':
        this.totals.stillAllowed += n;
        return;
      default:
        this.totals[j.category] += n;
    }
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
    const groups = [...this.groups.values()].map(toGroup).sort((a, b) => order[a.category] - order[b.category]
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

/** Counts `n` requests of a group seen at `time` (ms, NaN: none or not ISO) or `text` (a time not in Envoy's ISO form). */
function seen(g: GroupAcc, n: number, time: number, text: string | undefined): void {
  g.count += n;
  if (!Number.isNaN(time)) {
    if (!(time >= g.firstMs)) g.firstMs = time;
    if (!(time <= g.lastMs)) g.lastMs = time;
  } else if (text !== undefined) {
    if (g.firstText === undefined || text < g.firstText) g.firstText = text;
    if (g.lastText === undefined || text > g.lastText) g.lastText = text;
  }
}

/** The group as reported: its times back as text (an ISO time and a time in another form compare as text, as they always did). */
function toGroup(g: GroupAcc): ReplayGroup {
  const isoFirst = Number.isNaN(g.firstMs) ? undefined : new Date(g.firstMs).toISOString();
  const isoLast = Number.isNaN(g.lastMs) ? undefined : new Date(g.lastMs).toISOString();
  const firstSeen = isoFirst === undefined ? g.firstText : g.firstText === undefined || isoFirst < g.firstText ? isoFirst : g.firstText;
  const lastSeen = isoLast === undefined ? g.lastText : g.lastText === undefined || isoLast > g.lastText ? isoLast : g.lastText;
  return {
    category: g.category,
    source: g.source,
    destination: g.destination,
    rule: g.rule,
    outcome: g.decision.outcome,
    decidedBy: g.decision.decidedBy,
    count: g.count,
    example: g.example,
    // After the example, where they always were (the JSON output keeps its key order).
    ...(firstSeen !== undefined ? { firstSeen } : {}),
    ...(lastSeen !== undefined ? { lastSeen } : {}),
  };
}

/**
 * A copy of a short string that does not keep the line it was sliced from alive: a group keeps
 * its last-seen time for long, and the time of nearly every line becomes one (V8 flattens the
 * concatenation into a string of its own before slicing it).
 */
function detached(s: string): string {
  return ` ${s}`.slice(1);
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

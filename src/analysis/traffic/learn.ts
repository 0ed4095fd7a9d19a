/**
 * Learn: the intentions observed traffic implies. Every served request becomes part of an edge
 * source → destination workload port, with the methods and the paths it used (collapsed by
 * {@link collapsePaths}); edges seen fewer than `minCount` times are left out and listed. With
 * the policies in force, requests they deny, and plaintext callers, are "unexpected": they are
 * kept in the draft (it must not deny what was served) and listed, as Kiali's graph would flag them.
 *
 * Memory grows with the distinct edges and paths (and the reader's bounded shape store), not with
 * the lines.
 *
 * @module
 */
import { Inventory, InventoryWorkload } from './inventory';
import { collapsePaths } from './path-patterns';
import { ruleOf, ReplayEvaluator } from './replay';
import { dependsOnRequestAttributes } from './request-dependence';
import { resolveRequest, workloadName } from './resolve-request';
import { TrafficSink } from './traffic-reader';
import { TrafficRecord } from './traffic-record';

/** A caller: a workload identity or a plaintext address. */
export interface LearnedSource {
  readonly kind: 'identity' | 'plaintext';
  /** `ns/sa` or the address. */
  readonly id: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
  readonly principal?: string;
  readonly workload?: InventoryWorkload;
}

/** One learned intention. */
export interface LearnedEdge {
  readonly source: LearnedSource;
  readonly destination: InventoryWorkload;
  readonly port: number;
  readonly protocol: 'HTTP' | 'TCP';
  readonly methods: readonly string[];
  readonly paths: readonly string[];
  readonly count: number;
}

/** A call path worth a second look. */
export interface UnexpectedConnection {
  readonly source: string;
  readonly destination: string;
  readonly reason: string;
  readonly count: number;
  readonly example: string;
}

/** What learn found. */
export interface LearnResult {
  readonly edges: readonly LearnedEdge[];
  /** Workloads seen only as callers. */
  readonly clients: readonly InventoryWorkload[];
  readonly unexpected: readonly UnexpectedConnection[];
  /** Edges under `--min-count`. */
  readonly rare: readonly { readonly source: string; readonly destination: string; readonly count: number }[];
  /** Entries not learned from, by reason (not served, not mapped). */
  readonly skipped: Readonly<Record<string, number>>;
  readonly requests: number;
}

interface EdgeAcc {
  source: LearnedSource;
  destination: InventoryWorkload;
  port: number;
  protocol: 'HTTP' | 'TCP';
  methods: Set<string>;
  paths: Set<string>;
  count: number;
  fromMetrics: boolean;
}

/** Paths kept per edge before collapsing early (bounds memory on high-cardinality paths). */
const MAX_PATHS = 2000;

/** An unexpected connection while records are counted. */
interface UnexpectedAcc {
  readonly source: string;
  readonly destination: string;
  readonly reason: string;
  count: number;
  readonly example: string;
}

/** What a record's shape teaches (see `record-shape.ts`): the same for every record of that shape. */
export type LearnedShape =
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'edge'; readonly edge: EdgeAcc; readonly method?: string; readonly path?: string; readonly flags: readonly UnexpectedAcc[] };

/**
 * Feeds served records in ({@link Learner.add}, or as the reader's sink: each shape resolved and
 * decided once), then {@link Learner.result}.
 */
export class Learner implements TrafficSink<LearnedShape> {
  private readonly edges = new Map<string, EdgeAcc>();
  private readonly unexpected = new Map<string, UnexpectedAcc>();
  private readonly skipped: Record<string, number> = {};
  private requests = 0;

  public constructor(private readonly inventory: Inventory, private readonly existing?: ReplayEvaluator, private readonly trustDomain = 'cluster.local') {}

  /** Learns from one record. */
  public add(record: TrafficRecord): void {
    this.first(record);
  }

  /** Learns from a record; what it taught, for the records of the same shape (none for metric samples). */
  public first(record: TrafficRecord): LearnedShape | undefined {
    const n = record.count ?? 1;
    const learned = this.learn(record, n);
    return record.format === 'prometheus' ? undefined : learned;
  }

  /** Learns from another record of a known shape. */
  public again(learned: LearnedShape): void {
    this.requests++;
    if (learned.kind === 'skip') return this.skip(learned.reason, 1);
    const edge = learned.edge;
    edge.count++;
    if (learned.path !== undefined) this.addPath(edge, learned.method!, learned.path);
    for (const u of learned.flags) u.count++;
  }

  private learn(record: TrafficRecord, n: number): LearnedShape {
    this.requests += n;
    const resolution = resolveRequest(record, this.inventory, this.trustDomain);
    if ('unresolved' in resolution) return this.skipShape(resolution.unresolved, n);
    const r = resolution.resolved;
    if (r.verdict !== 'served') return this.skipShape(r.verdict === 'denied' ? 'denied when recorded' : 'no decision recorded (upstream failure)', n);
    const q = r.request;
    const source: LearnedSource = q.source.principal === null
      ? { kind: 'plaintext', id: q.source.ip }
      : this.identity(q.source.principal);
    const flags: UnexpectedAcc[] = [];
    if (source.kind === 'plaintext') flags.push(this.flag(r.source, r.destination, 'plaintext caller (no mTLS identity)', n, record));
    const metricsOnly = record.format === 'prometheus' && q.protocol === 'HTTP';
    if (this.existing && !(metricsOnly && dependsOnRequestAttributes(this.existing.policiesFor(q.destination.namespace, q.destination.labels)))) {
      const d = this.existing.evaluate(q);
      if (!d.allowed) flags.push(this.flag(r.source, r.destination, `served, but the policies in force deny it (${d.outcome}: ${ruleOf(d)})`, n, record));
    }
    const key = `${source.id}\0${r.destination}\0${q.protocol}`;
    let edge = this.edges.get(key);
    if (!edge) {
      edge = {
        source,
        destination: r.destinationWorkload,
        port: q.destination.port,
        protocol: q.protocol,
        methods: new Set(),
        paths: new Set(),
        count: 0,
        fromMetrics: false,
      };
      this.edges.set(key, edge);
    }
    edge.count += n;
    if (q.protocol === 'HTTP' && record.format !== 'prometheus') {
      const method = q.method ?? 'GET';
      const path = q.path ?? '/';
      this.addPath(edge, method, path);
      return { kind: 'edge', edge, method, path, flags };
    } else if (q.protocol === 'HTTP') {
      // Metrics carry no method or path: an edge seen only in metrics cannot be narrowed.
      edge.fromMetrics = true;
    }
    return { kind: 'edge', edge, flags };
  }

  private addPath(edge: EdgeAcc, method: string, path: string): void {
    edge.methods.add(method);
    edge.paths.add(path);
    if (edge.paths.size > MAX_PATHS) edge.paths = new Set(collapsePaths(edge.paths));
  }

  private skipShape(reason: string, n: number): LearnedShape {
    this.skip(reason, n);
    return { kind: 'skip', reason };
  }

  /** The learned edges (sorted), with those under `minCount` left out. */
  public result(minCount = 1): LearnResult {
    const all = [...this.edges.values()].map((e): LearnedEdge => ({
      source: e.source,
      destination: e.destination,
      port: e.port,
      protocol: e.protocol,
      count: e.count,
      // Only metrics (no method, no path) or only logs: an edge seen in both is narrowed by its logs.
      methods: [...e.methods].sort(),
      paths: collapsePaths(e.paths),
    })).sort((a, b) => cmp(edgeId(a), edgeId(b)));
    const edges = all.filter((e) => e.count >= minCount);
    const destinations = new Set(edges.map((e) => `${e.destination.namespace}/${e.destination.name}`));
    const clients = new Map<string, InventoryWorkload>();
    for (const e of edges) {
      const w = e.source.workload;
      if (w && !destinations.has(`${w.namespace}/${w.name}`)) clients.set(`${w.namespace}/${w.name}`, w);
    }
    return {
      edges,
      clients: [...clients.values()].sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`)),
      unexpected: [...this.unexpected.values()].map((u): UnexpectedConnection => ({ ...u }))
        .sort((a, b) => cmp(a.source, b.source) || cmp(a.destination, b.destination) || cmp(a.reason, b.reason)),
      rare: all.filter((e) => e.count < minCount).map((e) => ({ source: e.source.id, destination: destinationId(e), count: e.count })),
      skipped: Object.fromEntries(Object.entries(this.skipped).sort(([a], [b]) => cmp(a, b))),
      requests: this.requests,
    };
  }

  private identity(principal: string): LearnedSource {
    const m = /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal);
    if (!m) return { kind: 'identity', id: principal, principal };
    const [, namespace, serviceAccount] = m;
    const w = this.inventory.workloadByServiceAccount(namespace, serviceAccount);
    return { kind: 'identity', id: `${namespace}/${serviceAccount}`, namespace, serviceAccount, principal, ...('found' in w ? { workload: w.found } : {}) };
  }

  private skip(reason: string, n: number): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + n;
  }

  private flag(source: string, destination: string, reason: string, n: number, record: TrafficRecord): UnexpectedAcc {
    const key = `${source}\0${destination}\0${reason}`;
    let u = this.unexpected.get(key);
    if (u) u.count += n;
    else this.unexpected.set(key, u = { source, destination, reason, count: n, example: `${record.file}:${record.line}` });
    return u;
  }
}

/** `ns/<workload>:port`. */
export function destinationId(e: LearnedEdge): string {
  return `${e.destination.namespace}/${workloadName(e.destination)}:${e.port}`;
}

function edgeId(e: LearnedEdge): string {
  return `${destinationId(e)} ${e.source.id} ${e.protocol}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

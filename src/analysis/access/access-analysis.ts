/**
 * Access analysis of one or more versions of the manifests: rows (sources), columns (destinations)
 * and, per destination, the request space, the source classes and what each class may do on each
 * port in each version. The matrix reads one version; the diff compares two over a shared space.
 *
 * @module
 */
/* eslint-disable no-bitwise -- region masks are bit sets */
import { evaluateVersion, sliceFor, SliceAccess } from './access-sets';
import { setContains } from './cubes';
import { MatrixDestination, matrixDestinations, MatrixDestinationKind, compareIds } from './destinations';
import { InputComparison } from './input-comparison';
import { PolicyChanges } from './policy-changes';
import { withPolicyNamedPorts } from './policy-ports';
import { HTTP_ONLY_KINDS } from './request-class-dimensions';
import { buildRequestSpace, RequestSpace, VersionInput, WitnessCache } from './request-classes';
import { SharedRules } from './shared-rules';
import { SourceClassification, SourceClassifier } from './source-classes';
import { MatrixSource, matrixSources } from './sources';
import { SpaceTerms } from './space-terms';
import { AccessRequest } from '../../semantics/access-request';
import { formatLabels } from '../../semantics/labels';
import { IstioConfig } from '../config/istio-config';
import { DEFAULT_MESH_CONFIG, MeshConfig } from '../config/mesh-config';
import { modernConfig } from '../convert/convert-legacy';
import { AnalysisContext, createAnalysisContext } from '../evaluator/analysis-context';
import { Evaluator, evaluatorFor } from '../evaluator/evaluate';
import { NetworkLayer } from '../network/network-layer';

/** Options of {@link analyzeAccess} (and of the matrix and the diff). */
export interface AccessAnalysisOptions {
  /** @default - Istio's defaults (root namespace istio-system, trust domain cluster.local) */
  readonly meshConfig?: MeshConfig;
  /**
   * Analyze even when the manifests have invalid security objects (they are left out).
   * @default false - throw TM_CONFIG_INVALID
   */
  readonly allowInvalidConfig?: boolean;
}

/** One column, analyzed in every version. */
export interface AnalyzedDestination {
  readonly id: string;
  readonly kind: MatrixDestinationKind;
  readonly namespace: string;
  /** The column as each version declares it; undefined where it does not exist. */
  readonly versions: readonly (MatrixDestination | undefined)[];
  readonly space: RequestSpace;
  readonly classification: SourceClassification;
  /** `[version][class][slice]`. */
  readonly access: readonly (readonly (readonly SliceAccess[])[])[];
}

/** The analysis. */
export interface AccessAnalysis {
  readonly meshConfig: MeshConfig;
  readonly sources: readonly MatrixSource[];
  readonly destinations: readonly AnalyzedDestination[];
  /**
   * What the analysis says about one concrete request in one version: true/false, or undefined
   * when the request is outside the analysed space (unknown destination, undeclared port, a class
   * no witness exhibits).
   */
  allows(request: AccessRequest, version?: number): boolean | undefined;
}

/**
 * Analyzes the manifests of each version.
 *
 * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` when a version has invalid security objects.
 */
export function analyzeAccess(configs: readonly IstioConfig[], options: AccessAnalysisOptions = {}): AccessAnalysis {
  return analyzeVersions(configs, options, false);
}

/**
 * Like {@link analyzeAccess}, but leaves out the destinations present in every version with the
 * same inputs (policies and ports, by content): their access is the same in every version. For the
 * diff, whose cost is then proportional to what changed.
 */
export function analyzeChangedAccess(configs: readonly IstioConfig[], options: AccessAnalysisOptions = {}): AccessAnalysis {
  return analyzeVersions(configs, options, true);
}

/** The rows of an analysis and its destinations, analyzed one at a time as they are iterated. */
export interface AccessStream {
  readonly meshConfig: MeshConfig;
  readonly sources: readonly MatrixSource[];
  /**
   * The destinations sorted by id, each analyzed when reached; nothing is kept once the caller
   * moves on but a few recent analyses (destinations with the same shape share one), so memory
   * stays bounded by one destination's analysis, not the mesh's.
   */
  destinations(): Iterable<AnalyzedDestination>;
  /**
   * matrix10: one destination analyzed again, alone (the same analysis the iteration yields), for
   * callers that keep only what they derive from each destination; undefined for an unknown id.
   */
  analyze(id: string): AnalyzedDestination | undefined;
}

/** How many analyses a stream keeps for destinations of the same shape (a Service and its workload). */
const STREAM_MEMO_LIMIT = 64;
/**
 * diff14: the same for a stream of changed destinations (the diff), fewer: its columns seldom share
 * a shape (0 of 1,444 at S=8,000), and 64 analyses kept alive got copied by every scavenge and
 * promoted (~40 MB of the window's garbage).
 */
const CHANGED_STREAM_MEMO_LIMIT = 8;

/**
 * Analyzes the manifests of each version destination by destination, as the caller iterates: for
 * output written as it is computed (`trustmesh matrix --output connlist`).
 *
 * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` when a version has invalid security objects.
 */
export function streamAccess(configs: readonly IstioConfig[], options: AccessAnalysisOptions = {}): AccessStream {
  return prepareVersions(configs, options, false, STREAM_MEMO_LIMIT);
}

/**
 * Like {@link streamAccess}, but leaves out the destinations present in every version with the same
 * inputs (see {@link analyzeChangedAccess}): for the diff, which keeps only each destination's
 * changes, so that neither its cost nor its memory grows with the destinations left unchanged.
 *
 * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` when a version has invalid security objects.
 */
export function streamChangedAccess(configs: readonly IstioConfig[], options: AccessAnalysisOptions = {}): AccessStream {
  return prepareVersions(configs, options, true, CHANGED_STREAM_MEMO_LIMIT);
}

function analyzeVersions(given: readonly IstioConfig[], options: AccessAnalysisOptions, changedOnly: boolean): AccessAnalysis {
  const stream = prepareVersions(given, options, changedOnly, Infinity);
  const mesh = stream.meshConfig;
  const sources = stream.sources;
  const destinations = [...stream.destinations()];

  // The first destination of a workload answers for it (of those analyzed).
  const byWorkload = new Map<string, AnalyzedDestination>();
  for (const d of destinations) {
    d.versions.forEach((shape, v) => {
      if (!shape) return;
      const k = workloadKey(v, shape.namespace, shape.labels);
      if (!byWorkload.has(k)) byWorkload.set(k, d);
    });
  }

  return {
    meshConfig: mesh,
    sources,
    destinations,
    allows: (request, version = 0) => {
      const d = byWorkload.get(workloadKey(version, request.destination.namespace, request.destination.labels));
      return d ? destinationAllows(d, request, version) : undefined;
    },
  };
}

/** The key of a destination workload in one version, for {@link AccessAnalysis.allows}. */
export function workloadKey(version: number, namespace: string, labels: Readonly<Record<string, string>>): string {
  return `${version}\u0000${namespace}\u0000${formatLabels(labels)}`;
}

/**
 * What one analyzed destination says about a concrete request to it in one version (see
 * {@link AccessAnalysis.allows}): undefined when the request is outside its space.
 */
export function destinationAllows(d: AnalyzedDestination, request: AccessRequest, version: number): boolean | undefined {
  const cls = d.classification.classOf(request.source.principal);
  if (cls === undefined) return undefined;
  const slice = sliceFor(d.space.slices, request.destination.port, request.protocol);
  if (slice < 0) return undefined;
  const access = d.access[version][cls][slice];
  if (access.absent) return undefined;
  const regions = d.space.classify(request);
  const point: number[] = [];
  for (let i = 0; i < regions.length; i++) {
    const r = request.protocol === 'TCP' && HTTP_ONLY_KINDS.has(d.space.dimensions[i].kind) ? 0 : regions[i];
    if (r === undefined) return undefined;
    point.push(r);
  }
  return setContains(access.allowed, point);
}

function prepareVersions(given: readonly IstioConfig[], options: AccessAnalysisOptions, changedOnly: boolean, memoLimit: number): AccessStream {
  const mesh = options.meshConfig ?? DEFAULT_MESH_CONFIG;
  // Pre-1.6 objects are analysed through their conversion (src/analysis/convert), whose proof checks it decides alike.
  const configs = given.map((c) => modernConfig(c, mesh.rootNamespace));
  const contexts: AnalysisContext[] = configs.map((c) => createAnalysisContext(c, mesh, { allowInvalidConfig: options.allowInvalidConfig }));
  const evaluators: Evaluator[] = contexts.map(evaluatorFor);
  // diff16: what changed between the versions, found once for the rows and the changed columns.
  const policyChanges = configs.length > 1 ? PolicyChanges.of(configs, mesh.rootNamespace) : undefined;
  const sources = matrixSources(contexts, policyChanges);
  const classifier = new SourceClassifier(sources.map((s) => s.principal), mesh);

  const columns = new Map<string, (MatrixDestination | undefined)[]>();
  contexts.forEach((context, v) => {
    for (const d of matrixDestinations(context)) {
      const list = columns.get(d.id) ?? configs.map(() => undefined);
      list[v] = d;
      columns.set(d.id, list);
    }
  });
  // Policies apply to every port of a workload: the ports they name join the declared ones.
  const layers = configs.map((c) => NetworkLayer.fromConfig(c, { allowInvalidConfig: true }));
  for (const [id, list] of columns) columns.set(id, withPolicyNamedPorts(list, evaluators, layers, mesh));

  // The witness values are keyed by content: one cache serves the iteration and single analyses.
  const witnesses = new WitnessCache(mesh);
  const columnOf = (id: string): { first: MatrixDestination; versions: (MatrixDestination | undefined)[] } | undefined => {
    const declared = columns.get(id);
    if (!declared) return undefined;
    const first = declared.find((d) => d !== undefined) as MatrixDestination;
    // Selector and namespace columns are probes of the policies, meaningful in every version.
    const versions = first.kind === 'selector' || first.kind === 'namespace' ? declared.map((d) => d ?? first) : declared;
    return { first, versions };
  };
  // Columns of the same key (namespace, labels and ports in every version) have the same inputs.
  const keyOf = (versions: readonly (MatrixDestination | undefined)[]): string => versions
    .map((d) => (d ? `${d.namespace}\u0000${formatLabels(d.labels)}\u0000${JSON.stringify(d.ports ?? null)}` : '-')).join('\u0002');
  const inputsOf = (versions: readonly (MatrixDestination | undefined)[]): (VersionInput | undefined)[] => versions.map((d, v) => (d
    ? { policies: evaluators[v].policiesFor(d.namespace, d.labels), ...(d.ports ? { ports: d.ports } : {}) }
    : undefined));
  // diff12: the versions' policies of the same content compile their rules once.
  const sharedRules = configs.length > 1 ? new SharedRules(mesh) : undefined;
  const analyzeInputs = (first: MatrixDestination, declared: readonly (VersionInput | undefined)[]): Omit<AnalyzedDestination, 'id' | 'kind' | 'versions'> => {
    const inputs = sharedRules ? declared.map((i) => (i ? { ...i, policies: sharedRules.workload(i.policies) } : undefined)) : declared;
    const space = buildRequestSpace(first.namespace, first.labels, inputs, mesh, witnesses);
    const classification = classifier.classify(inputs.map((i) => i?.policies));
    // diffeval: the versions share the split of their rules' constraints and its verdicts per class and port.
    const terms = new SpaceTerms(space, classification.classes, mesh);
    // diff14: a later version reuses the first one's access for the classes its changed rules cannot reach.
    const access: SliceAccess[][][] = [];
    inputs.forEach((input, v) => {
      const earlier = v === 0 ? undefined : { version: 0, input: inputs[0], access: access[0] };
      access.push(evaluateVersion(space, classification.classes, input, v, mesh, terms, earlier));
    });
    return { namespace: first.namespace, space, classification, access };
  };

  function* destinations(): Generator<AnalyzedDestination> {
    const memo = new Map<string, Omit<AnalyzedDestination, 'id' | 'kind' | 'versions'>>();
    const comparison = new InputComparison();
    // diff15: the columns out of reach of every changed object are left out without resolving their policies.
    const changes = changedOnly ? policyChanges : undefined;
    const samePorts = (a: MatrixDestination['ports'], b: MatrixDestination['ports']): boolean => comparison.samePorts(a, b);
    for (const id of [...columns.keys()].sort(compareIds)) {
      const { first, versions } = columnOf(id) as NonNullable<ReturnType<typeof columnOf>>;
      // diff14: a column left out is left out before its key is built (most of a diff's columns).
      // A column of the same key as one analyzed has the same inputs, so it is not left out either:
      // comparing first yields the same columns.
      if (changes?.unchanged(versions, samePorts)) continue;
      const inputs = changedOnly ? inputsOf(versions) : undefined;
      if (inputs && comparison.sameAcross(inputs)) continue;
      const key = keyOf(versions);
      let analyzed = memo.get(key);
      if (!analyzed) {
        analyzed = analyzeInputs(first, inputs ?? inputsOf(versions));
        if (memo.size >= memoLimit) memo.clear();
        memo.set(key, analyzed);
      }
      yield { id, kind: first.kind, versions, ...analyzed };
    }
  }
  const analyze = (id: string): AnalyzedDestination | undefined => {
    const column = columnOf(id);
    if (!column) return undefined;
    return { id, kind: column.first.kind, versions: column.versions, ...analyzeInputs(column.first, inputsOf(column.versions)) };
  };
  return { meshConfig: mesh, sources, destinations, analyze };
}

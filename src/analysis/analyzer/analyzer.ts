/**
 * The analyzer: lints Istio security configuration — ours or anyone's — in the spirit of
 * `istioctl analyze` and Kiali's validations, with stable `TM_…` codes that name the matching
 * upstream code (`IST…`, `KIA…`) where one exists.
 *
 * Every finding is a {@link Diagnostic} located at `file:line:column` of the offending field, with
 * a fix. The rules live in `src/analysis/rules/` (one file per rule or small family) and are
 * documented in `docs/analyzer.md`.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/
 * @see https://kiali.io/docs/features/validations/
 * @module
 */
import { ASSUMED_INGRESS_SOURCE, defaultIngressGateway } from './default-ingress';
import { Diagnostic, diagnosticHead, ErrorCode, Severity, SourceLocation } from '../../errors';
import { IstioVersion } from '../../model/istio-version';
import { appendAll } from '../../private/arrays';
import type { WebhookResults } from '../../validate/webhook/validate-webhook';
import { IstioConfig, LoadedObject } from '../config/istio-config';
import { mergeConfigs } from '../config/load-config';
import { DEFAULT_MESH_CONFIG, MeshConfig } from '../config/mesh-config';
import { createEvaluator, Evaluator } from '../evaluator/evaluate';
import { ALL_RULES } from './rules/all-rules';
import { INVENTORY_MODES, Inventory, InventoryMode } from './rules/inventory';
import { AnalyzerCheck, RuleContext } from './rules/rule-types';
import { FieldPath } from '../config/yaml-source';

export type { AnalyzerCheck } from './rules/rule-types';
export type { InventoryMode } from './rules/inventory';
export { INVENTORY_MODES } from './rules/inventory';

/**
 * An extra check over the raw manifests, e.g. CRD schema + CEL validation:
 * `(manifests, { sources }) => validateManifests(manifests, { crds, sources })`. Its diagnostics
 * are re-located to the offending field when they carry a field path.
 */
export type ManifestCheck = (manifests: readonly object[], options: ManifestCheckOptions) => readonly Diagnostic[];

/** What {@link ManifestCheck} receives besides the manifests. */
export interface ManifestCheckOptions {
  /** Where the i-th manifest starts (file, line, column). */
  readonly sources: (index: number) => SourceLocation | undefined;
}

/** Options of {@link analyze}. */
export interface AnalyzeOptions {
  /**
   * The mesh's settings (root namespace, trust domain, path normalization, extension providers).
   * @default - Istio's defaults (`DEFAULT_MESH_CONFIG`); CUSTOM providers are then not checked
   */
  readonly meshConfig?: MeshConfig;
  /**
   * How complete the input's namespaces, service accounts and workloads are: `auto` infers it per
   * namespace, `complete` checks every reference (not-found findings are errors), `none` skips
   * the checks that rely on it.
   * @default 'auto'
   */
  readonly inventory?: InventoryMode;
  /**
   * Validation of the raw manifests to run as well (the CLI's `--crds FILE` passes
   * `validateManifests` with that CRD set).
   * @default - none
   */
  readonly manifestCheck?: ManifestCheck;
  /**
   * Assume the ingress gateway `istioctl analyze` assumes when it analyzes files: a pod labelled
   * `istio: ingressgateway` and its Service `istio-ingressgateway` (ports 80, 443, 31400, 15443) in
   * the root namespace, unless the MeshConfig's `ingressControllerMode` is `OFF`. Gateways with
   * that selector then resolve to pods there (credentials, Service ports). Findings on the
   * assumed objects themselves are not reported. See `docs/analyzer.md`.
   * @default false
   */
  readonly assumeDefaultIngress?: boolean;
  /**
   * The Istio release the configuration is applied to. On a release that still serves the pre-1.6
   * APIs (1.0–1.5), their objects are in force, so `TM_LEGACY_ISTIO_API` does not apply (synth
   * passes the mesh's `istioVersion`).
   * @default - a current release (1.6 or later): legacy objects are reported as not enforced
   */
  readonly istioVersion?: IstioVersion;
  /**
   * Webhook findings already computed for the very objects of `config` (synth's validation pass
   * ran the webhook rules on them): reused instead of run again.
   * @default - computed here
   * @internal
   */
  readonly webhookResults?: WebhookResults;
}

/**
 * Lints a loaded configuration. Includes the loader's own diagnostics (invalid security objects,
 * skipped documents). Never throws for bad input.
 *
 * @returns diagnostics sorted by file, line, column and code
 * @throws TypeError for an unknown `inventory` mode (API misuse)
 * @example
 * const findings = analyze(loadConfig(['dist/']), { meshConfig: loadMeshConfig('mesh.yaml') });
 * for (const d of findings) console.log(formatFinding(d));
 * process.exitCode = findings.some((d) => d.severity === 'error') ? 1 : 0;
 */
export function analyze(config: IstioConfig, options: AnalyzeOptions = {}): Diagnostic[] {
  const mode = options.inventory ?? 'auto';
  if (!INVENTORY_MODES.includes(mode)) throw new TypeError(`inventory must be one of ${INVENTORY_MODES.join(', ')}, got ${String(mode)}`);
  const mesh = options.meshConfig ?? DEFAULT_MESH_CONFIG;
  const assumed = options.assumeDefaultIngress ? defaultIngressGateway(mesh) : undefined;
  const effective = assumed ? mergeConfigs([config, assumed]) : config;
  // The evaluator indexes (and compiles) every AuthorizationPolicy: built only when a rule asks for
  // it (the rules that need only PeerAuthentication resolve that alone).
  let evaluator: Evaluator | undefined;
  const context: RuleContext = {
    config: effective,
    mesh,
    get evaluator(): Evaluator {
      evaluator ??= createEvaluator(effective, mesh, { allowInvalidConfig: true });
      return evaluator;
    },
    inventory: new Inventory(effective, mesh, mode, assumed),
    istioVersion: options.istioVersion,
    webhookResults: options.webhookResults,
  };
  const schema = options.manifestCheck ? runManifestCheck(config, options.manifestCheck) : [];
  const schemaAt = new Set(schema.map((d) => positionKey(d.location)));
  // The schema check reports structural problems more precisely than the loader when both see one field.
  const loaded = config.diagnostics.filter((d) => !(d.code === 'TM_POLICY_INVALID' && schemaAt.has(positionKey(d.location))));
  const out: Diagnostic[] = [...loaded, ...schema];
  for (const rule of ALL_RULES) appendAll(out, rule.run(context));
  return sortDiagnostics(assumed ? out.filter((d) => d.location?.file !== ASSUMED_INGRESS_SOURCE) : out);
}

/** Every check the analyzer can report, in rule order. */
export function analyzerChecks(): readonly AnalyzerCheck[] {
  return ALL_RULES.flatMap((r) => r.checks);
}

/** The check behind a code, if the analyzer defines it. */
export function analyzerCheck(code: ErrorCode): AnalyzerCheck | undefined {
  return analyzerChecks().find((c) => c.code === code);
}

/**
 * One finding as `file:line:col: severity CODE [UPSTREAM]: message`, plus an indented `fix:` line.
 *
 * @example
 * formatFinding(d); // "dist/foo.yaml:12:9: warning TM_DENY_HTTP_FIELDS_WITHOUT_PORTS [IST0133]: …\n  fix: …"
 */
export function formatFinding(d: Diagnostic): string {
  const l = d.location;
  let where = '';
  if (l?.file) where = `${l.file}${l.line !== undefined ? `:${l.line}${l.column !== undefined ? `:${l.column}` : ''}` : ''}: `;
  else if (l?.constructPath) where = `[${l.constructPath}]: `;
  const head = `${where}${diagnosticHead(d)}: ${d.message}`;
  return d.fix ? `${head}\n  fix: ${d.fix}` : head;
}

/** Diagnostics sorted by file, line, column, then severity (errors first), code and message; located ones first. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...list].sort((a, b) => {
    const la = a.location ?? {};
    const lb = b.location ?? {};
    if ((la.file === undefined) !== (lb.file === undefined)) return la.file === undefined ? 1 : -1;
    return cmp(la.file ?? '', lb.file ?? '') || cmp(la.line ?? 0, lb.line ?? 0) || cmp(la.column ?? 0, lb.column ?? 0)
      || rank[a.severity] - rank[b.severity] || cmp(a.code, b.code) || cmp(a.message, b.message);
  });
}

/** Counts per severity. */
export function countSeverities(list: readonly Diagnostic[]): Record<Severity, number> {
  const out: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const d of list) out[d.severity]++;
  return out;
}

function runManifestCheck(config: IstioConfig, check: ManifestCheck): Diagnostic[] {
  const objects = config.objects;
  const byStart = new Map<string, LoadedObject>();
  for (const o of objects) byStart.set(positionKey(o.source), o);
  const found = check(objects.map((o) => o.body), { sources: (i) => (objects[i] ? { ...objects[i].source } : undefined) });
  return found.map((d) => {
    const obj = d.location ? byStart.get(positionKey(d.location)) : undefined;
    if (!obj || d.location?.field === undefined) return d;
    return { ...d, location: obj.locate(parseFieldPath(d.location.field, obj.body)) };
  });
}

/**
 * Parses a field path as the validator prints it (`spec.rules[0].from`, `metadata.labels[a.b/c]`)
 * into segments, using the object to tell list indexes from map keys.
 */
export function parseFieldPath(field: string, root: unknown): FieldPath {
  const out: (string | number)[] = [];
  let value: unknown = root;
  const re = /([^.[\]]+)|\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(field)) !== null) {
    const key = m[1] ?? m[2];
    const seg: string | number = m[2] !== undefined && /^\d+$/.test(key) && Array.isArray(value) ? Number(key) : key;
    out.push(seg);
    value = typeof seg === 'number' ? (value as unknown[])[seg]
      : typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}

function positionKey(l: SourceLocation | undefined): string {
  return l ? `${l.file ?? ''}\u0000${l.line ?? ''}\u0000${l.column ?? ''}` : '';
}

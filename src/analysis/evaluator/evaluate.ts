/**
 * The offline authorization evaluator: decides an {@link AccessRequest} against Istio security
 * policy the way the destination's sidecar would.
 *
 * Order of the checks, as on the inbound filter chain:
 *
 * 1. PeerAuthentication (not for gateway workloads: pods a Gateway selects) — a plaintext
 *    client on a STRICT port: the connection is refused
 *    (`DENY_CONN`). With DISABLE the sidecar does not terminate mTLS, so authorization sees no
 *    peer identity even for a client that has one.
 * 2. RequestAuthentication (HTTP) — invalid tokens or unaccepted issuers: `DENY_401`; audience not
 *    allowed: `DENY_403`; otherwise the verified claims become the request identity.
 * 3. AuthorizationPolicy — CUSTOM, then DENY, then ALLOW (AUDIT never decides, dry-run policies
 *    are reported only). A denial is `DENY_403` on HTTP and `DENY_CONN` on TCP (the RBAC network
 *    filter closes the connection; there is no status code).
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 * @see https://istio.io/latest/docs/concepts/security/#authorization
 * @module
 */
import { AnalysisContext, AnalysisContextOptions, createAnalysisContext } from './analysis-context';
import { CompiledPolicy, CompiledRule, explainRuleMatch, firstMatchingRule } from './authorization-rule';
import { JwtOutcome, runJwtFilter } from './jwt-filter';
import { decideLegacy, usesLegacy } from './legacy/legacy-evaluate';
import { LegacyIndex } from './legacy/legacy-index';
import { mtlsForPort, ResolvedPeerAuthentication } from './mtls-mode';
import { PlannedWorkload, PolicyIndex, ResolvedWorkload, WORKLOAD_CACHE_LIMIT, WorkloadPolicies } from './policy-index';
import { RequestAttributes } from './request-attributes';
import { candidateDescription, firstMatchingIn, mayTryRules, NoMatch, WorkloadPlan, workloadPlan } from './workload-rules';
import {
  AccessDecision, AccessOutcome, AccessRequest, CustomAuthzResult, DecidingPolicy, DryRunResult,
} from '../../semantics/access-request';
import { IstioConfig } from '../config/istio-config';
import { DEFAULT_MESH_CONFIG, MeshConfig } from '../config/mesh-config';

/** Options of {@link createEvaluator}. */
export interface EvaluatorOptions extends AnalysisContextOptions {
  /**
   * Compile every AuthorizationPolicy's rules while building the evaluator, rather than each on
   * its first use: for batches of decisions (`check`), where load is paid once.
   * @default false - compile on first use (tools that resolve policies without deciding)
   */
  readonly compileNow?: boolean;
}

/** An evaluator bound to one config and mesh config; reuse it for many requests. */
export interface Evaluator {
  /** The config, mesh config and indexes it decides by. */
  readonly context: AnalysisContext;
  readonly meshConfig: MeshConfig;
  /** Decides one request. */
  evaluate(request: AccessRequest): AccessDecision;
  /** The policies that apply to a workload (for tools built on the evaluator). */
  policiesFor(namespace: string, labels: Readonly<Record<string, string>>): WorkloadPolicies;
}

/**
 * Builds an evaluator: validates the config, compiles and indexes its policies once.
 *
 * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` when the config has invalid security objects.
 * @example
 * const evaluator = createEvaluator(loadConfig('dist/'), loadMeshConfig('mesh.yaml'));
 * evaluator.evaluate(parseAccessRequest(json)).outcome; // 'DENY_403'
 */
export function createEvaluator(config: IstioConfig, meshConfig: MeshConfig = DEFAULT_MESH_CONFIG, options: EvaluatorOptions = {}): Evaluator {
  const context = createAnalysisContext(config, meshConfig, options);
  if (options.compileNow) context.policies.compileAll();
  return evaluatorFor(context);
}

/** The evaluator of an analysis context (shares its indexes). */
export function evaluatorFor(context: AnalysisContext): Evaluator {
  const { mesh, policies, legacy } = context;
  return {
    context,
    meshConfig: mesh,
    evaluate: (request) => {
      const { namespace, labels } = request.destination;
      // perf8: the plan lives in the index's cache (one per context, like the index); check13: in
      // place of the resolved workload, so that a planned workload's `plan` is itself.
      const workload = policies.workload(namespace, labels);
      const plan = workload.plan ?? planWorkload(policies, legacy, namespace, labels, workload);
      // Istio 1.x objects decide for workloads no v1beta1/v1 policy selects (1.5 coexistence).
      if (plan.legacy) return decideLegacy(legacy, request);
      return decide(plan, request, mesh);
    },
    policiesFor: (namespace, labels) => policies.forWorkload(namespace, labels),
  };
}

/** A workload as requests name it: its namespace and pod labels. */
export interface WorkloadRef {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Resolves the policies of these workloads and builds their decision plans now, rather than on
 * each one's first request: for batches of decisions (`check` prepares the workloads its config
 * declares, the access matrix's destinations, at load). A request naming one of them with the same
 * labels then finds its plan ready; any other workload is still resolved on its first request.
 * Decisions are the same either way. Stops at the index's cache size (more would evict the first).
 *
 * @returns how many workloads were prepared.
 */
export function prepareWorkloads(context: AnalysisContext, workloads: Iterable<WorkloadRef>): number {
  const { policies, legacy } = context;
  let prepared = 0;
  for (const w of workloads) {
    if (prepared >= WORKLOAD_CACHE_LIMIT) break;
    const workload = policies.workload(w.namespace, w.labels);
    const plan = workload.plan ?? planWorkload(policies, legacy, w.namespace, w.labels, workload);
    // The "no ALLOW rule matched" denial of each chain too (what most decisions return).
    if (!plan.legacy && !plan.allowNone) {
      plan.noMatchHttp ??= noMatch(plan, 'HTTP');
      plan.noMatchTcp ??= noMatch(plan, 'TCP');
      if (plan.plain) {
        plan.noMatchHttpDecision ??= noMatchDecision(plan.noMatchHttp, 'DENY_403', '');
        plan.noMatchTcpDecision ??= noMatchDecision(plan.noMatchTcp, 'DENY_CONN', '');
      }
    }
    prepared++;
  }
  return prepared;
}

/**
 * The plan of a resolved workload (its DENY and ALLOW rules, merged across its policies, and its
 * flags), filed in the index in the resolved workload's place (check13).
 */
function planWorkload(policies: PolicyIndex, legacy: LegacyIndex, namespace: string, labels: Readonly<Record<string, string>>,
  workload: ResolvedWorkload): PlannedWorkload {
  const p = planOf(workload.policies, legacy);
  // One literal, every field present from the start (one shape for every plan), the hot ones first.
  const planned: { -readonly [K in keyof PlannedWorkload]: PlannedWorkload[K] } = {
    legacy: p.legacy,
    plain: p.plain,
    gateway: workload.gateway,
    mtls: p.mtls,
    noJwtRules: p.noJwtRules,
    table: p.table,
    denyHttpBase: p.denyHttpBase,
    allowHttpBase: p.allowHttpBase,
    denyHttpFilter1: p.denyHttpFilter1,
    denyHttpFilter2: p.denyHttpFilter2,
    allowHttpFilter1: p.allowHttpFilter1,
    allowHttpFilter2: p.allowHttpFilter2,
    allowNone: p.allowNone,
    noMatchHttpDecision: undefined,
    denyTcpBase: p.denyTcpBase,
    allowTcpBase: p.allowTcpBase,
    denyTcpFilter1: p.denyTcpFilter1,
    denyTcpFilter2: p.denyTcpFilter2,
    allowTcpFilter1: p.allowTcpFilter1,
    allowTcpFilter2: p.allowTcpFilter2,
    noMatchTcpDecision: undefined,
    rules: p.rules,
    owners: p.owners,
    noMatchHttp: undefined,
    noMatchTcp: undefined,
    noMatchHttpNoted: undefined,
    noMatchHttpNote: undefined,
    policies: workload.policies,
    plan: undefined as unknown as PlannedWorkload,
  };
  planned.plan = planned;
  workload.plan = planned;
  policies.file(namespace, labels, planned);
  return planned;
}

/** The DENY and ALLOW rules of a resolved workload, merged across its policies, and its flags. */
function planOf(wp: WorkloadPolicies, legacy: LegacyIndex): WorkloadPlan {
  const pa = wp.peerAuthentication;
  return workloadPlan(wp.deny, wp.allow, {
    legacy: usesLegacy(legacy, wp),
    plain: wp.ignored.length === 0 && wp.dryRun.length === 0 && wp.audit.length === 0 && wp.custom.length === 0,
    noJwtRules: wp.jwtRules.length === 0,
    allowNone: wp.allow.length === 0,
    mtls: pa.ports.size === 0 ? uniformMtls(pa) : undefined,
  });
}

/** check10: the mode of every port, one object per resolved PeerAuthentication (shared by the workloads of a namespace). */
const uniformModes = new WeakMap<ResolvedPeerAuthentication, WorkloadPlan['mtls']>();

function uniformMtls(pa: ResolvedPeerAuthentication): WorkloadPlan['mtls'] {
  let m = uniformModes.get(pa);
  if (m === undefined) {
    m = { mode: pa.mode, ...(pa.source ? { source: pa.source } : {}) };
    uniformModes.set(pa, m);
  }
  return m;
}

const evaluators = new WeakMap<IstioConfig, WeakMap<MeshConfig, Evaluator>>();

/**
 * Decides one request. Builds (and caches per config and mesh config object) an evaluator; use
 * {@link createEvaluator} directly when options are needed.
 *
 * @example
 * evaluate(config, { protocol: 'HTTP', source: { principal: null, namespace: null, ip: '10.0.0.1' }, jwt: null,
 *   destination: { namespace: 'foo', labels: { app: 'httpbin' }, port: 8000 }, method: 'GET', path: '/' });
 */
export function evaluate(config: IstioConfig, request: AccessRequest, meshConfig: MeshConfig = DEFAULT_MESH_CONFIG): AccessDecision {
  let perMesh = evaluators.get(config);
  if (!perMesh) {
    perMesh = new WeakMap();
    evaluators.set(config, perMesh);
  }
  let evaluator = perMesh.get(meshConfig);
  if (!evaluator) {
    evaluator = createEvaluator(config, meshConfig);
    perMesh.set(meshConfig, evaluator);
  }
  return evaluator.evaluate(request);
}

/** No extras (perf8: shared by the decisions of plain workloads; {@link finish} only reads it). */
const NO_EXTRAS: Extras = Object.freeze({});
/** The JWT filter's outcome without a RequestAuthentication and without a token (or on TCP). */
const CONTINUE: JwtOutcome = Object.freeze({ kind: 'continue' });

function decide(plan: PlannedWorkload, request: AccessRequest, mesh: MeshConfig): AccessDecision {
  const wp = plan.policies;
  const gateway = plan.gateway;
  const extras: Extras = plan.plain ? NO_EXTRAS : wp.ignored.length > 0 ? { ignored: wp.ignored } : {};

  // 1. Peer authentication. Gateway proxies have no inbound sidecar listeners: a Gateway's server
  // TLS settings decide what clients present, and PeerAuthentication does not apply.
  const resolved = plan.mtls ?? mtlsForPort(wp.peerAuthentication, request.destination.port);
  const mtls: typeof resolved = gateway ? { mode: 'PERMISSIVE' } : resolved;
  const gatewayNote = gateway && resolved.mode !== 'PERMISSIVE'
    ? `the workload is a gateway (selected by Gateway ${gateway}), so PeerAuthentication ${resolved.mode} does not apply`
    : undefined;
  const peer = request.source.principal;
  if (mtls.mode === 'STRICT' && peer === null) {
    // check13: the same for every plaintext request to a port of a plain workload whose mode is
    // the same on every port: one frozen decision per (PeerAuthentication resolution, port).
    if (plan.plain && plan.mtls !== undefined && gateway === undefined) return strictDenial(plan.mtls, request.destination.port);
    const pa = mtls.source?.policy;
    return finish('DENY_CONN', pa ? [{ kind: 'PeerAuthentication', namespace: pa.metadata.namespace, name: pa.metadata.name, action: 'STRICT', rule: null }] : [],
      `connection refused: ${pa ? `PeerAuthentication ${pa.metadata.namespace}/${pa.metadata.name}` : 'mTLS'} requires STRICT mTLS on port ${request.destination.port} and the client sent plaintext`,
      extras);
  }
  const principal = mtls.mode === 'DISABLE' || peer === null ? undefined : peer;

  // 2. Request authentication.
  const jwt = plan.noJwtRules && (request.protocol !== 'HTTP' || !request.jwt) ? CONTINUE : runJwtFilter(wp.jwtRules, request);
  if (jwt.kind === 'reject') return finish(jwt.outcome, jwt.decidedBy, jwt.explanation, extras);

  // 3. Authorization.
  const attrs = new RequestAttributes(request, mesh, principal, jwt.claims);
  const denied: AccessOutcome = request.protocol === 'TCP' ? 'DENY_CONN' : 'DENY_403';
  const disabled = mtls.mode === 'DISABLE' && peer !== null ? 'mTLS is DISABLEd on this port, so the peer identity is not available' : undefined;

  if (!plan.plain) {
    if (wp.dryRun.length > 0) extras.dryRun = dryRunResults(wp.dryRun, attrs);
    if (wp.audit.length > 0) {
      const audit = matchedRefs(wp.audit, attrs);
      if (audit.length > 0) extras.audit = audit;
    }
  }

  // CUSTOM: the extension decides; offline we can only tell when istiod itself generated a deny.
  const custom: CustomAuthzResult[] = plan.plain ? NO_CUSTOM : [];
  for (const policy of plan.plain ? NO_POLICIES : wp.custom) {
    const rule = firstMatchingRule(policy, attrs);
    if (!rule) continue;
    const provider = policy.provider ?? '';
    const ref = refOf(policy, rule.index);
    const broken = provider === '' ? 'the policy names no provider'
      : !mesh.extensionProviders.includes(provider) ? `provider "${provider}" is not defined in MeshConfig extensionProviders`
        : wp.customProviders.length > 1 ? `the workload has CUSTOM policies for several providers (${wp.customProviders.join(', ')})`
          : undefined;
    if (broken) {
      // istiod replaces the rules of an unusable CUSTOM policy with DENY rules.
      return finish(denied, [ref], `denied by ${name(policy)} rule ${rule.index}: ${broken}, so istiod generates a deny rule; ${explainRuleMatch(rule, attrs).join(', ')}${notesSuffix(gatewayNote, disabled, jwt.note)}`, extras);
    }
    custom.push({ ...ref, provider, note: 'delegated to the external authorizer; assumed to allow' });
  }
  if (custom.length > 0) extras.custom = custom;

  const tcp = request.protocol === 'TCP';
  // check13: the table only when the request may find a rule in it.
  const tryDeny = tcp ? mayTryRules(plan.denyTcpFilter1, plan.denyTcpFilter2, attrs) : mayTryRules(plan.denyHttpFilter1, plan.denyHttpFilter2, attrs);
  const deny = tryDeny
    ? firstMatchingIn(plan.table, tcp ? plan.denyTcpBase : plan.denyHttpBase, plan, attrs)
    : undefined;
  if (deny) {
    const { policy, rule } = deny;
    return finish(denied, [refOf(policy, rule.index)], `denied by ${name(policy)} rule ${rule.index}: ${explainRuleMatch(rule, attrs).join(', ')}${notesSuffix(gatewayNote, disabled, jwt.note)}`, extras);
  }

  if (plan.allowNone) {
    const delegated = custom.length > 0 ? `; CUSTOM ${custom.map((c) => `${c.namespace}/${c.name}`).join(', ')} delegated to ${custom[0].provider}` : '';
    return finish('ALLOW', custom.map(({ provider: _p, note: _n, ...ref }) => ref),
      `allowed: no DENY policy matched and no ALLOW policy applies to the workload${delegated}${notesSuffix(gatewayNote, disabled, jwt.note)}`, extras);
  }
  const tryAllow = tcp
    ? mayTryRules(plan.allowTcpFilter1, plan.allowTcpFilter2, attrs)
    : mayTryRules(plan.allowHttpFilter1, plan.allowHttpFilter2, attrs);
  const allow = tryAllow
    ? firstMatchingIn(plan.table, tcp ? plan.allowTcpBase : plan.allowHttpBase, plan, attrs)
    : undefined;
  if (allow) {
    const { policy, rule } = allow;
    return finish('ALLOW', [refOf(policy, rule.index)], `allowed by ${name(policy)} rule ${rule.index}: ${explainRuleMatch(rule, attrs).join(', ')}${notesSuffix(gatewayNote, disabled, jwt.note)}`, extras);
  }
  // The same for every request on this chain of the workload: built once (perf5); check13: and
  // for a plain workload, the whole decision, shared: without notes, and with the last note of a
  // token on HTTP (a constant text: the same note, request after request).
  if (plan.plain && gatewayNote === undefined && disabled === undefined) {
    const note = jwt.note;
    if (note === undefined) {
      return tcp
        ? plan.noMatchTcpDecision ??= noMatchDecision(plan.noMatchTcp ?? noMatch(plan, 'TCP'), denied, '')
        : plan.noMatchHttpDecision ??= noMatchDecision(plan.noMatchHttp ?? noMatch(plan, 'HTTP'), denied, '');
    }
    if (!tcp) {
      if (note !== plan.noMatchHttpNote) {
        plan.noMatchHttpNoted = noMatchDecision(plan.noMatchHttp ?? noMatch(plan, 'HTTP'), denied, notesSuffix(undefined, undefined, note));
        plan.noMatchHttpNote = note;
      }
      return plan.noMatchHttpNoted!;
    }
  }
  const none = (tcp ? plan.noMatchTcp : plan.noMatchHttp) ?? noMatch(plan, request.protocol);
  const notes = notesSuffix(gatewayNote, disabled, jwt.note);
  return finish(denied, copyRefs(none.flat), notes === '' ? none.text : none.text + notes, extras);
}

/**
 * check13: the "no ALLOW rule matched" decision of a plain workload, frozen to the references in
 * it, as {@link finish} would build it: shared by every decision it is (decisions are read-only).
 */
function noMatchDecision(none: NoMatch, denied: AccessOutcome, notes: string): AccessDecision {
  return Object.freeze(finish(denied, Object.freeze(copyRefs(none.flat).map((r) => Object.freeze(r))),
    notes === '' ? none.text : none.text + notes, NO_EXTRAS));
}

/** check13: the STRICT denials of plaintext requests by port, per uniform mode (one per resolved PeerAuthentication). */
const strictDenials = new WeakMap<Exclude<WorkloadPlan['mtls'], undefined>, Map<number, AccessDecision>>();

/** The frozen, shared denial of a plaintext request to `port` by a STRICT mode of a plain workload. */
function strictDenial(mtls: Exclude<WorkloadPlan['mtls'], undefined>, port: number): AccessDecision {
  let byPort = strictDenials.get(mtls);
  if (byPort === undefined) {
    byPort = new Map();
    strictDenials.set(mtls, byPort);
  }
  let d = byPort.get(port);
  if (d === undefined) {
    const pa = mtls.source?.policy;
    const refs = pa ? [Object.freeze<DecidingPolicy>({ kind: 'PeerAuthentication', namespace: pa.metadata.namespace, name: pa.metadata.name, action: 'STRICT', rule: null })] : [];
    d = Object.freeze(finish('DENY_CONN', Object.freeze(refs),
      `connection refused: ${pa ? `PeerAuthentication ${pa.metadata.namespace}/${pa.metadata.name}` : 'mTLS'} requires STRICT mTLS on port ${port} and the client sent plaintext`,
      NO_EXTRAS));
    byPort.set(port, d);
  }
  return d;
}

const NO_CUSTOM: CustomAuthzResult[] = [];
const NO_POLICIES: readonly CompiledPolicy[] = [];

function noMatch(plan: PlannedWorkload, protocol: 'HTTP' | 'TCP'): NoMatch {
  const wp = plan.policies;
  // check10: the other chain's denial serves when every ALLOW policy is described alike on both
  // (no rule dropped on either): one object per workload instead of two, its references shared.
  const other = protocol === 'TCP' ? plan.noMatchHttp : plan.noMatchTcp;
  const none: NoMatch = other !== undefined && wp.allow.every((p) => candidateDescription(p, 'HTTP') === candidateDescription(p, 'TCP'))
    ? other
    : {
      flat: other?.flat ?? flatRefs(wp.allow),
      text: `denied: no rule of the ALLOW ${wp.allow.length === 1 ? 'policy' : 'policies'} ${wp.allow.map((p) => candidateDescription(p, protocol)).join(', ')} matched`,
    };
  if (protocol === 'TCP') plan.noMatchTcp = none;
  else plan.noMatchHttp = none;
  return none;
}

/** The policies' references (rule null) as one flat array of kind, namespace, name, action, rule. */
function flatRefs(policies: readonly CompiledPolicy[]): NoMatch['flat'] {
  const flat: (string | number | null)[] = [];
  for (const p of policies) flat.push('AuthorizationPolicy', p.namespace, p.name, p.action, null);
  return flat;
}

/** Fresh copies of the references of a {@link NoMatch} (perf8: read from one flat array). */
function copyRefs(flat: NoMatch['flat']): DecidingPolicy[] {
  const out: DecidingPolicy[] = [];
  for (let i = 0; i < flat.length; i += 5) {
    out.push({
      kind: flat[i] as DecidingPolicy['kind'],
      namespace: flat[i + 1] as string,
      name: flat[i + 2] as string,
      action: flat[i + 3] as string,
      rule: flat[i + 4] as number | null,
    });
  }
  return out;
}

/** ` (a; b)` of the notes that are set, or ''. */
function notesSuffix(a: string | undefined, b: string | undefined, c: string | undefined): string {
  if (a === undefined && b === undefined && c === undefined) return '';
  return ` (${[a, b, c].filter((x) => x !== undefined).join('; ')})`;
}

interface Extras {
  dryRun?: DryRunResult[];
  audit?: DecidingPolicy[];
  custom?: CustomAuthzResult[];
  ignored?: AccessDecision['ignored'];
}

function finish(outcome: AccessOutcome, decidedBy: readonly DecidingPolicy[], explanation: string, extras: Extras): AccessDecision {
  const decision: { -readonly [K in keyof AccessDecision]: AccessDecision[K] } = { outcome, allowed: outcome === 'ALLOW', decidedBy, explanation };
  // Optional fields appear only when non-empty, in a fixed order, to keep the JSON small and stable.
  if (extras.dryRun) decision.dryRun = extras.dryRun;
  if (extras.audit) decision.audit = extras.audit;
  if (extras.custom) decision.custom = extras.custom;
  if (extras.ignored) decision.ignored = extras.ignored;
  return decision;
}

function dryRunResults(policies: readonly CompiledPolicy[], attrs: RequestAttributes): DryRunResult[] {
  return policies.map((p) => {
    const rule = firstMatchingRule(p, attrs);
    return { ...refOf(p, rule ? rule.index : null), matched: rule !== undefined };
  });
}

function matchedRefs(policies: readonly CompiledPolicy[], attrs: RequestAttributes): DecidingPolicy[] {
  const out: DecidingPolicy[] = [];
  for (const p of policies) {
    const rule: CompiledRule | undefined = firstMatchingRule(p, attrs);
    if (rule) out.push(refOf(p, rule.index));
  }
  return out;
}

function refOf(policy: CompiledPolicy, rule: number | null): DecidingPolicy {
  return { kind: 'AuthorizationPolicy', namespace: policy.namespace, name: policy.name, action: policy.action, rule };
}

function name(policy: CompiledPolicy): string {
  return `${policy.namespace}/${policy.name}`;
}

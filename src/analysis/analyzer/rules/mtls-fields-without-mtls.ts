/**
 * `TM_MTLS_FIELDS_WITHOUT_MTLS`: an AuthorizationPolicy matches on the peer identity —
 * `principals`, `namespaces`, `serviceAccounts`, `trustDomains` (and their `not…` forms), or the
 * `when` keys `source.principal`, `source.namespace`, `source.serviceAccount`,
 * `source.trustDomain`, `connection.sni` — on a workload whose effective PeerAuthentication is
 * PERMISSIVE or DISABLE. Those attributes come from the client certificate: a plaintext client
 * has none, so an ALLOW never matches it and a DENY never stops it.
 *
 * - DISABLE: the sidecar does not terminate mTLS at all; the identity is never available (error).
 * - PERMISSIVE (also the default when no PeerAuthentication applies): plaintext clients slip past
 *   identity-based DENY rules (warning).
 *
 * The effective mode is resolved as the evaluator does (`createEvaluator(config).policiesFor`):
 * mesh → namespace → workload → port, oldest policy wins within a level.
 *
 * Upstream: Kiali `KIA0105` ("mTLS-dependent fields used while the workload does not receive
 * mTLS").
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
 * @see https://istio.io/latest/docs/concepts/security/#peer-authentication
 * @module
 */
import { namespacePeerAuthentication, peerAuthenticationFor } from './peer-authentication-lookup';
import { describeTarget, policyTargets, PolicyTarget, scopeOf, verbFor } from './policy-targets';
import { AnalyzerCheck, AnalyzerRule, RuleContext, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { AuthorizationPolicyResource, AuthorizationRule } from '../../config/istio-config';
import { FieldPath, fieldString } from '../../config/yaml-source';
import { EffectiveMtlsMode, mtlsForPort, MtlsSource, ResolvedPeerAuthentication } from '../../evaluator/mtls-mode';

const CHECK: AnalyzerCheck = {
  code: 'TM_MTLS_FIELDS_WITHOUT_MTLS',
  severity: 'error',
  upstreamCode: 'KIA0105',
  title: 'an AuthorizationPolicy matches peer identities on a workload that accepts plaintext',
};

const SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts',
  'trustDomains', 'notTrustDomains'] as const;
const CONDITION_KEYS: ReadonlySet<string> = new Set(['source.principal', 'source.namespace', 'source.serviceAccount', 'source.trustDomain', 'connection.sni']);

interface Weakest {
  readonly mode: Exclude<EffectiveMtlsMode, 'STRICT'>;
  readonly target: PolicyTarget;
  readonly source?: MtlsSource;
  readonly port?: number;
}

/** The rule. */
export const mtlsFieldsWithoutMtlsRule: AnalyzerRule = {
  name: 'mtls-fields-without-mtls',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    for (const ap of context.config.authorizationPolicies) {
      const scope = scopeOf(ap);
      if (!scope) continue;
      // Outside the root namespace every target is in the policy's namespace: where labels cannot
      // change the PeerAuthentication (nearly everywhere), one answer covers every target.
      const shared = scope.namespace === context.mesh.rootNamespace ? undefined : namespacePeerAuthentication(context, scope.namespace);
      if (shared && !acceptsPlaintext(shared)) continue;
      const targets = policyTargets(context, scope);
      // The usual case, a STRICT mesh: no port of any target accepts plaintext, nothing to find.
      if (!targets.some((t) => acceptsPlaintextSomewhere(context, t))) continue;
      ap.spec.rules.forEach((rule, i) => {
        if (!rule) return;
        const fields = mtlsFields(rule, i);
        if (fields.length === 0) return;
        const weakest = weakestMode(context, targets, rulePorts(rule));
        if (!weakest) return;
        out.push(report(ap, i, fields, weakest, targets.length));
      });
    }
    return out;
  },
};

function acceptsPlaintextSomewhere(context: RuleContext, target: PolicyTarget): boolean {
  return acceptsPlaintext(peerAuthenticationFor(context, target.namespace, target.labels));
}

function acceptsPlaintext(pa: ResolvedPeerAuthentication): boolean {
  return pa.mode !== 'STRICT' || [...pa.ports.values()].some((m) => m.mode !== 'STRICT');
}

function mtlsFields(rule: AuthorizationRule, i: number): { path: FieldPath; name: string }[] {
  const out: { path: FieldPath; name: string }[] = [];
  (rule.from ?? []).forEach((f, j) => {
    for (const field of SOURCE_FIELDS) {
      if ((f.source?.[field] ?? []).length > 0) out.push({ path: ['spec', 'rules', i, 'from', j, 'source', field], name: field });
    }
  });
  (rule.when ?? []).forEach((w, j) => {
    if (CONDITION_KEYS.has(w.key)) out.push({ path: ['spec', 'rules', i, 'when', j, 'key'], name: `when ${w.key}` });
  });
  return out;
}

// The workload ports a rule is limited to (`to.operation.ports` on every `to`), or undefined for all ports.
function rulePorts(rule: AuthorizationRule): number[] | undefined {
  const to = rule.to ?? [];
  if (to.length === 0 || to.some((t) => (t.operation?.ports ?? []).length === 0)) return undefined;
  return [...new Set(to.flatMap((t) => (t.operation?.ports ?? []).map(Number)).filter((p) => Number.isInteger(p)))];
}

function weakestMode(context: RuleContext, targets: readonly PolicyTarget[], ports: readonly number[] | undefined): Weakest | undefined {
  let found: Weakest | undefined;
  for (const target of targets) {
    const pa = peerAuthenticationFor(context, target.namespace, target.labels);
    const candidates: { mode: EffectiveMtlsMode; source?: MtlsSource; port?: number }[] = [];
    if (ports) {
      for (const port of ports) candidates.push({ ...mtlsForPort(pa, port), ...(pa.ports.has(port) ? { port } : {}) });
    } else {
      candidates.push({ mode: pa.mode, ...(pa.source ? { source: pa.source } : {}) });
      for (const [port, m] of pa.ports) candidates.push({ mode: m.mode, source: m.source, port });
    }
    for (const c of candidates) {
      if (c.mode === 'STRICT') continue;
      if (!found || (c.mode === 'DISABLE' && found.mode !== 'DISABLE')) {
        found = { mode: c.mode, target, ...(c.source ? { source: c.source } : {}), ...(c.port !== undefined ? { port: c.port } : {}) };
      }
    }
    if (found?.mode === 'DISABLE') break;
  }
  return found;
}

function report(ap: AuthorizationPolicyResource, i: number, fields: readonly { path: FieldPath; name: string }[], weakest: Weakest,
  targetCount: number): Diagnostic {
  const names = [...new Set(fields.map((f) => f.name))].join(', ');
  const origin = weakest.source
    ? `PeerAuthentication ${weakest.source.policy.metadata.namespace}/${weakest.source.policy.metadata.name} sets ${weakest.mode}${weakest.port !== undefined ? ` on port ${weakest.port}` : ''} (${weakest.source.level} level)`
    : 'no PeerAuthentication applies, so Istio\'s default PERMISSIVE holds';
  const others = targetCount > 1 ? ` (one of ${targetCount} selected workloads)` : '';
  const effect = weakest.mode === 'DISABLE'
    ? 'the sidecar does not terminate mTLS, so these attributes are never set: identity-based ALLOW rules never match and DENY rules never apply'
    : 'plaintext clients carry no identity: an ALLOW on these fields refuses them, and a DENY on them lets them through';
  const ap0 = ap.spec.action;
  return finding(CHECK, ap, fields[0].path,
    `${objectRef(ap)} ${ap0} rule ${i} uses ${names} (${fieldString(fields[0].path)}), which need mTLS, but ${describeTarget(weakest.target)}${others} ${verbFor(weakest.target, 'accepts', 'accept')} plaintext: ${origin}; ${effect}`,
    weakest.mode === 'DISABLE'
      ? 'Enable mTLS for the workload (PeerAuthentication mode STRICT), or match on ipBlocks instead of identities.'
      : 'Require mTLS for the workload (PeerAuthentication mtls.mode: STRICT at mesh, namespace or workload level) so every client has an identity.',
    { severity: weakest.mode === 'DISABLE' ? 'error' : 'warning' });
}

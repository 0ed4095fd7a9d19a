/**
 * `TM_IP_BLOCKS_UNDER_STRICT_MTLS`: an ALLOW rule admits callers by address only (`ipBlocks` or
 * `remoteIpBlocks`, no identity field next to it) on a workload port whose effective
 * PeerAuthentication is STRICT. Matching by address is how a policy names clients *outside* the
 * mesh, but STRICT refuses every plaintext connection before authorization runs: those clients
 * never get through, and only workloads with a sidecar that happen to sit at those addresses match.
 *
 * Not reported for the pods a Gateway selects (PeerAuthentication does not apply to a gateway's
 * listeners) nor for selector policies in the root namespace, which usually target gateways the
 * input does not hold.
 *
 * Upstream: none (Kiali KIA0105 is the reverse case: identity fields without mTLS).
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
 * @see https://istio.io/latest/docs/concepts/security/#peer-authentication
 * @module
 */
import { peerAuthenticationFor } from './peer-authentication-lookup';
import { describeTarget, policyTargets, PolicyScope, PolicyTarget, scopeOf, verbFor } from './policy-targets';
import { AnalyzerCheck, AnalyzerRule, finding, objectRef, RuleContext } from './rule-types';
import { Diagnostic } from '../../../errors';
import { selectorMatches } from '../../../semantics/labels';
import { AuthorizationPolicyResource, AuthorizationRule, AuthorizationSource } from '../../config/istio-config';
import { gatewaySelector } from '../../config/workload-resources';
import { FieldPath, fieldString } from '../../config/yaml-source';
import { mtlsForPort } from '../../evaluator/mtls-mode';

const CHECK: AnalyzerCheck = {
  code: 'TM_IP_BLOCKS_UNDER_STRICT_MTLS',
  severity: 'warning',
  title: 'an ALLOW rule admits callers by address on a workload that refuses plaintext (STRICT mTLS)',
};

const ADDRESS_FIELDS = ['ipBlocks', 'remoteIpBlocks'] as const;
// A source with one of these is about mesh identities: its author expects mTLS.
const IDENTITY_FIELDS: readonly (keyof AuthorizationSource)[] = [
  'principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains',
  'requestPrincipals', 'notRequestPrincipals',
];

/** The rule. */
export const ipBlocksUnderStrictMtlsRule: AnalyzerRule = {
  name: 'ip-blocks-under-strict-mtls',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    const gateways = context.config.gateways.map(gatewaySelector).filter((s) => Object.keys(s).length > 0);
    for (const ap of context.config.authorizationPolicies) {
      if (ap.spec.action !== 'ALLOW') continue;
      // The scope and targets only of a policy with a rule that admits callers by address only
      // (nearly none of a large mesh).
      let scope: PolicyScope | undefined;
      let targets: PolicyTarget[] | undefined;
      const rules = ap.spec.rules;
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i];
        const field = rule ? addressOnlyField(rule, i) : undefined;
        if (!rule || !field) continue;
        if (!scope) {
          scope = scopeOf(ap);
          if (!scope || (scope.namespace === context.mesh.rootNamespace && Object.keys(scope.selector).length > 0)) break;
        }
        targets ??= policyTargets(context, scope).filter((t) => !gateways.some((g) => selectorMatches(g, t.labels)));
        for (const target of targets) {
          const ports = strictPorts(context, target, rule);
          if (ports) {
            out.push(report(ap, i, field, target, ports));
            break;
          }
        }
      }
    }
    return out;
  },
};

// The first address field of a `from` entry that names no identity (index loops: every rule of
// an ALLOW policy is asked).
function addressOnlyField(rule: AuthorizationRule, i: number): FieldPath | undefined {
  const from = rule.from;
  if (!from) return undefined;
  for (let j = 0; j < from.length; j++) {
    const source = from[j]?.source;
    if (!source || namesAny(source, IDENTITY_FIELDS)) continue;
    for (let n = 0; n < ADDRESS_FIELDS.length; n++) {
      if ((source[ADDRESS_FIELDS[n]]?.length ?? 0) > 0) return ['spec', 'rules', i, 'from', j, 'source', ADDRESS_FIELDS[n]];
    }
  }
  return undefined;
}

function namesAny(source: AuthorizationSource, fields: readonly (keyof AuthorizationSource)[]): boolean {
  for (let n = 0; n < fields.length; n++) if ((source[fields[n]]?.length ?? 0) > 0) return true;
  return false;
}

// The STRICT ports among those the rule covers ('all' when the whole workload is STRICT), or undefined.
function strictPorts(context: RuleContext, target: PolicyTarget, rule: AuthorizationRule): number[] | 'all' | undefined {
  const pa = peerAuthenticationFor(context, target.namespace, target.labels);
  const to = rule.to ?? [];
  const limited = to.length > 0 && to.every((t) => (t.operation?.ports ?? []).length > 0);
  // Not limited to ports: plaintext callers still reach a port that accepts them.
  if (!limited) return pa.mode === 'STRICT' && [...pa.ports.values()].every((m) => m.mode === 'STRICT') ? 'all' : undefined;
  const ports = [...new Set(to.flatMap((t) => (t.operation?.ports ?? []).map(Number)).filter((p) => Number.isInteger(p)))].sort((a, b) => a - b);
  const strict = ports.filter((p) => mtlsForPort(pa, p).mode === 'STRICT');
  return strict.length > 0 ? strict : undefined;
}

function report(ap: AuthorizationPolicyResource, i: number, field: FieldPath, target: PolicyTarget, ports: number[] | 'all'): Diagnostic {
  const where = `${verbFor(target, 'requires', 'require')}${ports === 'all' ? '' : ` on port(s) ${ports.join(', ')}`}`;
  return finding(CHECK, ap, field,
    `${objectRef(ap)} ALLOW rule ${i} admits callers by address only (${fieldString(field)}), but ${describeTarget(target)} ${where} `
    + 'STRICT mTLS: a plaintext client at those addresses is refused at the connection, and only workloads with a sidecar there '
    + 'match the rule',
    'If the callers are outside the mesh, accept plaintext on those ports (PeerAuthentication portLevelMtls PERMISSIVE; in trustmesh '
    + 'Port.http(n, { mtls: MtlsMode.PERMISSIVE })); if they are mesh workloads, name them by identity (principals, namespaces or '
    + 'serviceAccounts) instead of by address.');
}

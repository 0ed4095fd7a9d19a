/**
 * `TM_DENY_HTTP_FIELDS_WITHOUT_PORTS`: a DENY rule matches on HTTP-only attributes (`methods`,
 * `paths`, `hosts`, `requestPrincipals`, `request.*` conditions, and their `not…` forms) without
 * limiting itself to ports. On a TCP port istiod cannot evaluate those attributes and ignores them,
 * which *widens* the DENY: it refuses every TCP connection under the policy's scope.
 *
 * The condition is istiod's own (webhook warning in `ValidateAuthorizationPolicy`): a rule whose
 * `to` has no `ports`/`notPorts`, or whose only match is a `from` without TCP-capable fields.
 * trustmesh also counts HTTP-only `when` keys, which istiod ignores on TCP in the same way.
 *
 * Upstream: istioctl `IST0133` SchemaWarning ("configured AuthorizationPolicy will deny all traffic
 * to TCP ports under its scope due to the use of only HTTP attributes in a DENY rule").
 *
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/
 * @see https://istio.io/latest/docs/ops/common-problems/security-issues/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { AuthorizationRule } from '../../config/istio-config';
import { FieldPath } from '../../config/yaml-source';
import { conditionAttribute } from '../../evaluator/conditions';

const CHECK: AnalyzerCheck = {
  code: 'TM_DENY_HTTP_FIELDS_WITHOUT_PORTS',
  severity: 'warning',
  upstreamCode: 'IST0133',
  title: 'a DENY rule with only HTTP attributes and no ports denies all TCP traffic',
};

const TCP_SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts',
  'trustDomains', 'notTrustDomains', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;

/** The rule. */
export const denyHttpFieldsWithoutPortsRule: AnalyzerRule = {
  name: 'deny-http-fields-without-ports',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    for (const ap of context.config.authorizationPolicies) {
      if (ap.spec.action !== 'DENY') continue;
      ap.spec.rules.forEach((rule, i) => {
        if (!rule) return;
        const path = widened(rule, i);
        if (!path) return;
        out.push(finding(CHECK, ap, path.at,
          `${objectRef(ap)} DENY rule ${i} uses HTTP-only attributes (${path.fields.join(', ')}) and names no ports; on TCP ports istiod ignores them, which widens the rule to deny every TCP connection it otherwise matches on the selected workloads`,
          'Add to.operation.ports with the HTTP ports the rule is meant for (e.g. ports: ["8080"]), so TCP ports are not denied wholesale.'));
      });
    }
    return out;
  },
};

function widened(rule: AuthorizationRule, i: number): { at: FieldPath; fields: string[] } | undefined {
  if (!mayWiden(rule)) return undefined;
  const from = (rule.from ?? []).filter((f) => f.source !== undefined);
  const to = (rule.to ?? []).filter((t) => t.operation !== undefined);
  const tcpInFrom = from.some((f) => TCP_SOURCE_FIELDS.some((k) => (f.source?.[k] ?? []).length > 0));
  const tcpInTo = to.some((t) => (t.operation?.ports ?? []).length > 0 || (t.operation?.notPorts ?? []).length > 0);
  const httpWhen = (rule.when ?? []).filter((w) => conditionAttribute(w.key)?.httpOnly === true);
  const fields = new Set<string>();
  for (const f of from) for (const k of ['requestPrincipals', 'notRequestPrincipals'] as const) if ((f.source?.[k] ?? []).length > 0) fields.add(k);
  for (const t of to) {
    for (const k of ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const) if ((t.operation?.[k] ?? []).length > 0) fields.add(k);
  }
  for (const w of httpWhen) fields.add(`when ${w.key}`);
  // istiod's condition, plus HTTP-only `when` keys on a rule that is otherwise TCP-capable.
  const upstream = (from.length > 0 && to.length === 0 && !tcpInFrom) || (to.length > 0 && !tcpInTo);
  const conditions = httpWhen.length > 0 && !tcpInTo;
  if (!(upstream || conditions) || fields.size === 0) return undefined;
  const at: FieldPath = to.length > 0 ? ['spec', 'rules', i, 'to'] : from.length > 0 && !tcpInFrom ? ['spec', 'rules', i, 'from'] : ['spec', 'rules', i, 'when'];
  return { at, fields: [...fields] };
}

/**
 * A necessary condition of {@link widened}, read without a copy of the rule's lists (every DENY rule
 * of a large mesh is asked, nearly all of them limited to TCP-capable sources or ports): any `when`
 * counts here, the HTTP-only ones only in `widened`.
 */
function mayWiden(rule: AuthorizationRule): boolean {
  let from = 0;
  let tcpInFrom = false;
  for (let j = 0; j < (rule.from?.length ?? 0); j++) {
    const source = rule.from![j]?.source;
    if (source === undefined) continue;
    from++;
    for (let n = 0; n < TCP_SOURCE_FIELDS.length && !tcpInFrom; n++) tcpInFrom = (source[TCP_SOURCE_FIELDS[n]]?.length ?? 0) > 0;
  }
  let to = 0;
  let tcpInTo = false;
  for (let j = 0; j < (rule.to?.length ?? 0); j++) {
    const operation = rule.to![j]?.operation;
    if (operation === undefined) continue;
    to++;
    if ((operation.ports?.length ?? 0) > 0 || (operation.notPorts?.length ?? 0) > 0) tcpInTo = true;
  }
  const when = (rule.when?.length ?? 0) > 0;
  return (from > 0 && to === 0 && !tcpInFrom) || (to > 0 && !tcpInTo) || (when && !tcpInTo);
}

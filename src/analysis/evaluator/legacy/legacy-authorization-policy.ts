/**
 * Istio 1.4's `security.istio.io/v1beta1` AuthorizationPolicy, decided as pilot 1.4.10 builds it
 * (pilot/pkg/security/authz/builder, policy/v1beta1, model at 1.4.10):
 *
 * - A workload's policies are those of the root namespace and of its own namespace whose
 *   `selector.matchLabels` its labels include (`ListAuthorizationPolicies`). When there is at least
 *   one, they alone make the workload's RBAC filter: ServiceRoles and ClusterRbacConfig are not
 *   consulted for it. 1.4 has no `action`: every policy allows, and a request no rule matches is
 *   denied — a policy without rules allows nothing.
 * - A rule becomes the same internal model as a ServiceRole and its binding (`NewModelV1beta1`):
 *   each `from[].source` a principal (`principals` → `source.principal`, `namespaces`, `ipBlocks`,
 *   `requestPrincipals` → `request.auth.principal`), each `to[].operation` a permission; `when`
 *   conditions on `source.*` / `request.*` keys join every principal, the others every permission.
 *   No `from` means any principal, no `to` any operation; a `source: {}` matches nobody.
 * - Values match as in RBAC (`abc*`, `*abc`, exact; a metadata `*` needs the value: v1beta1
 *   `principals: ["*"]` is the regex `.+`, any *authenticated* caller, not RBAC's Envoy `any`), paths
 *   with the query, and on TCP principals and permissions with HTTP fields are dropped.
 *
 * @module
 */
import { LegacyRbacRequest, ruleMatches, subjectMatches } from './legacy-rbac';
import { AuthorizationPolicyResource, AuthorizationRule } from '../../config/istio-config';
import { RbacAccessRule, RbacSubject } from '../../config/legacy-resources';

/** Keys 1.4 attaches to principals (`isSupportedPrincipal`); others go to permissions. */
function isPrincipalKey(key: string): boolean {
  return key.startsWith('source.') || key.startsWith('request.');
}

const EMPTY_SUBJECT: Omit<RbacSubject, 'properties'> = {
  names: [], notNames: [], groups: [], notGroups: [], namespaces: [], notNamespaces: [], ips: [], notIps: [],
};

/** Every combination of one value per key (a principal's multi-valued properties OR their values). */
function combinations(entries: readonly [string, readonly string[]][]): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const [key, values] of entries) out = out.flatMap((props) => values.map((v) => ({ ...props, [key]: v })));
  return out;
}

/** The principals of a rule as RBAC subjects (OR); an empty list matches nobody. */
function principalsOf(rule: AuthorizationRule): RbacSubject[] {
  const conditions: [string, readonly string[]][] = (rule.when ?? [])
    .filter((c) => isPrincipalKey(c.key)).map((c) => [c.key, c.values ?? []]);
  if (!rule.from || rule.from.length === 0) {
    return combinations(conditions).map((properties) => ({ ...EMPTY_SUBJECT, ...(conditions.length === 0 ? { user: '*' } : {}), properties }));
  }
  const out: RbacSubject[] = [];
  for (const { source } of rule.from) {
    if (!source) continue;
    const principals = source.principals ?? [];
    const namespaces = source.namespaces ?? [];
    const ips = source.ipBlocks ?? [];
    const requestPrincipals = source.requestPrincipals ?? [];
    // pilot 1.4: a principal with nothing to match is `not any` (matches nobody).
    if (principals.length + namespaces.length + ips.length + requestPrincipals.length + conditions.length === 0) continue;
    const entries: [string, readonly string[]][] = [...conditions];
    if (requestPrincipals.length > 0) entries.push(['request.auth.principal', requestPrincipals]);
    for (const properties of combinations(entries)) {
      out.push({ ...EMPTY_SUBJECT, names: principals, namespaces, ips, properties });
    }
  }
  return out;
}

/** The permissions of a rule as ServiceRole rules (OR), for any service. */
function permissionsOf(rule: AuthorizationRule): RbacAccessRule[] {
  const constraints = (rule.when ?? []).filter((c) => !isPrincipalKey(c.key)).map((c) => ({ key: c.key, values: c.values ?? [] }));
  const base: RbacAccessRule = {
    services: ['*'], hosts: [], notHosts: [], paths: [], notPaths: [], methods: [], notMethods: [], ports: [], notPorts: [], constraints,
  };
  if (!rule.to || rule.to.length === 0) return [base];
  return rule.to.filter((t) => t.operation !== undefined).map(({ operation: o }) => ({
    ...base,
    hosts: o!.hosts ?? [],
    paths: o!.paths ?? [],
    methods: o!.methods ?? [],
    ports: (o!.ports ?? []).map(Number).filter((p) => Number.isInteger(p)),
  }));
}

/** The first rule (policies in order) that allows the request, or undefined. */
export function findPolicyGrant(policies: readonly AuthorizationPolicyResource[], r: LegacyRbacRequest,
  notes: string[]): { policy: AuthorizationPolicyResource; rule: number } | undefined {
  for (const policy of policies) {
    const rule = policy.spec.rules.findIndex((x) => x !== null
      && permissionsOf(x).some((p) => ruleMatches(p, r, notes))
      && principalsOf(x).some((s) => subjectMatches(s, r, notes, true)));
    if (rule >= 0) return { policy, rule };
  }
  return undefined;
}

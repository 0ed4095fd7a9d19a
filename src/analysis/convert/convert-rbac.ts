/**
 * RbacConfig/ClusterRbacConfig, ServiceRole and ServiceRoleBinding → ALLOW AuthorizationPolicies
 * (after istioctl 1.5 `x authz convert`, `pilot/pkg/security/authz/converter`), with these
 * differences so that the result decides like 1.x:
 *
 * - RBAC on for a service = an ALLOW policy applies to its workloads: one allow-nothing policy
 *   (`spec: {}`) per enabled namespace (ON: the root namespace) or per included service.
 *   ON_WITH_EXCLUSION adds allow-all (`rules: [{}]`) for excluded namespaces/services.
 *   `enforcementMode: PERMISSIVE` marks every generated ALLOW policy `istio.io/dry-run: "true"`.
 * - A role's policies select only Services RBAC is on for (a `*` service would otherwise switch
 *   RBAC on for every workload of the namespace): one policy per (role, Service, label constraint
 *   combination), named `<role>-<service>`, one rule per (access rule × binding subject).
 * - The 1.x `*` also matched an absent value: a `*` user, property or path is dropped rather
 *   than converted to v1's `*` (which needs a value). `user`, `names`, `source.principal` and
 *   `source.namespace` name the peer whatever the principalBinding (the 1.x sidecar sets
 *   `source.principal` from the peer certificate; the binding picks only `request.auth.principal`,
 *   docs/legacy.md): they become `principals`/`namespaces`; `request.auth.principal` becomes
 *   `requestPrincipals` under USE_ORIGIN.
 * - On the paths an origin's trigger rule skips, 1.x verified no token, so a subject that needs
 *   one (claims, request principals, groups) matched nothing there; v1 verifies the token on every
 *   path, so such a rule gets the trigger rule's paths (`includedPaths`) and `notPaths`
 *   (`excludedPaths`).
 *
 * Refused (coded, with the object's `file:line`): `destination.ip`/`destination.user` and unknown
 * constraint keys, unknown properties, `request.auth.principal` under USE_PEER (the peer's
 * principal there, matched on HTTP only), services whose
 * principalBinding differs per port, token subjects on a service whose origins skip paths in a way
 * one rule cannot say (several trigger rules, or included paths and a path-restricted rule), and
 * services not found among the inputs.
 *
 * @module
 */
import { object, pathOf } from './convert-authn';
import { ConversionBuilder } from './convert-types';
import { canonicalJson } from '../../private/canonical-json';
import { IstioConfig, ServiceResource } from '../config/istio-config';
import { RbacAccessRule, RbacSubject, ServiceRoleBindingResource, ServiceRoleResource } from '../config/legacy-resources';
import { LegacyIndex, serviceFqdn } from '../evaluator/legacy/legacy-index';
import { legacyValueMatches, rbacEnabled } from '../evaluator/legacy/legacy-rbac';

type Binding = 'USE_PEER' | 'USE_ORIGIN';

/** Converts RBAC. */
export function convertRbac(config: IstioConfig, b: ConversionBuilder, rootNamespace: string): void {
  const index = new LegacyIndex(config);
  const rbac = index.rbacConfig;
  if (!rbac) return;
  const { mode, inclusion, exclusion, enforcementMode } = rbac.spec;
  const dryRun = enforcementMode === 'PERMISSIVE' ? { 'istio.io/dry-run': 'true' } : undefined;
  if (dryRun) b.note(rbac, 'enforcementMode PERMISSIVE: every generated ALLOW policy is dry-run (istio.io/dry-run: "true")');
  const allowNothing = (name: string, ns: string, selector?: Record<string, string>): void => {
    b.add(rbac, object(b, 'AuthorizationPolicy', name, ns, selector ? { selector: { matchLabels: selector } } : {}, dryRun));
  };
  const allowAll = (name: string, ns: string, selector?: Record<string, string>): void => {
    b.add(rbac, object(b, 'AuthorizationPolicy', name, ns, { ...(selector ? { selector: { matchLabels: selector } } : {}), rules: [{}] }, dryRun));
  };
  const serviceByFqdn = (fqdn: string, path: (string | number)[]): ServiceResource | undefined => {
    const s = config.services.find((x) => serviceFqdn(x) === fqdn);
    if (!s) b.refuse('TM_CONVERT_SERVICE_NOT_FOUND', rbac, path, `service ${fqdn} is not among the inputs`, 'Pass the Service with --services, or include it in the inputs.');
    return s;
  };
  if (mode === 'ON') allowNothing('rbac-on', rootNamespace);
  if (mode === 'ON_WITH_INCLUSION') {
    for (const ns of inclusion.namespaces) allowNothing('rbac-on', ns);
    inclusion.services.forEach((fqdn, i) => {
      const s = serviceByFqdn(fqdn, ['spec', 'inclusion', 'services', i]);
      if (s) allowNothing(`rbac-on-${s.metadata.name}`, s.metadata.namespace, { ...s.selector });
    });
  }
  if (mode === 'ON_WITH_EXCLUSION') {
    allowNothing('rbac-on', rootNamespace);
    for (const ns of exclusion.namespaces) allowAll('rbac-off', ns);
    exclusion.services.forEach((fqdn, i) => {
      const s = serviceByFqdn(fqdn, ['spec', 'exclusion', 'services', i]);
      if (s) allowAll(`rbac-off-${s.metadata.name}`, s.metadata.namespace, { ...s.selector });
    });
  }
  if (mode === 'OFF') return;
  // Grouped once: a mesh has a role and a binding per service.
  const bindingsOf = new Map<string, ServiceRoleBindingResource[]>();
  for (const x of config.legacy.bindings) {
    if (x.spec.mode === 'PERMISSIVE') continue;
    const key = `${x.metadata.namespace}/${x.spec.roleRef.name}`;
    const list = bindingsOf.get(key);
    if (list) list.push(x);
    else bindingsOf.set(key, [x]);
  }
  const servicesOf = new Map<string, ServiceResource[]>();
  for (const s of config.services) {
    if (Object.keys(s.selector).length === 0 || !rbacEnabled(rbac, s.metadata.namespace, [s])) continue;
    const list = servicesOf.get(s.metadata.namespace);
    if (list) list.push(s);
    else servicesOf.set(s.metadata.namespace, [s]);
  }
  for (const role of config.legacy.roles) {
    const ns = role.metadata.namespace;
    const bindings = bindingsOf.get(`${ns}/${role.metadata.name}`) ?? [];
    if (bindings.length === 0) {
      b.note(role, 'no enforced ServiceRoleBinding refers to it: nothing generated');
      continue;
    }
    convertRole(index, b, role, bindings, servicesOf.get(ns) ?? [], dryRun);
  }
}

function convertRole(index: LegacyIndex, b: ConversionBuilder, role: ServiceRoleResource, bindings: readonly ServiceRoleBindingResource[],
  services: readonly ServiceResource[], dryRun: Record<string, string> | undefined): void {
  const ns = role.metadata.namespace;
  // policy name → selector and rules
  const policies = new Map<string, { selector: Record<string, string>; rules: Record<string, unknown>[] }>();
  role.spec.rules.forEach((rule, ri) => {
    const at = ['spec', 'rules', ri];
    const bad = rule.constraints.findIndex((c) => !/^destination\.labels\[.+\]$/.test(c.key) && !/^request\.headers\[.+\]$/.test(c.key)
      && c.key !== 'destination.port' && c.key !== 'destination.namespace');
    if (bad >= 0) {
      b.refuse('TM_CONVERT_UNSUPPORTED', role, [...at, 'constraints', bad, 'key'], `constraint ${rule.constraints[bad].key} is no longer supported in v1beta1`, 'Remove the constraint, or express it with a selector.');
      return;
    }
    const nsConstraint = rule.constraints.find((c) => c.key === 'destination.namespace');
    if (nsConstraint && !nsConstraint.values.some((v) => legacyValueMatches(v, ns))) {
      b.note(role, `rule ${ri}: destination.namespace never matches ${ns}; dropped`);
      return;
    }
    const matched = services.filter((s) => rule.services.some((p) => legacyValueMatches(p, serviceFqdn(s))));
    const combos = labelCombos(rule);
    for (const service of matched) {
      const binding = bindingOf(index, service);
      const scope = tokenScope(index, service);
      if (binding === undefined) {
        b.refuse('TM_CONVERT_UNSUPPORTED', role, [...at, 'services'], `service ${service.metadata.name} has ports with different principalBindings`, 'Use one principalBinding per service.');
        continue;
      }
      for (const combo of combos) {
        const conflict = Object.entries(combo).find(([k, v]) => service.selector[k] !== undefined && service.selector[k] !== v);
        if (conflict) continue;
        const selector = { ...service.selector, ...combo };
        const suffix = Object.entries(combo).map(([k, v]) => `-${k}-${v}`).join('').toLowerCase().replace(/[^a-z0-9-]/g, '-');
        const name = `${role.metadata.name}-${service.metadata.name}${suffix}`;
        const entry = policies.get(name) ?? { selector, rules: [] };
        for (const binding0 of bindings) {
          binding0.spec.subjects.forEach((subject, si) => {
            const from = convertSubject(b, binding0, si, subject, binding);
            if (from === null) return;
            if (!needsToken(from) || scope === undefined) {
              entry.rules.push(ruleOf(rule, from));
              return;
            }
            const scoped = scope === 'unsupported' || (scope.paths.length > 0 && rule.paths.length > 0 && !rule.paths.includes('*')) ? undefined : scope;
            if (!scoped) {
              b.refuse('TM_CONVERT_UNSUPPORTED', binding0, ['spec', 'subjects', si], `subject ${si} needs a verified token, and the origins of service ${service.metadata.name} skip token verification on paths (triggerRules) in a way one rule cannot restrict`,
                'Keep one trigger rule on one origin, and no includedPaths together with rule paths.');
              return;
            }
            b.note(binding0, `subject ${si}: 1.x verified no token on the paths the trigger rules skip, so the converted rule excludes them`);
            entry.rules.push(ruleOf(rule, from, scoped));
          });
        }
        policies.set(name, entry);
      }
    }
  });
  for (const [name, p] of [...policies.entries()].sort()) {
    const out = b.add(role, object(b, 'AuthorizationPolicy', name, ns, { selector: { matchLabels: p.selector }, action: 'ALLOW', rules: p.rules }, dryRun));
    for (const binding of bindings) b.entry(binding).outputs.add(`AuthorizationPolicy ${out.metadata.namespace}/${out.metadata.name}`);
  }
}

/** The principalBinding of a Service's ports (undefined when they differ). */
function bindingOf(index: LegacyIndex, service: ServiceResource): Binding | undefined {
  const found = new Set<Binding>();
  for (const p of service.ports) {
    const port = typeof p.targetPort === 'number' ? p.targetPort : p.port;
    found.add(index.authnFor(service.metadata.namespace, service.selector, port).policy?.spec.principalBinding ?? 'USE_PEER');
  }
  return found.size > 1 ? undefined : [...found][0] ?? 'USE_PEER';
}

function labelCombos(rule: RbacAccessRule): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const c of rule.constraints) {
    const m = /^destination\.labels\[(.+)\]$/.exec(c.key);
    if (!m || c.values.includes('*')) continue;
    combos = combos.flatMap((x) => c.values.map((v) => ({ ...x, [m[1]]: v })));
  }
  return combos;
}

/** Whether a converted subject needs a verified token (request principals or `request.auth.*`). */
function needsToken(from: { source: Record<string, string[]>; when: Record<string, unknown>[] }): boolean {
  return from.source.requestPrincipals !== undefined || from.source.notRequestPrincipals !== undefined
    || from.when.some((w) => String(w.key).startsWith('request.auth.'));
}

/**
 * Where the origins of a Service's authentication Policies verify tokens: undefined when on every
 * path (or no origin), the one trigger rule's included/excluded paths, or 'unsupported' (an origin
 * with several trigger rules, origins with different ones, or regex paths). Port-targeted Policies
 * of one service (trustmesh renders one per port with its own mode) whose origins all carry the same
 * trigger rule verify tokens on the same paths, so one scope holds for all of them.
 */
function tokenScope(index: LegacyIndex, service: ServiceResource): { paths: string[]; notPaths: string[] } | 'unsupported' | undefined {
  const policies = new Set(service.ports.map((p) => index.authnFor(service.metadata.namespace, service.selector,
    typeof p.targetPort === 'number' ? p.targetPort : p.port).policy));
  const origins = [...policies].flatMap((p) => p?.spec.origins ?? []);
  if (origins.length === 0 || origins.some((o) => o.triggerRules.length === 0)) return undefined;
  if (origins.some((o) => o.triggerRules.length > 1)) return 'unsupported';
  const rules = new Map(origins.map((o) => [canonicalJson(o.triggerRules[0]), o.triggerRules[0]]));
  const rule = [...rules.values()][0];
  if (rules.size > 1 || [...rule.includedPaths, ...rule.excludedPaths].some((m) => 'regex' in m)) return 'unsupported';
  return { paths: rule.includedPaths.map(pathOf), notPaths: rule.excludedPaths.map(pathOf) };
}

function ruleOf(rule: RbacAccessRule, from: { source: Record<string, string[]>; when: Record<string, unknown>[] },
  scope?: { paths: string[]; notPaths: string[] }): Record<string, unknown> {
  // A `*` stays: in 1.x any paths/methods/hosts list made the rule HTTP-only (pilot ValidateForTCP
  // drops it from the TCP filter), as any such list does in v1; left out, the rule would allow TCP.
  const list = (l: readonly string[]): string[] | undefined => (l.length === 0 ? undefined : l.includes('*') ? ['*'] : [...l]);
  const ports = [...rule.ports.map(String), ...rule.constraints.filter((c) => c.key === 'destination.port').flatMap((c) => c.values)].filter((v) => v !== '*');
  const op: Record<string, unknown> = {};
  const set = (k: string, v: unknown[] | undefined): void => {
    if (v && v.length > 0) op[k] = v;
  };
  set('hosts', list(rule.hosts));
  set('notHosts', rule.notHosts.length > 0 ? [...rule.notHosts] : undefined);
  set('ports', ports);
  set('notPorts', rule.notPorts.map(String));
  set('methods', list(rule.methods));
  set('notMethods', rule.notMethods.length > 0 ? [...rule.notMethods] : undefined);
  set('paths', scope && scope.paths.length > 0 ? scope.paths : list(rule.paths));
  set('notPaths', [...rule.notPaths, ...(scope?.notPaths ?? [])]);
  const when = [...from.when, ...rule.constraints.filter((c) => c.key.startsWith('request.headers['))
    .map((c) => ({ key: c.key, values: [...c.values] }))].sort((a, b) => (String(a.key) < String(b.key) ? -1 : 1));
  return {
    ...(Object.keys(from.source).length > 0 ? { from: [{ source: from.source }] } : {}),
    ...(Object.keys(op).length > 0 ? { to: [{ operation: op }] } : {}),
    ...(when.length > 0 ? { when } : {}),
  };
}

/** A subject as `from.source` + `when`; null when refused. */
function convertSubject(b: ConversionBuilder, binding: ServiceRoleBindingResource, si: number, s: RbacSubject, pb: Binding):
{ source: Record<string, string[]>; when: Record<string, unknown>[] } | null {
  const source: Record<string, string[]> = {};
  const when: Record<string, unknown>[] = [];
  const principalsKey = 'principals';
  // pilot 1.4: `*` is Envoy `any` for the peer identity (user, names, source.principal) and an
  // invalid CIDR (dropped) for ips: no v1 constraint. Elsewhere it needs the value present, as v1's `*` does.
  const push = (k: string, v: string): void => {
    if (v === '*' && (k === principalsKey || k === 'notPrincipals' || k === 'notRequestPrincipals' || k === 'ipBlocks' || k === 'notIpBlocks')) return;
    (source[k] ??= []).push(v);
  };
  const at = ['spec', 'subjects', si];
  if (s.user !== undefined) push(principalsKey, s.user);
  if (s.user === '*') b.note(binding, `subject ${si}: user "*" matched unauthenticated requests too in 1.x; converted to no principal constraint`);
  s.names.forEach((v) => push(principalsKey, v));
  s.notNames.forEach((v) => push('notPrincipals', v));
  s.ips.forEach((v) => push('ipBlocks', v));
  s.notIps.forEach((v) => push('notIpBlocks', v));
  if (s.group !== undefined && s.group !== '') when.push({ key: 'request.auth.claims[groups]', values: [s.group] });
  if (s.groups.length > 0) when.push({ key: 'request.auth.claims[groups]', values: [...s.groups] });
  if (s.notGroups.length > 0) when.push({ key: 'request.auth.claims[groups]', notValues: [...s.notGroups] });
  if (s.properties['request.auth.principal'] !== undefined && pb === 'USE_PEER') {
    b.refuse('TM_CONVERT_UNSUPPORTED', binding, [...at, 'properties', 'request.auth.principal'], 'request.auth.principal under principalBinding USE_PEER is the peer\'s principal, matched on HTTP only; v1 has no equivalent', 'Use principalBinding USE_ORIGIN to match the token, or source.principal to match the peer.');
    return null;
  }
  s.namespaces.forEach((v) => push('namespaces', v));
  s.notNamespaces.forEach((v) => push('notNamespaces', v));
  for (const [key, value] of Object.entries(s.properties).sort()) {
    if (key === 'source.principal') {push(principalsKey, value);} else if (key === 'source.user') {
      // source.user is metadata: `*` needs an identity, unlike source.principal's `*`.
      (source[principalsKey] ??= []).push(value);
    } else if (key === 'source.namespace') {push('namespaces', value);} else if (key === 'source.ip') {push('ipBlocks', value);} else if (key === 'request.auth.principal') {push('requestPrincipals', value);} else if (/^request\.(auth\.claims\[.+\]|headers\[.+\])$/.test(key) || key === 'request.auth.audiences' || key === 'request.auth.presenter') {
      when.push({ key, values: [value] });
    } else {
      b.refuse('TM_CONVERT_UNSUPPORTED', binding, [...at, 'properties', key], `property ${key} has no v1beta1 equivalent`, 'Remove the property.');
      return null;
    }
  }
  return { source, when };
}

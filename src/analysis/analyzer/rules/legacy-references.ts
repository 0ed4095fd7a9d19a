/**
 * Checks of Istio 1.x (pre-1.6) policies, read by the legacy evaluator: references that resolve to
 * nothing, and RBAC that cannot do what it seems to.
 *
 * - `TM_LEGACY_SERVICE_NOT_FOUND`: a Policy target, an RbacConfig inclusion/exclusion service or an
 *   exact ServiceRole service names a Service the input does not hold — where the inventory knows
 *   that namespace's Services (`auto`: the input has a Service there; an error with `complete`),
 *   as every not-found check of the analyzer: synth output without Services (no reference
 *   workloads) is not flooded with one warning per rule.
 * - `TM_LEGACY_ROLE_WITHOUT_BINDING` / `TM_LEGACY_BINDING_ROLE_MISSING`: a ServiceRole no
 *   ServiceRoleBinding refers to (it grants nothing); a binding whose roleRef names no ServiceRole.
 * - `TM_LEGACY_RBAC_NOTHING_BOUND`: RBAC is on, and no ServiceRoleBinding exists: every request to
 *   the services it covers is denied.
 * - `TM_LEGACY_RBAC_WITHOUT_AUTHN`: bindings name users or principals, and no Policy or MeshPolicy
 *   gives requests an identity (no mtls peers, no origins), so those subjects never match.
 * - `TM_LEGACY_CONSTRAINT_NEVER_MATCHES`: a `destination.labels[k]` constraint whose values no
 *   workload of the namespace carries, or a constraint key the 1.x docs do not list.
 *
 * @see https://istio.io/v1.4/docs/reference/config/security/constraints-and-properties/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { serviceFqdn } from '../../evaluator/legacy/legacy-index';
import { legacyValueMatches } from '../../evaluator/legacy/legacy-rbac';

const check = (code: AnalyzerCheck['code'], severity: AnalyzerCheck['severity'], title: string): AnalyzerCheck => ({ code, severity, title });
const SERVICE_NOT_FOUND = check('TM_LEGACY_SERVICE_NOT_FOUND', 'warning', 'a legacy Policy, RbacConfig or ServiceRole names a Service the input does not hold');
const ROLE_WITHOUT_BINDING = check('TM_LEGACY_ROLE_WITHOUT_BINDING', 'warning', 'a ServiceRole that no ServiceRoleBinding refers to grants nothing');
const BINDING_ROLE_MISSING = check('TM_LEGACY_BINDING_ROLE_MISSING', 'error', 'a ServiceRoleBinding refers to a ServiceRole that does not exist');
const NOTHING_BOUND = check('TM_LEGACY_RBAC_NOTHING_BOUND', 'warning', 'RBAC is on and no ServiceRoleBinding exists: every covered request is denied');
const WITHOUT_AUTHN = check('TM_LEGACY_RBAC_WITHOUT_AUTHN', 'warning', 'ServiceRoleBindings name identities that no Policy or MeshPolicy establishes');
const NEVER_MATCHES = check('TM_LEGACY_CONSTRAINT_NEVER_MATCHES', 'warning', 'a ServiceRole constraint can never match');

const KNOWN_KEYS = [/^destination\.labels\[.+\]$/, /^request\.headers\[.+\]$/, /^destination\.(ip|port|namespace|user)$/];

/** The rule. */
export const legacyReferencesRule: AnalyzerRule = {
  name: 'legacy-references',
  checks: [SERVICE_NOT_FOUND, ROLE_WITHOUT_BINDING, BINDING_ROLE_MISSING, NOTHING_BOUND, WITHOUT_AUTHN, NEVER_MATCHES],
  run({ config, inventory }) {
    const out: Diagnostic[] = [];
    const { authn, rbacConfigs, roles, bindings } = config.legacy;
    const fqdns = new Set(config.services.map(serviceFqdn));
    // Indexed by namespace/name: the synth of a 1,000-service legacy mesh holds thousands of roles,
    // bindings and targeted Policies, and scanning the lists per reference was quadratic.
    const keyOf = (ns: string, name: string): string => `${ns}\u0000${name}`;
    const serviceKeys = new Set(config.services.map((s) => keyOf(s.metadata.namespace, s.metadata.name)));
    const hasService = (ns: string, name: string): boolean => serviceKeys.has(keyOf(ns, name));
    const roleKeys = new Set(roles.map((r) => keyOf(r.metadata.namespace, r.metadata.name)));
    const boundRoles = new Set(bindings.map((b) => keyOf(b.metadata.namespace, b.spec.roleRef.name)));
    const workloadsByNs = new Map<string, (typeof config.workloads)[number][]>();
    for (const w of config.workloads) {
      const list = workloadsByNs.get(w.metadata.namespace);
      if (list) list.push(w);
      else workloadsByNs.set(w.metadata.namespace, [w]);
    }
    // The distinct values of a pod label in a namespace (undefined: a workload without it).
    const labelValues = new Map<string, (string | undefined)[]>();
    const valuesOf = (ns: string, label: string): (string | undefined)[] => {
      const k = keyOf(ns, label);
      let values = labelValues.get(k);
      if (!values) {
        values = [...new Set((workloadsByNs.get(ns) ?? []).map((w) => w.podLabels[label]))];
        labelValues.set(k, values);
      }
      return values;
    };
    const missing = (obj: Parameters<typeof finding>[1], path: (string | number)[], what: string, namespace: string | undefined): void => {
      if (namespace === undefined || !inventory.knowsServices(namespace)) return;
      out.push(finding(SERVICE_NOT_FOUND, obj, path, `${objectRef(obj)} names service ${what}, which the input does not hold (${inventory.describe('services', namespace)})`,
        'Add the Service to the input, or fix the name (1.x matched FQDNs such as name.namespace.svc.cluster.local).',
        { severity: inventory.findingSeverity }));
    };
    // name.namespace.svc.<domain>
    const fqdnNamespace = (fqdn: string): string | undefined => fqdn.split('.')[1];
    for (const p of authn) {
      p.spec.targets.forEach((t, i) => {
        if (!hasService(p.metadata.namespace, t.name)) missing(p, ['spec', 'targets', i, 'name'], `${p.metadata.namespace}/${t.name}`, p.metadata.namespace);
      });
    }
    for (const c of rbacConfigs) {
      for (const key of ['inclusion', 'exclusion'] as const) {
        c.spec[key].services.forEach((s, i) => {
          if (!fqdns.has(s)) missing(c, ['spec', key, 'services', i], s, fqdnNamespace(s));
        });
      }
    }
    for (const r of roles) {
      const ns = r.metadata.namespace;
      r.spec.rules.forEach((rule, ri) => {
        rule.services.forEach((s, si) => {
          if (!s.includes('*') && !fqdns.has(s)) missing(r, ['spec', 'rules', ri, 'services', si], s, fqdnNamespace(s));
        });
        rule.constraints.forEach((c, ci) => {
          const at = ['spec', 'rules', ri, 'constraints', ci];
          if (!KNOWN_KEYS.some((k) => k.test(c.key))) {
            out.push(finding(NEVER_MATCHES, r, [...at, 'key'], `${objectRef(r)} rule ${ri}: constraint key ${c.key} is not a 1.x constraint, so the rule never matches`,
              'Use a key from the constraints-and-properties reference (destination.labels[…], destination.port, request.headers[…], …).'));
            return;
          }
          const label = /^destination\.labels\[(.+)\]$/.exec(c.key);
          if (!label) return;
          const values = valuesOf(ns, label[1]);
          const workloadsKnown = workloadsByNs.has(ns);
          if (workloadsKnown && !c.values.some((v) => values.some((x) => legacyValueMatches(v, x)))) {
            out.push(finding(NEVER_MATCHES, r, [...at, 'values'], `${objectRef(r)} rule ${ri}: no workload of namespace ${ns} has ${label[1]} in ${JSON.stringify(c.values)}`,
              `Use a value the workloads carry (${[...new Set(values.filter((v) => v !== undefined))].sort().join(', ') || 'none has the label'}).`));
          }
        });
      });
      if (!boundRoles.has(keyOf(ns, r.metadata.name))) {
        out.push(finding(ROLE_WITHOUT_BINDING, r, ['metadata', 'name'], `${objectRef(r)} is referred to by no ServiceRoleBinding, so it grants nothing`,
          'Bind it with a ServiceRoleBinding, or delete it.'));
      }
    }
    for (const b of bindings) {
      if (!roleKeys.has(keyOf(b.metadata.namespace, b.spec.roleRef.name))) {
        out.push(finding(BINDING_ROLE_MISSING, b, ['spec', 'roleRef', 'name'], `${objectRef(b)} refers to ServiceRole ${b.metadata.namespace}/${b.spec.roleRef.name}, which does not exist`,
          'Create the ServiceRole in the binding\'s namespace, or fix roleRef.name.'));
      }
    }
    const on = rbacConfigs.filter((c) => c.spec.mode !== 'OFF');
    for (const c of on) {
      if (bindings.length === 0) {
        out.push(finding(NOTHING_BOUND, c, ['spec', 'mode'], `${objectRef(c)} turns RBAC ${c.spec.mode} and no ServiceRoleBinding exists: every request to the covered services is denied`,
          'Add ServiceRoles and ServiceRoleBindings for the callers, or set the mode to OFF.'));
      }
    }
    const needsIdentity = bindings.filter((b) => b.spec.subjects.some((s) => (s.user !== undefined && s.user !== '*') || s.names.length > 0
      || Object.keys(s.properties).some((k) => k.startsWith('source.principal') || k.startsWith('source.namespace') || k.startsWith('request.auth'))));
    const identities = authn.some((p) => p.spec.peers.some((x) => x.kind === 'mtls') || p.spec.origins.length > 0);
    if (on.length > 0 && !identities) {
      for (const b of needsIdentity) {
        out.push(finding(WITHOUT_AUTHN, b, ['spec', 'subjects'], `${objectRef(b)} names identities, but no Policy or MeshPolicy turns on mTLS peers or JWT origins, so requests carry none and the subjects never match`,
          'Add a MeshPolicy or Policy with peers: [{mtls: {}}] (or origins for end users).'));
      }
    }
    return out;
  },
};

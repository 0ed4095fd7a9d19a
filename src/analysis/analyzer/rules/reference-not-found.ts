/**
 * `TM_NAMESPACE_NOT_FOUND` and `TM_SERVICE_ACCOUNT_NOT_FOUND`: an AuthorizationPolicy names a
 * peer namespace or service account that the inventory does not have — usually a typo, which
 * turns a DENY into a no-op or an ALLOW into a rule that never matches.
 *
 * Checked: `source.namespaces`/`notNamespaces`, `principals`/`notPrincipals`
 * (`<td>/ns/<ns>/sa/<sa>`), `serviceAccounts`/`notServiceAccounts` (`<ns>/<sa>` or `<sa>`), and the
 * `when` keys `source.namespace`, `source.principal`, `source.serviceAccount`. Istio's string
 * matching is honoured (`*`, `prefix*`, `*suffix`).
 *
 * Upstream: istioctl `IST0101` ReferencedResourceNotFound (namespaces), Kiali `KIA0101`
 * (namespace) and `KIA0106` (service account of a principal).
 *
 * Only fires where the inventory is known ({@link Inventory}); errors with `--inventory complete`,
 * warnings when the inventory was inferred.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0101/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, RuleContext, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { AuthorizationAction, AuthorizationPolicyResource } from '../../config/istio-config';
import { FieldPath, fieldString } from '../../config/yaml-source';

const NAMESPACE: AnalyzerCheck = {
  code: 'TM_NAMESPACE_NOT_FOUND',
  severity: 'warning',
  upstreamCode: 'IST0101',
  title: 'an AuthorizationPolicy names a namespace that does not exist',
};

const SERVICE_ACCOUNT: AnalyzerCheck = {
  code: 'TM_SERVICE_ACCOUNT_NOT_FOUND',
  severity: 'warning',
  upstreamCode: 'KIA0106',
  title: 'an AuthorizationPolicy names a service account that does not exist',
};

type RefKind = 'namespace' | 'principal' | 'serviceAccount';

const SOURCE_FIELDS: readonly { readonly field: string; readonly kind: RefKind; readonly negative: boolean }[] = [
  { field: 'namespaces', kind: 'namespace', negative: false }, { field: 'notNamespaces', kind: 'namespace', negative: true },
  { field: 'principals', kind: 'principal', negative: false }, { field: 'notPrincipals', kind: 'principal', negative: true },
  { field: 'serviceAccounts', kind: 'serviceAccount', negative: false }, { field: 'notServiceAccounts', kind: 'serviceAccount', negative: true },
];

const CONDITION_KEYS: Readonly<Record<string, RefKind>> = {
  'source.namespace': 'namespace',
  'source.principal': 'principal',
  'source.serviceAccount': 'serviceAccount',
};

/** The rule. */
export const referenceNotFoundRule: AnalyzerRule = {
  name: 'reference-not-found',
  checks: [NAMESPACE, SERVICE_ACCOUNT],
  run(context) {
    const out: Diagnostic[] = [];
    if (context.inventory.mode === 'none') return out;
    // Index loops (this runs once per synth, mostly interpreted: no iterator per loop), and a
    // value's field path built only when it is reported: every peer of a large mesh is checked,
    // nearly all of them found.
    const policies = context.config.authorizationPolicies;
    for (let p = 0; p < policies.length; p++) {
      const ap = policies[p];
      const rules = ap.spec.rules;
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i];
        if (!rule) continue;
        const from = rule.from ?? NONE;
        for (let j = 0; j < from.length; j++) {
          const source = from[j]?.source as Readonly<Record<string, readonly string[] | undefined>> | undefined;
          if (!source) continue;
          for (let n = 0; n < SOURCE_FIELDS.length; n++) {
            const { field, kind, negative } = SOURCE_FIELDS[n];
            const values = source[field];
            if (!values) continue;
            for (let k = 0; k < values.length; k++) checkValue(context, ap, kind, values[k], negative, out, i, 'from', j, field, k);
          }
        }
        const when = rule.when ?? NONE;
        for (let j = 0; j < when.length; j++) {
          const w = when[j];
          const kind = w ? CONDITION_KEYS[w.key] : undefined;
          if (!kind) continue;
          const values = w.values ?? NONE;
          for (let k = 0; k < values.length; k++) checkValue(context, ap, kind, values[k], false, out, i, 'when', j, 'values', k);
          const notValues = w.notValues ?? NONE;
          for (let k = 0; k < notValues.length; k++) checkValue(context, ap, kind, notValues[k], true, out, i, 'when', j, 'notValues', k);
        }
      }
    }
    return out;
  },
};

const NONE: readonly never[] = [];

/**
 * Checks one value: `rules[i].from[j].source[field][k]` or `rules[i].when[j][field][k]` (its path
 * is built only when it is reported).
 */
function checkValue(context: RuleContext, ap: AuthorizationPolicyResource, kind: RefKind, value: string, negative: boolean,
  out: Diagnostic[], i: number, part: 'from' | 'when', j: number, field: string, k: number): void {
  // `undefined`: a hole of a sparse list (built by a tool, never read from YAML), which forEach skipped.
  if (value === '*' || value === '' || (value as string | undefined) === undefined) return;
  const inv = context.inventory;
  let namespace: string | undefined;
  let account: string | undefined;
  if (kind === 'namespace') {
    namespace = value;
  } else if (kind === 'principal') {
    // <trust-domain>/ns/<ns>/sa/<sa>; a wildcard in the namespace part cannot be resolved to one namespace.
    const m = /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(value);
    if (!m || m[1].includes('*')) return;
    namespace = m[1];
    account = m[2];
  } else {
    const slash = value.indexOf('/');
    namespace = slash < 0 ? ap.metadata.namespace : value.slice(0, slash);
    account = slash < 0 ? value : value.slice(slash + 1);
  }
  if (account !== undefined && inv.knowsServiceAccounts(namespace)) {
    if (inv.serviceAccountMatches(namespace, account)) return;
    const at = valuePath(i, part, j, field, k);
    out.push(finding(SERVICE_ACCOUNT, ap, at,
      `${objectRef(ap)}: ${fieldString(at)} "${value}" names service account ${namespace}/${account}, which is not in the input (${inv.describe('service accounts', namespace)}); ${consequence(ap.spec.action, negative)}`,
      'Correct the service account name (a workload\'s identity is its spec.serviceAccountName), or add the ServiceAccount to the input if it is missing there.',
      { severity: inv.findingSeverity }));
    return;
  }
  if (!inv.knowsNamespaces() || inv.namespaceMatches(namespace)) return;
  const at = valuePath(i, part, j, field, k);
  out.push(finding(NAMESPACE, ap, at,
    `${objectRef(ap)}: ${fieldString(at)} "${value}" names namespace ${namespace}, which is not in the input (${inv.describe('namespaces')}); ${consequence(ap.spec.action, negative)}`,
    'Correct the namespace name, or add the Namespace to the input if it exists in the cluster.',
    { severity: inv.findingSeverity, upstreamCode: kind === 'namespace' ? 'IST0101' : 'KIA0101' }));
}

function valuePath(i: number, part: 'from' | 'when', j: number, field: string, k: number): FieldPath {
  return part === 'from' ? ['spec', 'rules', i, 'from', j, 'source', field, k] : ['spec', 'rules', i, 'when', j, field, k];
}

function consequence(action: AuthorizationAction, negative: boolean): string {
  if (negative) return 'the negated match covers every real peer, which is probably not what was meant';
  switch (action) {
    case 'DENY': return 'no real peer matches it, so the DENY does not deny anyone through this value';
    case 'ALLOW': return 'no real peer matches it, so the ALLOW grants nothing through this value';
    default: return 'no real peer matches it';
  }
}

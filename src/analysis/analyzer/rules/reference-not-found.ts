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

const SOURCE_FIELDS: readonly (readonly [string, RefKind, boolean])[] = [
  ['namespaces', 'namespace', false], ['notNamespaces', 'namespace', true],
  ['principals', 'principal', false], ['notPrincipals', 'principal', true],
  ['serviceAccounts', 'serviceAccount', false], ['notServiceAccounts', 'serviceAccount', true],
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
    for (const ap of context.config.authorizationPolicies) {
      ap.spec.rules.forEach((rule, i) => {
        if (!rule) return;
        (rule.from ?? []).forEach((f, j) => {
          const source = f.source as Readonly<Record<string, readonly string[] | undefined>> | undefined;
          for (const [field, kind, negative] of SOURCE_FIELDS) {
            (source?.[field] ?? []).forEach((value, k) =>
              checkValue(context, ap, kind, value, ['spec', 'rules', i, 'from', j, 'source', field, k], negative, out));
          }
        });
        (rule.when ?? []).forEach((w, j) => {
          const kind = CONDITION_KEYS[w.key];
          if (!kind) return;
          (w.values ?? []).forEach((v, k) => checkValue(context, ap, kind, v, ['spec', 'rules', i, 'when', j, 'values', k], false, out));
          (w.notValues ?? []).forEach((v, k) => checkValue(context, ap, kind, v, ['spec', 'rules', i, 'when', j, 'notValues', k], true, out));
        });
      });
    }
    return out;
  },
};

function checkValue(context: RuleContext, ap: AuthorizationPolicyResource, kind: RefKind, value: string, path: FieldPath,
  negative: boolean, out: Diagnostic[]): void {
  if (value === '*' || value === '') return;
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
  // The message parts are built only for a value that is reported (every peer of a large mesh is checked).
  const where = (): string => `${objectRef(ap)}: ${fieldString(path)} "${value}"`;
  const effect = (): string => consequence(ap.spec.action, negative);
  if (account !== undefined && inv.knowsServiceAccounts(namespace)) {
    if (inv.serviceAccountMatches(namespace, account)) return;
    out.push(finding(SERVICE_ACCOUNT, ap, path,
      `${where()} names service account ${namespace}/${account}, which is not in the input (${inv.describe('service accounts', namespace)}); ${effect()}`,
      'Correct the service account name (a workload\'s identity is its spec.serviceAccountName), or add the ServiceAccount to the input if it is missing there.',
      { severity: inv.findingSeverity }));
    return;
  }
  if (!inv.knowsNamespaces() || inv.namespaceMatches(namespace)) return;
  out.push(finding(NAMESPACE, ap, path,
    `${where()} names namespace ${namespace}, which is not in the input (${inv.describe('namespaces')}); ${effect()}`,
    'Correct the namespace name, or add the Namespace to the input if it exists in the cluster.',
    { severity: inv.findingSeverity, upstreamCode: kind === 'namespace' ? 'IST0101' : 'KIA0101' }));
}

function consequence(action: AuthorizationAction, negative: boolean): string {
  if (negative) return 'the negated match covers every real peer, which is probably not what was meant';
  switch (action) {
    case 'DENY': return 'no real peer matches it, so the DENY does not deny anyone through this value';
    case 'ALLOW': return 'no real peer matches it, so the ALLOW grants nothing through this value';
    default: return 'no real peer matches it';
  }
}

/**
 * istiod's `ValidateAuthorizationPolicy` (`pkg/config/validation/validation.go`) for the rules the
 * CRD schema and its CEL rules do not enforce.
 *
 * istiod decodes the object with `jsonpb` before validating, which turns an empty list into an
 * absent field: `from: []` reaches the webhook as no `from` at all. trustmesh reports it as a
 * warning (the rule then matches any source), never as a rejection.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 * @module
 */
import {
  attributeCheck, ipValueReason, pathTemplateReason, portValueReason, serviceAccountReason, trustDomainReason,
} from './authorization-values';
import { checkTargetRefs, checkWorkloadSelector } from './common-rules';
import { Findings, WebhookCheck, WebhookPath, show } from './webhook-types';
import { isRecord } from '../../private/records';

export const ACTION_WITHOUT_RULES: WebhookCheck = {
  code: 'TM_AUTHZ_ACTION_WITHOUT_RULES',
  severity: 'error',
  title: 'a DENY or CUSTOM AuthorizationPolicy has no rules',
  istiod: 'ValidateAuthorizationPolicy',
};
export const EMPTY_MATCH: WebhookCheck = {
  code: 'TM_AUTHZ_EMPTY_MATCH',
  severity: 'error',
  title: 'an AuthorizationPolicy rule has an empty or null match the webhook rejects',
  istiod: 'ValidateAuthorizationPolicy, security.CheckEmptyValues',
};
export const CUSTOM_INVALID: WebhookCheck = {
  code: 'TM_AUTHZ_CUSTOM_INVALID',
  severity: 'error',
  title: 'a CUSTOM AuthorizationPolicy breaks the CUSTOM action restrictions',
  istiod: 'ValidateAuthorizationPolicy',
};
export const CONDITION_INVALID: WebhookCheck = {
  code: 'TM_AUTHZ_CONDITION_INVALID',
  severity: 'error',
  title: 'a when condition has an unknown or malformed key, or a value its key does not accept',
  istiod: 'security.ValidateAttribute',
};
export const IP_BLOCK_INVALID: WebhookCheck = {
  code: 'TM_AUTHZ_IP_BLOCK_INVALID',
  severity: 'error',
  title: 'an ipBlocks or remoteIpBlocks value is not an IP address or CIDR block',
  istiod: 'security.ValidateIPs',
};
export const PORT_INVALID: WebhookCheck = {
  code: 'TM_AUTHZ_PORT_INVALID',
  severity: 'error',
  title: 'a ports or notPorts value is not a port number',
  istiod: 'security.ValidatePorts',
};
export const SERVICE_ACCOUNT_INVALID: WebhookCheck = {
  code: 'TM_AUTHZ_SERVICE_ACCOUNT_INVALID',
  severity: 'error',
  title: 'a serviceAccounts value is not "sa" or "namespace/sa", or has a wildcard',
  istiod: 'security.CheckServiceAccount',
};
export const TRUST_DOMAIN_INVALID: WebhookCheck = {
  code: 'TM_AUTHZ_TRUST_DOMAIN_INVALID',
  severity: 'error',
  title: 'a trustDomains value has a misplaced wildcard or a "/"',
  istiod: 'security.CheckTrustDomainValues',
};
export const PATH_TEMPLATE_INVALID: WebhookCheck = {
  code: 'TM_AUTHZ_PATH_TEMPLATE_INVALID',
  severity: 'error',
  title: 'a paths value uses {*}/{**} templates in a way Envoy cannot match',
  istiod: 'security.CheckValidPathTemplate',
};
export const DENY_HTTP_ONLY: WebhookCheck = {
  code: 'TM_DENY_HTTP_FIELDS_WITHOUT_PORTS',
  severity: 'warning',
  title: 'a DENY rule uses only HTTP attributes without ports, so it denies all TCP traffic',
  istiod: 'ValidateAuthorizationPolicy',
};

/** Every check of this module. */
export const AUTHORIZATION_POLICY_CHECKS: readonly WebhookCheck[] = [ACTION_WITHOUT_RULES, EMPTY_MATCH, CUSTOM_INVALID, CONDITION_INVALID,
  IP_BLOCK_INVALID, PORT_INVALID, SERVICE_ACCOUNT_INVALID, TRUST_DOMAIN_INVALID, PATH_TEMPLATE_INVALID, DENY_HTTP_ONLY];

const CUSTOM_FORBIDDEN_SOURCE = ['namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains',
  'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals'];
const CUSTOM_FORBIDDEN_KEYS = ['source.namespace', 'source.serviceAccount', 'source.trustDomain', 'source.principal'];
const SOURCE_FIELDS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces',
  'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];
const OPERATION_FIELDS = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'];
// A DENY rule "has TCP rules" when it names one of these (istiod's list: trustDomains is not in it).
const TCP_SOURCE_FIELDS = ['principals', 'notPrincipals', 'ipBlocks', 'notIpBlocks', 'namespaces', 'notNamespaces', 'remoteIpBlocks',
  'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts'];

/** The non-empty list at `value` (what survives istiod's decoding), else undefined. */
function list(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) && value.length > 0 ? value : undefined;
}

/** `ValidateAuthorizationPolicy` on a spec. */
export function checkAuthorizationPolicy(spec: Readonly<Record<string, unknown>>, out: Findings): void {
  checkWorkloadSelector(spec.selector, ['spec', 'selector'], out);
  checkTargetRefs(spec, out);
  const action = typeof spec.action === 'string' ? spec.action : 'ALLOW';
  const rules = list(spec.rules);
  const provider = isRecord(spec.provider) ? spec.provider : undefined;
  const actionPath: WebhookPath = 'action' in spec ? ['spec', 'action'] : ['spec'];
  if ((action === 'DENY' || action === 'CUSTOM') && !rules) {
    out.add(ACTION_WITHOUT_RULES, actionPath, `action ${action} without rules never matches anything (the webhook rejects it as meaningless)`,
      action === 'DENY'
        ? 'To deny every request to the selected workloads write rules: [{}]; otherwise add the rules to deny, or delete the policy.'
        : 'To send every request to the external authorizer write rules: [{}]; otherwise add the rules that select requests.');
  }
  if (action === 'CUSTOM' && rules && (typeof provider?.name !== 'string' || provider.name === '')) {
    out.add(CUSTOM_INVALID, provider ? ['spec', 'provider'] : actionPath, 'action CUSTOM needs provider.name (the extension provider that decides)',
      'Set provider.name to one of meshConfig.extensionProviders[].name.');
  }
  if (provider && action !== 'CUSTOM') {
    out.add(CUSTOM_INVALID, ['spec', 'provider'], `provider is only allowed with action CUSTOM, not ${action}`, 'Remove provider, or set action: CUSTOM.');
  }
  (rules ?? []).forEach((rule, i) => checkRule(action, rule, ['spec', 'rules', i], out));
}

function checkRule(action: string, rule: unknown, base: WebhookPath, out: Findings): void {
  if (!isRecord(rule)) {
    out.add(EMPTY_MATCH, base, 'a rule must not be null', 'Write {} for a rule that matches every request, or delete the entry.');
    return;
  }
  const seen = { from: false, to: false, tcpFrom: false, tcpTo: false };
  checkEntries(action, rule, 'from', 'source', SOURCE_FIELDS, base, seen, out);
  checkEntries(action, rule, 'to', 'operation', OPERATION_FIELDS, base, seen, out);
  checkConditions(action, rule.when, pathTo(base, 'when'), out);
  if (action === 'DENY' && ((seen.from && !seen.to && !seen.tcpFrom) || (seen.to && !seen.tcpTo))) {
    out.add(DENY_HTTP_ONLY, base, 'this DENY rule uses only HTTP attributes and no ports: on TCP ports it denies all traffic under its scope',
      'Add to.operation.ports with the HTTP ports the rule is meant for.');
  }
}

interface SeenMatches {
  from: boolean;
  to: boolean;
  tcpFrom: boolean;
  tcpTo: boolean;
}

/** The `from` (sources) or `to` (operations) entries of a rule. Paths are built only for findings (large meshes). */
function checkEntries(action: string, rule: Readonly<Record<string, unknown>>, field: 'from' | 'to', entry: 'source' | 'operation',
  fields: readonly string[], base: WebhookPath, seen: SeenMatches, out: Findings): void {
  const value = rule[field];
  if (Array.isArray(value) && value.length === 0) {
    // jsonpb drops the empty list, so istiod never sees it: the rule has no `from` (or `to`) and matches any.
    out.warn(EMPTY_MATCH, pathTo(base, field), `\`${field}: []\` is read as no ${field} at all: the rule matches any ${entry}`,
      `Delete the empty ${field} list, or list the ${entry}s to match.`);
    return;
  }
  const entries = list(value) ?? [];
  for (let j = 0; j < entries.length; j++) {
    const e = entries[j];
    const inner = isRecord(e) ? e[entry] : undefined;
    if (!isRecord(inner)) {
      out.add(EMPTY_MATCH, pathTo(base, field, j), `a ${field} entry needs a non-null ${entry}`, `Give the entry a ${entry} with at least one field, or delete it.`);
      continue;
    }
    if (field === 'from') seen.from = true;
    else seen.to = true;
    const present = presentLists(inner, fields);
    if (present.length === 0) {
      out.add(EMPTY_MATCH, pathTo(base, field, j, entry), `${field}.${entry} must not be empty`,
        `Add a field to the ${entry} (e.g. ${field === 'from' ? 'principals' : 'ports'}), or delete the entry.`);
    }
    if (field === 'from' && present.some((f) => TCP_SOURCE_FIELDS.includes(f))) seen.tcpFrom = true;
    if (field === 'to' && (present.includes('ports') || present.includes('notPorts'))) seen.tcpTo = true;
    for (const f of present) checkValues(action, f, inner[f], pathTo(base, field, j, entry, f), out);
  }
}

/** `base` and then `parts`: a finding's path (plain pushes: spread and concat are slow while V8 warms up). */
function pathTo(base: WebhookPath, ...parts: ReadonlyArray<string | number>): WebhookPath {
  const path = base.slice();
  for (let i = 0; i < parts.length; i++) path.push(parts[i]);
  return path;
}

/** Where each field of {@link SOURCE_FIELDS} and {@link OPERATION_FIELDS} stands in its list. */
const FIELD_ORDER: ReadonlyMap<string, number> = new Map([
  ...SOURCE_FIELDS.map((f, i) => [f, i] as const), ...OPERATION_FIELDS.map((f, i) => [f, i] as const),
]);

/**
 * The fields of `fields` that hold a non-empty list, in the order of `fields`. A plain object's
 * fields are found by walking its keys (a source usually has one of fourteen); any other object
 * is read by name.
 */
function presentLists(inner: Readonly<Record<string, unknown>>, fields: readonly string[]): string[] {
  const proto: unknown = Object.getPrototypeOf(inner);
  if (proto !== Object.prototype && proto !== null) return fields.filter((f) => list(inner[f]));
  const present: string[] = [];
  for (const key in inner) if (fields.includes(key) && list(inner[key])) present.push(key);
  if (present.length > 1) present.sort((a, b) => FIELD_ORDER.get(a)! - FIELD_ORDER.get(b)!);
  return present;
}

function checkValues(action: string, name: string, values: unknown, at: WebhookPath, out: Findings): void {
  const all = list(values);
  if (!all) return;
  if (action === 'CUSTOM' && CUSTOM_FORBIDDEN_SOURCE.includes(name)) {
    out.add(CUSTOM_INVALID, at, `${name} is not supported with action CUSTOM`,
      'Let the external authorizer check identities, or move this match to an ALLOW/DENY policy.');
  }
  for (let k = 0; k < all.length; k++) {
    const v = all[k];
    if (typeof v !== 'string') continue;
    if (v === '') {
      out.add(EMPTY_MATCH, pathTo(at, k), `values must not be empty strings (empty value not allowed in ${name})`, 'Delete the empty value (an empty string never matches).');
      continue;
    }
    const [check, reason] = valueReason(name, v);
    if (check && reason) out.add(check, pathTo(at, k), `${show(v)}: ${reason}`, valueFix(check));
  }
}

function valueReason(name: string, v: string): [WebhookCheck | undefined, string | undefined] {
  switch (name) {
    case 'ipBlocks': case 'notIpBlocks': case 'remoteIpBlocks': case 'notRemoteIpBlocks': return [IP_BLOCK_INVALID, ipValueReason(v)];
    case 'ports': case 'notPorts': return [PORT_INVALID, portValueReason(v)];
    case 'serviceAccounts': case 'notServiceAccounts': return [SERVICE_ACCOUNT_INVALID, serviceAccountReason(v)];
    case 'trustDomains': case 'notTrustDomains': return [TRUST_DOMAIN_INVALID, trustDomainReason(v)];
    case 'paths': case 'notPaths': return [PATH_TEMPLATE_INVALID, pathTemplateReason(v)];
    default: return [undefined, undefined];
  }
}

function valueFix(check: WebhookCheck): string {
  switch (check) {
    case IP_BLOCK_INVALID: return 'Write an address (10.0.0.1, 2001:db8::1) or a CIDR block (10.0.0.0/8); octets and prefix lengths have no leading zeros.';
    case PORT_INVALID: return 'Write the port as a decimal string, e.g. "8080".';
    case SERVICE_ACCOUNT_INVALID: return 'Write "<namespace>/<service account>" (or a service account of the policy\'s namespace), without wildcards.';
    case TRUST_DOMAIN_INVALID: return 'Write a trust domain such as cluster.local, with at most one "*" at its start or end.';
    default: return 'Use {*} for one path segment and {**} only as the last segment; other segments may only hold RFC 3986 path characters.';
  }
}

function checkConditions(action: string, when: unknown, base: WebhookPath, out: Findings): void {
  (list(when) ?? []).forEach((w, j) => {
    const at: WebhookPath = [...base, j];
    const cond = isRecord(w) ? w : {};
    const key = typeof cond.key === 'string' ? cond.key : '';
    if (action === 'CUSTOM' && (CUSTOM_FORBIDDEN_KEYS.includes(key) || key.startsWith('request.auth.'))) {
      out.add(CUSTOM_INVALID, [...at, 'key'], `condition ${key} is not supported with action CUSTOM`,
        'Let the external authorizer check this, or move the condition to an ALLOW/DENY policy.');
    }
    if (key === '') {
      out.add(EMPTY_MATCH, at, 'a condition needs a key', 'Set key (e.g. request.headers[x-env]), or delete the condition.');
      return;
    }
    const values = list(cond.values);
    const notValues = list(cond.notValues);
    if (!values && !notValues) {
      out.add(EMPTY_MATCH, at, `condition ${key} needs values or notValues`, 'Add values (or notValues) to the condition, or delete it.');
      return;
    }
    const attribute = attributeCheck(key);
    for (const [name, vs] of [['values', values], ['notValues', notValues]] as const) {
      (vs ?? []).forEach((v, k) => {
        if (v === '') {
          out.add(EMPTY_MATCH, [...at, name, k], `values must not be empty strings (empty value not allowed in condition ${key})`,
            'Delete the empty value (an empty string never matches).');
        }
      });
      const bad = (vs ?? []).findIndex((v) => v !== '' && typeof v === 'string' && attribute.value?.(v) !== undefined);
      if (bad >= 0 && !attribute.keyReason) {
        const v = (vs ?? [])[bad] as string;
        out.add(CONDITION_INVALID, [...at, name, bad], `invalid ${name === 'values' ? 'value' : 'notValue'} for key ${key}: ${attribute.value!(v)}`,
          conditionValueFix(key));
      }
    }
    if (attribute.keyReason) {
      out.add(CONDITION_INVALID, [...at, 'key'], attribute.keyReason, conditionKeyFix(key));
    }
  });
}

function conditionKeyFix(key: string): string {
  if (key.startsWith('destination.labels')) return 'Select the workloads with spec.selector.matchLabels instead.';
  if (key === 'destination.namespace') return 'Put the policy in the destination namespace instead (metadata.namespace).';
  if (/^(request\.headers|request\.auth\.claims|experimental\.envoy\.filters\.)/.test(key)) return `Write the key as ${key.replace(/\[.*$/, '')}[<name>].`;
  return 'Use one of the documented keys: request.headers[…], source.ip, remote.ip, source.namespace, source.principal, source.serviceAccount, '
    + 'source.trustDomain, request.auth.principal, request.auth.audiences, request.auth.presenter, request.auth.claims[…], destination.ip, '
    + 'destination.port, connection.sni, experimental.envoy.filters.*[…].';
}

function conditionValueFix(key: string): string {
  if (key.endsWith('.ip')) return 'Write addresses (10.0.0.1) or CIDR blocks (10.0.0.0/8), without leading zeros.';
  if (key === 'destination.port') return 'Write port numbers as decimal strings, e.g. "8080".';
  if (key === 'source.serviceAccount') return 'Write "<namespace>/<service account>" without wildcards.';
  return 'Use at most one "*", at the start or the end of the value.';
}

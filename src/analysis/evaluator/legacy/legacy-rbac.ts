/**
 * 1.x authorization (`rbac.istio.io/v1alpha1`, rbac.proto 1.0–1.4): whether RBAC is on for a
 * service (RbacConfig/ClusterRbacConfig modes), and whether some ServiceRole rule, bound by a
 * ServiceRoleBinding subject, grants the request.
 *
 * Value matching as pilot 1.4 translates rbac patterns (pilot/pkg/security/authz/model at 1.4.10):
 * `abc*` a prefix, `*abc` a suffix, otherwise exact; `*` is a *presence* match for most keys — a
 * header `present_match`, a metadata regex `.*` (matches an empty value, not an absent one), a
 * `destination.labels[…]` constraint on a label the workload has. An absent value never matches,
 * except for the peer identity: `user: "*"`, `names: ["*"]` and `source.principal: "*"` become
 * Envoy `any` (anyone, plaintext callers included). `*` for `source.ip`, `destination.ip` and
 * `destination.port` is not a valid value and pilot drops the condition (so it matches anything).
 * On TCP, rules and subjects that name HTTP attributes (any `paths`, `methods`, `hosts` and their
 * `not` forms, `request.*`, `group`) never match, as the 1.x TCP filter dropped them.
 * Paths are the request path as the 1.x sidecar saw it: Envoy `normalize_path` (on in pilot from
 * 1.1.13/1.2.4 on; trustmesh evaluates the last patch releases), query kept.
 *
 * @see https://istio.io/v1.4/docs/reference/config/security/istio.rbac.v1alpha1/
 * @see https://istio.io/v1.4/docs/reference/config/security/constraints-and-properties/
 * @module
 */
import { LegacyIndex, serviceFqdn } from './legacy-index';
import { AccessRequest } from '../../../semantics/access-request';
import { cidrContains, parseCidr, parseIp } from '../../../semantics/ip-match';
import { normalizePath } from '../../../semantics/path-normalization';
import { principalNamespace } from '../../../semantics/principal';
import { ServiceResource } from '../../config/istio-config';
import { RbacAccessRule, RbacConfigResource, RbacSubject } from '../../config/legacy-resources';

/** What RBAC sees of a request after authentication. */
export interface LegacyRbacRequest {
  readonly request: AccessRequest;
  readonly services: readonly ServiceResource[];
  /** The peer principal (`source.principal`, RBAC `user`), whatever the principalBinding. */
  readonly principal?: string;
  /** `request.auth.principal`: the token's `iss/sub` under USE_ORIGIN, the peer's principal under USE_PEER. */
  readonly origin?: string;
  readonly claims?: Readonly<Record<string, unknown>>;
  /** The destination's service account, when known. */
  readonly destinationUser?: string;
}

/** A grant: which role rule and which binding subject matched. */
export interface LegacyGrant {
  readonly role: string;
  readonly rule: number;
  readonly binding: string;
  readonly subject: number;
}

/** 1.x pattern match; `*` matches any present value (empty included), never an absent one. */
export function legacyValueMatches(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}

function anyMatch(patterns: readonly string[], value: string | undefined): boolean {
  return patterns.some((p) => legacyValueMatches(p, value));
}

/**
 * The peer identity (`user`, `names`, `source.principal`): `*` is Envoy `any` there, absent principal
 * included — in rbac.istio.io. In 1.4's v1beta1 AuthorizationPolicy (`v1beta1`) pilot writes `*` as
 * the regex `.+` (`treatWildcardAsRequired`): a principal must be present.
 */
function principalMatches(pattern: string, principal: string | undefined, v1beta1 = false): boolean {
  if (v1beta1 && pattern === '*') return principal !== undefined && principal !== '';
  return pattern === '*' || legacyValueMatches(pattern, principal);
}

/**
 * The path the 1.x sidecar matched `paths` and trigger rules against: Envoy `normalize_path`
 * (pilot 1.4 sets it on every HTTP connection manager; the same as MeshConfig `BASE` today) on the
 * path, the query left as sent.
 */
export function legacyPath(request: AccessRequest): string {
  const raw = request.path ?? '/';
  const q = raw.search(/[?#]/);
  return q < 0 ? normalizePath(raw, 'BASE') : `${normalizePath(raw.slice(0, q), 'BASE')}${raw.slice(q)}`;
}

/** Whether RBAC is enabled for a destination, and by which object. */
export function rbacEnabled(config: RbacConfigResource | undefined, namespace: string, services: readonly ServiceResource[]): boolean {
  if (!config) return false;
  const { mode, inclusion, exclusion } = config.spec;
  const fqdns = services.map(serviceFqdn);
  const listed = (t: typeof inclusion): boolean => t.namespaces.includes(namespace) || fqdns.some((f) => t.services.includes(f));
  switch (mode) {
    case 'OFF': return false;
    case 'ON': return true;
    case 'ON_WITH_INCLUSION': return listed(inclusion);
    case 'ON_WITH_EXCLUSION': return !listed(exclusion);
  }
}

/** The first grant (roles and bindings in name order), or undefined. */
export function findGrant(index: LegacyIndex, r: LegacyRbacRequest, notes: string[]): LegacyGrant | undefined {
  const ns = r.request.destination.namespace;
  const { roles, bindings } = index.rolesIn(ns);
  const sortedBindings = [...bindings].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const binding of sortedBindings) {
    if (binding.spec.mode === 'PERMISSIVE') {
      notes.push(`ServiceRoleBinding ${ns}/${binding.metadata.name} is mode PERMISSIVE (logged, not enforced)`);
      continue;
    }
    const role = roles.find((x) => x.metadata.name === binding.spec.roleRef.name);
    if (!role) continue;
    const subject = binding.spec.subjects.findIndex((s) => subjectMatches(s, r, notes));
    if (subject < 0) continue;
    const rule = role.spec.rules.findIndex((x) => ruleMatches(x, r, notes));
    if (rule < 0) continue;
    return { role: role.metadata.name, rule, binding: binding.metadata.name, subject };
  }
  return undefined;
}

/** Whether a ServiceRole rule covers the request. */
export function ruleMatches(rule: RbacAccessRule, r: LegacyRbacRequest, notes: string[]): boolean {
  const req = r.request;
  const fqdns = r.services.map(serviceFqdn);
  if (!rule.services.some((p) => p === '*' || fqdns.some((f) => legacyValueMatches(p, f)))) return false;
  const http = req.protocol === 'HTTP';
  // pilot 1.4 ValidateForTCP: any paths/methods/hosts (even `*`) or request header constraint.
  const hasHttp = [rule.paths, rule.notPaths, rule.methods, rule.notMethods, rule.hosts, rule.notHosts].some((l) => l.length > 0)
    || rule.constraints.some((c) => c.key.startsWith('request.'));
  if (!http && hasHttp) return false;
  const path = legacyPath(req);
  const method = req.method ?? 'GET';
  if (http) {
    if (rule.paths.length > 0 && !anyMatch(rule.paths, path)) return false;
    if (rule.notPaths.length > 0 && anyMatch(rule.notPaths, path)) return false;
    if (rule.methods.length > 0 && !anyMatch(rule.methods, method)) return false;
    if (rule.notMethods.length > 0 && anyMatch(rule.notMethods, method)) return false;
    if (rule.hosts.length > 0 && !anyMatch(rule.hosts, req.host)) return false;
    if (rule.notHosts.length > 0 && anyMatch(rule.notHosts, req.host)) return false;
  }
  const port = req.destination.port;
  if (rule.ports.length > 0 && !rule.ports.includes(port)) return false;
  if (rule.notPorts.includes(port)) return false;
  return rule.constraints.every((c) => {
    const value = constraintValue(c.key, r, notes);
    // `*` is not a port or CIDR: pilot drops the value, and a key left without values matches anything.
    if ((c.key === 'destination.port' || c.key === 'destination.ip') && c.values.every((v) => v === '*')) return true;
    return value !== null && c.values.some((v) => legacyValueMatches(v, value));
  });
}

/** The value of a ServiceRole constraint key; `null` when the key is not one trustmesh models. */
function constraintValue(key: string, r: LegacyRbacRequest, notes: string[]): string | undefined | null {
  const d = r.request.destination;
  const label = /^destination\.labels\[(.+)\]$/.exec(key);
  if (label) return d.labels[label[1]];
  const header = /^request\.headers\[(.+)\]$/.exec(key);
  if (header) return r.request.headers?.[header[1].toLowerCase()];
  switch (key) {
    case 'destination.port': return String(d.port);
    case 'destination.namespace': return d.namespace;
    case 'destination.ip': return d.ip;
    case 'destination.user': return r.destinationUser;
    default:
      notes.push(`constraint key ${key} is not modeled; the rule does not match`);
      return null;
  }
}

/** Whether a binding subject covers the request. */
export function subjectMatches(s: RbacSubject, r: LegacyRbacRequest, notes: string[], v1beta1 = false): boolean {
  const req = r.request;
  const http = req.protocol === 'HTTP';
  // pilot 1.4 Principal.ValidateForTCP: group (even `*`), groups, request.* and source.user properties.
  const httpOnly = (s.group !== undefined && s.group !== '') || s.groups.length > 0 || s.notGroups.length > 0
    || Object.keys(s.properties).some((k) => k.startsWith('request.') || k === 'source.user');
  if (!http && httpOnly) return false;
  const principal = r.principal;
  const namespace = principal ? principalNamespace(principal) : undefined;
  if (s.user !== undefined && s.user !== '' && !principalMatches(s.user, principal)) return false;
  const groups = claimValues(r.claims, 'groups');
  if (s.group !== undefined && s.group !== '' && !groups.some((g) => legacyValueMatches(s.group ?? '', g))) return false;
  if (s.names.length > 0 && !s.names.some((p) => principalMatches(p, principal, v1beta1))) return false;
  if (s.notNames.length > 0 && s.notNames.some((p) => principalMatches(p, principal))) return false;
  if (s.groups.length > 0 && !s.groups.some((p) => groups.some((g) => legacyValueMatches(p, g)))) return false;
  if (s.notGroups.length > 0 && s.notGroups.some((p) => groups.some((g) => legacyValueMatches(p, g)))) return false;
  if (s.namespaces.length > 0 && !anyMatch(s.namespaces, namespace)) return false;
  if (s.notNamespaces.length > 0 && anyMatch(s.notNamespaces, namespace)) return false;
  if (s.ips.length > 0 && !s.ips.some((ip) => ipMatches(ip, req.source.ip))) return false;
  if (s.notIps.length > 0 && s.notIps.some((ip) => ipMatches(ip, req.source.ip))) return false;
  for (const [key, value] of Object.entries(s.properties)) {
    if (!propertyMatches(key, value, r, namespace, notes, v1beta1)) return false;
  }
  return true;
}

function propertyMatches(key: string, pattern: string, r: LegacyRbacRequest, namespace: string | undefined, notes: string[],
  v1beta1: boolean): boolean {
  const claim = /^request\.auth\.claims\[(.+)\]$/.exec(key);
  if (claim) return claimValues(r.claims, claim[1]).some((v) => legacyValueMatches(pattern, v));
  const header = /^request\.headers\[(.+)\]$/.exec(key);
  if (header) return legacyValueMatches(pattern, r.request.headers?.[header[1].toLowerCase()]);
  switch (key) {
    case 'source.principal': return principalMatches(pattern, r.principal, v1beta1);
    case 'source.user': return legacyValueMatches(pattern, r.principal);
    case 'source.namespace': return legacyValueMatches(pattern, namespace);
    case 'source.ip': return pattern === '*' || ipMatches(pattern, r.request.source.ip);
    case 'request.auth.principal': return legacyValueMatches(pattern, r.origin);
    case 'request.auth.audiences': return claimValues(r.claims, 'aud').some((v) => legacyValueMatches(pattern, v));
    case 'request.auth.presenter': return legacyValueMatches(pattern, typeof r.claims?.azp === 'string' ? r.claims.azp : undefined);
    default:
      notes.push(`binding property ${key} is not modeled; the subject does not match`);
      return false;
  }
}

/** A claim's values: a string, or the strings of a list. */
export function claimValues(claims: Readonly<Record<string, unknown>> | undefined, name: string): string[] {
  const v = claims?.[name];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

function ipMatches(pattern: string, ip: string): boolean {
  const addr = parseIp(ip);
  if (!addr) return false;
  const range = parseCidr(pattern.includes('/') ? pattern : `${pattern}/${pattern.includes(':') ? 128 : 32}`);
  return range !== undefined && cidrContains(range, addr);
}

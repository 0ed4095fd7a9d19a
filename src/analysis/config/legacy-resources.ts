/**
 * Typing of the pre-1.6 security kinds: `authentication.istio.io/v1alpha1` Policy and MeshPolicy,
 * `rbac.istio.io/v1alpha1` RbacConfig, ClusterRbacConfig, ServiceRole and ServiceRoleBinding
 * (protos: istio/api 1.0–1.4 `authentication/v1alpha1/policy.proto`, `rbac/v1alpha1/rbac.proto`;
 * schemas: the 1.5.10 CRDs). Malformed objects become `TM_LEGACY_POLICY_INVALID` error diagnostics
 * at the field's `file:line:column`; the object is then left out.
 *
 * @module
 */
import { LoadedObject, TypedObject } from './istio-config';
import { FieldPath, fieldString } from './yaml-source';
import { Diagnostic } from '../../errors';
import { isRecord } from '../../private/records';
import { isIstioDnsLabel } from '../../validate/webhook/istio-syntax';

/** `StringMatch` (policy.proto): exactly one of exact, prefix, suffix, regex. */
export type LegacyStringMatch = { readonly exact: string } | { readonly prefix: string } | { readonly suffix: string } | { readonly regex: string };

/** `Jwt.TriggerRule`. */
export interface LegacyTriggerRule {
  readonly excludedPaths: readonly LegacyStringMatch[];
  readonly includedPaths: readonly LegacyStringMatch[];
}

/** `Jwt` of `origins[].jwt` (or, refused by the converter, `peers[].jwt`). */
export interface LegacyJwt {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwksUri?: string;
  readonly jwks?: string;
  readonly jwtHeaders: readonly string[];
  readonly jwtParams: readonly string[];
  readonly triggerRules: readonly LegacyTriggerRule[];
}

/** `PeerAuthenticationMethod`: `mtls` (an empty `mtls: {}` is STRICT, the enum's zero) or `jwt`. */
export type LegacyPeer = { readonly kind: 'mtls'; readonly mode: 'STRICT' | 'PERMISSIVE' } | { readonly kind: 'jwt'; readonly jwt: LegacyJwt };

/** `TargetSelector`: a short service name and service ports (by number or name). */
export interface LegacyTarget {
  readonly name: string;
  readonly ports: readonly ({ readonly number: number } | { readonly name: string })[];
}

/** Policy / MeshPolicy `spec`. */
export interface LegacyAuthnSpec {
  readonly targets: readonly LegacyTarget[];
  readonly peers: readonly LegacyPeer[];
  readonly peerIsOptional: boolean;
  readonly origins: readonly LegacyJwt[];
  readonly originIsOptional: boolean;
  /** @default 'USE_PEER' */
  readonly principalBinding: 'USE_PEER' | 'USE_ORIGIN';
}

/** RbacConfig `mode`. */
export type RbacMode = 'OFF' | 'ON' | 'ON_WITH_INCLUSION' | 'ON_WITH_EXCLUSION';

/** `RbacConfig.Target`. */
export interface RbacTarget {
  readonly services: readonly string[];
  readonly namespaces: readonly string[];
}

/** RbacConfig / ClusterRbacConfig `spec`. */
export interface RbacConfigSpec {
  readonly mode: RbacMode;
  readonly inclusion: RbacTarget;
  readonly exclusion: RbacTarget;
  /** @default 'ENFORCED' */
  readonly enforcementMode: 'ENFORCED' | 'PERMISSIVE';
}

/** `AccessRule.Constraint`. */
export interface RbacConstraint {
  readonly key: string;
  readonly values: readonly string[];
}

/** `AccessRule` (hidden fields included: hosts, not_*, ports). */
export interface RbacAccessRule {
  readonly services: readonly string[];
  readonly hosts: readonly string[];
  readonly notHosts: readonly string[];
  readonly paths: readonly string[];
  readonly notPaths: readonly string[];
  readonly methods: readonly string[];
  readonly notMethods: readonly string[];
  readonly ports: readonly number[];
  readonly notPorts: readonly number[];
  readonly constraints: readonly RbacConstraint[];
}

/** ServiceRole `spec`. */
export interface ServiceRoleSpec {
  readonly rules: readonly RbacAccessRule[];
}

/** `Subject` (deprecated `group` and hidden name/group/namespace/ip lists included). */
export interface RbacSubject {
  readonly user?: string;
  readonly group?: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly names: readonly string[];
  readonly notNames: readonly string[];
  readonly groups: readonly string[];
  readonly notGroups: readonly string[];
  readonly namespaces: readonly string[];
  readonly notNamespaces: readonly string[];
  readonly ips: readonly string[];
  readonly notIps: readonly string[];
}

/** ServiceRoleBinding `spec`. */
export interface ServiceRoleBindingSpec {
  readonly subjects: readonly RbacSubject[];
  readonly roleRef: { readonly kind: string; readonly name: string };
  /** `mode: PERMISSIVE` (hidden): the binding is logged, not enforced. */
  readonly mode: 'ENFORCED' | 'PERMISSIVE';
}

export type LegacyAuthnResource = TypedObject<'Policy' | 'MeshPolicy', LegacyAuthnSpec>;
export type RbacConfigResource = TypedObject<'RbacConfig' | 'ClusterRbacConfig', RbacConfigSpec>;
export type ServiceRoleResource = TypedObject<'ServiceRole', ServiceRoleSpec>;
export type ServiceRoleBindingResource = TypedObject<'ServiceRoleBinding', ServiceRoleBindingSpec>;

/** The legacy objects of a config. */
export interface LegacyPolicies {
  readonly authn: readonly LegacyAuthnResource[];
  readonly rbacConfigs: readonly RbacConfigResource[];
  readonly roles: readonly ServiceRoleResource[];
  readonly bindings: readonly ServiceRoleBindingResource[];
}

/** `<apiVersion>/<kind>` of every legacy kind. */
export const LEGACY_KINDS: ReadonlySet<string> = new Set([
  'authentication.istio.io/v1alpha1/Policy', 'authentication.istio.io/v1alpha1/MeshPolicy',
  'rbac.istio.io/v1alpha1/ServiceRole', 'rbac.istio.io/v1alpha1/ServiceRoleBinding',
  'rbac.istio.io/v1alpha1/ClusterRbacConfig', 'rbac.istio.io/v1alpha1/RbacConfig',
]);

/** True when the config holds no legacy object. */
export function noLegacyPolicies(l: LegacyPolicies): boolean {
  return l.authn.length === 0 && l.rbacConfigs.length === 0 && l.roles.length === 0 && l.bindings.length === 0;
}

class Checker {
  public readonly diagnostics: Diagnostic[] = [];
  public constructor(private readonly obj: LoadedObject) {}

  public error(path: FieldPath, message: string, fix?: string): void {
    this.diagnostics.push({
      code: 'TM_LEGACY_POLICY_INVALID',
      severity: 'error',
      message: `${this.obj.kind} ${this.obj.metadata.namespace ? `${this.obj.metadata.namespace}/` : ''}${this.obj.metadata.name}: ${message}`,
      location: this.obj.locate(path),
      fix,
    });
  }

  public record(v: unknown, path: FieldPath, allowed: readonly string[]): Record<string, unknown> {
    if (v === undefined || v === null) return {};
    if (!isRecord(v)) {
      this.error(path, `${fieldString(path) || 'spec'} must be an object, got ${JSON.stringify(v)}`);
      return {};
    }
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) this.error([...path, k], `unknown field "${k}" in ${fieldString(path) || 'the object'}`, `Allowed: ${allowed.join(', ')}.`);
    }
    return v;
  }

  public list(v: unknown, path: FieldPath): readonly unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.error(path, `${fieldString(path)} must be a list, got ${JSON.stringify(v)}`, 'Write it as a YAML list.');
      return [];
    }
    return v;
  }

  public strings(v: unknown, path: FieldPath): string[] {
    const out: string[] = [];
    this.list(v, path).forEach((x, i) => {
      if (typeof x === 'string') out.push(x);
      else this.error([...path, i], `${fieldString([...path, i])} must be a string, got ${JSON.stringify(x)}`, typeof x === 'number' ? `Quote it: "${x}".` : undefined);
    });
    return out;
  }

  public ints(v: unknown, path: FieldPath): number[] {
    const out: number[] = [];
    this.list(v, path).forEach((x, i) => {
      if (typeof x === 'number' && Number.isInteger(x)) out.push(x);
      else this.error([...path, i], `${fieldString([...path, i])} must be an integer, got ${JSON.stringify(x)}`);
    });
    return out;
  }

  public string(v: unknown, path: FieldPath): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    this.error(path, `${fieldString(path)} must be a string, got ${JSON.stringify(v)}`);
    return undefined;
  }

  public bool(v: unknown, path: FieldPath): boolean {
    if (v === undefined || v === null) return false;
    if (typeof v === 'boolean') return v;
    this.error(path, `${fieldString(path)} must be true or false, got ${JSON.stringify(v)}`);
    return false;
  }

  public oneOf<T extends string>(v: unknown, path: FieldPath, allowed: readonly T[], dflt: T): T {
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.error(path, `${fieldString(path)} is ${JSON.stringify(v)}`, `Use one of ${allowed.join(', ')}.`);
    return dflt;
  }
}

/** Types one legacy object; `resource` is undefined when it has errors. */
export function toLegacyResource(obj: LoadedObject): { resource?: LoadedObject & { spec: unknown }; diagnostics: Diagnostic[] } {
  const c = new Checker(obj);
  const spec = c.record(obj.body.spec, ['spec'], specFields(obj.kind));
  let typed: unknown;
  if (obj.kind === 'Policy' || obj.kind === 'MeshPolicy') typed = authnSpec(c, spec, obj);
  else if (obj.kind === 'RbacConfig' || obj.kind === 'ClusterRbacConfig') typed = rbacConfigSpec(c, spec, obj);
  else if (obj.kind === 'ServiceRole') typed = roleSpec(c, spec);
  else typed = bindingSpec(c, spec);
  if (c.diagnostics.length > 0) return { diagnostics: c.diagnostics };
  return { resource: { ...obj, spec: typed }, diagnostics: [] };
}

/** Splits typed legacy objects by kind. */
export function legacyPoliciesOf(resources: readonly (LoadedObject & { spec: unknown })[]): LegacyPolicies {
  return {
    authn: resources.filter((r) => r.kind === 'Policy' || r.kind === 'MeshPolicy') as LegacyAuthnResource[],
    rbacConfigs: resources.filter((r) => r.kind === 'RbacConfig' || r.kind === 'ClusterRbacConfig') as RbacConfigResource[],
    roles: resources.filter((r) => r.kind === 'ServiceRole') as ServiceRoleResource[],
    bindings: resources.filter((r) => r.kind === 'ServiceRoleBinding') as ServiceRoleBindingResource[],
  };
}

function specFields(kind: string): string[] {
  switch (kind) {
    case 'Policy': case 'MeshPolicy': return ['targets', 'peers', 'peerIsOptional', 'origins', 'originIsOptional', 'principalBinding'];
    case 'RbacConfig': case 'ClusterRbacConfig': return ['mode', 'inclusion', 'exclusion', 'enforcementMode', 'enforcement_mode'];
    case 'ServiceRole': return ['rules'];
    default: return ['subjects', 'roleRef', 'mode', 'actions', 'role'];
  }
}

function authnSpec(c: Checker, spec: Record<string, unknown>, obj: LoadedObject): LegacyAuthnSpec {
  const targets = c.list(spec.targets, ['spec', 'targets']).map((t, i): LegacyTarget => {
    const at = ['spec', 'targets', i];
    const r = c.record(t, at, ['name', 'ports', 'labels']);
    const name = c.string(r.name, [...at, 'name']) ?? '';
    if (name === '') c.error([...at, 'name'], 'a target needs the short name of a Service', 'Set name: <service name>.');
    else if (!isIstioDnsLabel(name)) c.error([...at, 'name'], `target name "${name}" must be a valid label (istiod 1.4 validateAuthNPolicyTarget)`, 'Name the Service by its short name, not its host name.');
    const ports = c.list(r.ports, [...at, 'ports']).map((p, j) => {
      const pr = c.record(p, [...at, 'ports', j], ['number', 'name']);
      if (typeof pr.number === 'number' && Number.isInteger(pr.number) && pr.number > 0 && pr.number < 65536) return { number: pr.number };
      if (typeof pr.name === 'string' && pr.name !== '') return { name: pr.name };
      c.error([...at, 'ports', j], 'a target port needs number (1-65535) or name');
      return { number: 0 };
    });
    return { name, ports };
  });
  const peers = c.list(spec.peers, ['spec', 'peers']).map((p, i): LegacyPeer => {
    const at = ['spec', 'peers', i];
    const r = c.record(p, at, ['mtls', 'jwt']);
    if ('jwt' in r) return { kind: 'jwt', jwt: jwt(c, r.jwt, [...at, 'jwt']) };
    if (!('mtls' in r)) c.error(at, 'a peer method needs mtls or jwt');
    const m = c.record(r.mtls, [...at, 'mtls'], ['mode', 'allowTls']);
    // STRICT is MutualTls.Mode's zero value, so `mtls: {}` (or `mtls: null`) is STRICT.
    return { kind: 'mtls', mode: c.oneOf(m.mode, [...at, 'mtls', 'mode'], ['STRICT', 'PERMISSIVE'] as const, 'STRICT') };
  });
  const origins = c.list(spec.origins, ['spec', 'origins']).map((o, i) => {
    const r = c.record(o, ['spec', 'origins', i], ['jwt']);
    return jwt(c, r.jwt, ['spec', 'origins', i, 'jwt']);
  });
  // 1.4 ValidateAuthenticationPolicy: an issuer appears once across peers' and origins' jwts.
  const issuers = new Set<string>();
  const jwtsAt: [LegacyJwt, FieldPath][] = [
    ...peers.flatMap((p, i): [LegacyJwt, FieldPath][] => (p.kind === 'jwt' ? [[p.jwt, ['spec', 'peers', i, 'jwt', 'issuer']]] : [])),
    ...origins.map((o, i): [LegacyJwt, FieldPath] => [o, ['spec', 'origins', i, 'jwt', 'issuer']]),
  ];
  for (const [j, at] of jwtsAt) {
    if (issuers.has(j.issuer)) c.error(at, `jwt with issuer "${j.issuer}" already defined (istiod 1.4 rejects the Policy)`, 'List each issuer once.');
    issuers.add(j.issuer);
  }
  const out: LegacyAuthnSpec = {
    targets,
    peers,
    origins,
    peerIsOptional: c.bool(spec.peerIsOptional, ['spec', 'peerIsOptional']),
    originIsOptional: c.bool(spec.originIsOptional, ['spec', 'originIsOptional']),
    principalBinding: c.oneOf(spec.principalBinding, ['spec', 'principalBinding'], ['USE_PEER', 'USE_ORIGIN'] as const, 'USE_PEER'),
  };
  // Naming rules of 1.4 ValidateAuthenticationPolicy: MeshPolicy and target-less Policies are `default`.
  if (obj.kind === 'MeshPolicy' && (obj.metadata.name !== 'default' || targets.length > 0)) {
    c.error(['metadata', 'name'], `a MeshPolicy must be named "default" and have no targets (got "${obj.metadata.name}"${targets.length > 0 ? ' with targets' : ''})`, 'Rename it to default and drop its targets.');
  } else if (obj.kind === 'Policy' && targets.length === 0 && obj.metadata.name !== 'default') {
    c.error(['metadata', 'name'], `a namespace-wide Policy (no targets) must be named "default", got "${obj.metadata.name}"`, 'Rename it to default, or add targets.');
  } else if (obj.kind === 'Policy' && targets.length > 0 && obj.metadata.name === 'default') {
    c.error(['spec', 'targets'], 'a Policy named "default" must not have targets', 'Give it another name, or drop its targets.');
  }
  return out;
}

function jwt(c: Checker, v: unknown, at: FieldPath): LegacyJwt {
  const r = c.record(v, at, ['issuer', 'audiences', 'jwksUri', 'jwks_uri', 'jwks', 'jwtHeaders', 'jwt_headers', 'jwtParams', 'jwt_params', 'triggerRules', 'trigger_rules']);
  const issuer = c.string(r.issuer, [...at, 'issuer']) ?? '';
  if (issuer === '') c.error([...at, 'issuer'], 'a jwt needs an issuer');
  const jwksUri = c.string(r.jwksUri ?? r.jwks_uri, [...at, 'jwksUri']);
  const jwks = c.string(r.jwks, [...at, 'jwks']);
  const triggerRules = c.list(r.triggerRules ?? r.trigger_rules, [...at, 'triggerRules']).map((t, i) => {
    const tr = c.record(t, [...at, 'triggerRules', i], ['excludedPaths', 'includedPaths', 'excluded_paths', 'included_paths']);
    const matches = (key: 'excludedPaths' | 'includedPaths', alt: string): LegacyStringMatch[] =>
      c.list(tr[key] ?? tr[alt], [...at, 'triggerRules', i, key]).map((m, j) => stringMatch(c, m, [...at, 'triggerRules', i, key, j]));
    return { excludedPaths: matches('excludedPaths', 'excluded_paths'), includedPaths: matches('includedPaths', 'included_paths') };
  });
  if (jwksUri !== undefined && jwksUri !== '' && !/^https?:\/\/[^/]/.test(jwksUri)) {
    c.error([...at, 'jwksUri'], `jwksUri "${jwksUri}" must be an http or https URL (istiod 1.4 ParseJwksURI)`, 'Give the URL the key set is published at.');
  }
  const nonEmpty = (list: string[], field: string, what: string): string[] => {
    list.forEach((value, i) => {
      if (value === '') c.error([...at, field, i], `${what} must be non-empty string (istiod 1.4 validateJwt)`, `Remove the empty ${what}.`);
    });
    return list;
  };
  return {
    issuer,
    audiences: nonEmpty(c.strings(r.audiences, [...at, 'audiences']), 'audiences', 'audience'),
    ...(jwksUri !== undefined ? { jwksUri } : {}),
    ...(jwks !== undefined ? { jwks } : {}),
    jwtHeaders: nonEmpty(c.strings(r.jwtHeaders ?? r.jwt_headers, [...at, 'jwtHeaders']), 'jwtHeaders', 'location header'),
    jwtParams: nonEmpty(c.strings(r.jwtParams ?? r.jwt_params, [...at, 'jwtParams']), 'jwtParams', 'location query'),
    triggerRules,
  };
}

function stringMatch(c: Checker, v: unknown, at: FieldPath): LegacyStringMatch {
  const r = c.record(v, at, ['exact', 'prefix', 'suffix', 'regex']);
  const keys = Object.keys(r).filter((k) => typeof r[k] === 'string');
  if (keys.length !== 1) {
    c.error(at, `a StringMatch needs exactly one of exact, prefix, suffix, regex (got ${keys.length === 0 ? 'none' : keys.join(', ')})`);
    return { exact: '' };
  }
  return { [keys[0]]: r[keys[0]] } as LegacyStringMatch;
}

function rbacConfigSpec(c: Checker, spec: Record<string, unknown>, obj: LoadedObject): RbacConfigSpec {
  // 1.4 checkRbacConfig: the singleton is `default`; an inclusion/exclusion mode needs its list.
  if (obj.metadata.name !== 'default') {
    c.error(['metadata', 'name'], `${obj.kind} has invalid name(${obj.metadata.name}), name must be "default"`, `Rename it to default: Istio reads only that ${obj.kind}.`);
  }
  for (const [mode, key] of [['ON_WITH_INCLUSION', 'inclusion'], ['ON_WITH_EXCLUSION', 'exclusion']] as const) {
    if (spec.mode === mode && (spec[key] === undefined || spec[key] === null)) {
      c.error(['spec', key], `${key} cannot be null under mode ${mode} (istiod 1.4 rejects it)`, `Write ${key}: {} for none, or list the namespaces and services.`);
    }
  }
  const target = (key: 'inclusion' | 'exclusion'): RbacTarget => {
    const r = c.record(spec[key], ['spec', key], ['services', 'namespaces']);
    return { services: c.strings(r.services, ['spec', key, 'services']), namespaces: c.strings(r.namespaces, ['spec', key, 'namespaces']) };
  };
  return {
    mode: c.oneOf(spec.mode, ['spec', 'mode'], ['OFF', 'ON', 'ON_WITH_INCLUSION', 'ON_WITH_EXCLUSION'] as const, 'OFF'),
    inclusion: target('inclusion'),
    exclusion: target('exclusion'),
    enforcementMode: c.oneOf(spec.enforcementMode ?? spec.enforcement_mode, ['spec', 'enforcementMode'], ['ENFORCED', 'PERMISSIVE'] as const, 'ENFORCED'),
  };
}

const RULE_FIELDS = ['services', 'hosts', 'notHosts', 'not_hosts', 'paths', 'notPaths', 'not_paths', 'methods', 'notMethods', 'not_methods',
  'ports', 'notPorts', 'not_ports', 'constraints'];

function roleSpec(c: Checker, spec: Record<string, unknown>): ServiceRoleSpec {
  const rules = c.list(spec.rules, ['spec', 'rules']).map((x, i): RbacAccessRule => {
    const at = ['spec', 'rules', i];
    const r = c.record(x, at, RULE_FIELDS);
    const s = (k: string, alt?: string): string[] => c.strings(r[k] ?? (alt ? r[alt] : undefined), [...at, k]);
    const services = s('services');
    if (services.length === 0) c.error([...at, 'services'], 'an access rule needs services (required in rbac.proto)', 'List service FQDNs, or "*" for every service of the namespace.');
    const constraints = c.list(r.constraints, [...at, 'constraints']).map((k, j) => {
      const cr = c.record(k, [...at, 'constraints', j], ['key', 'values']);
      const key = c.string(cr.key, [...at, 'constraints', j, 'key']) ?? '';
      if (key === '') c.error([...at, 'constraints', j, 'key'], 'a constraint needs a key');
      return { key, values: c.strings(cr.values, [...at, 'constraints', j, 'values']) };
    });
    const ports = c.ints(r.ports, [...at, 'ports']);
    const notPorts = c.ints(r.notPorts ?? r.not_ports, [...at, 'notPorts']);
    roleRuleChecks(c, at, i, { methods: s('methods'), notMethods: s('notMethods', 'not_methods'), ports, notPorts, constraints });
    return {
      services,
      hosts: s('hosts'),
      notHosts: s('notHosts', 'not_hosts'),
      paths: s('paths'),
      notPaths: s('notPaths', 'not_paths'),
      methods: s('methods'),
      notMethods: s('notMethods', 'not_methods'),
      ports,
      notPorts,
      constraints,
    };
  });
  if (rules.length === 0 && spec.rules !== undefined) c.error(['spec', 'rules'], 'a ServiceRole needs at least one rule');
  return { rules };
}

/** 1.4 ValidateServiceRole's per-rule checks (beyond the typing above). */
function roleRuleChecks(c: Checker, at: FieldPath, i: number, r: Pick<RbacAccessRule, 'methods' | 'notMethods' | 'ports' | 'notPorts' | 'constraints'>): void {
  for (const [field, not] of [['methods', 'notMethods'], ['ports', 'notPorts']] as const) {
    if (r[field].length > 0 && r[not].length > 0) {
      c.error([...at, not], `cannot have both regular and *not* attributes for the same kind (i.e. ${field} and ${not}) for rule ${i}`, `Keep ${field} or ${not}; split the rule in two otherwise.`);
    }
  }
  for (const field of ['ports', 'notPorts'] as const) {
    r[field].forEach((port, j) => {
      if (port < 0 || port > 65535) c.error([...at, field, j], `port ${port} is not in the range of [0, 65535]`);
    });
  }
  r.constraints.forEach((k, j) => {
    if (k.values.length === 0) c.error([...at, 'constraints', j, 'values'], `at least 1 value must be specified for constraint ${j} in rule ${i}`);
    if (k.key === 'destination.port' && (r.ports.length > 0 || r.notPorts.length > 0)) {
      c.error([...at, 'constraints', j, 'key'], `cannot define destination.port for rule ${i} because a similar first-class field (ports) has been defined`, 'Keep the ports in ports or notPorts only.');
    }
  });
}

const SUBJECT_FIELDS = ['user', 'group', 'properties', 'names', 'notNames', 'not_names', 'groups', 'notGroups', 'not_groups', 'namespaces',
  'notNamespaces', 'not_namespaces', 'ips', 'notIps', 'not_ips'];

const PROPERTY_TWINS: Readonly<Record<string, 'names' | 'groups' | 'namespaces' | 'ips'>> = {
  'source.principal': 'names', 'request.auth.claims[groups]': 'groups', 'source.namespace': 'namespaces', 'source.ip': 'ips',
};

/** 1.4 checkServiceRoleBinding's per-subject checks. */
function subjectChecks(c: Checker, at: FieldPath, i: number, s: RbacSubject): void {
  const lists = [s.names, s.notNames, s.groups, s.notGroups, s.namespaces, s.notNamespaces, s.ips, s.notIps];
  if (!s.user && !s.group && Object.keys(s.properties).length === 0 && lists.every((l) => l.length === 0)) {
    c.error(at, `empty subjects are not allowed. Found an empty subject at index ${i}`, 'Give it a user (user: "*" for anyone) or properties.');
  }
  for (const key of Object.keys(s.properties)) {
    const twin = PROPERTY_TWINS[key];
    if (twin !== undefined && s[twin].length > 0) {
      c.error([...at, 'properties', key], `cannot define ${key} for binding ${i} because a similar first-class field (${twin}) has been defined`, `Keep the values in ${twin} or in properties, not both.`);
    }
  }
  for (const field of ['names', 'notNames'] as const) {
    if (s[field].includes('*')) c.error([...at, field], `do not use * for names or not_names (in subject ${i})`, 'Use user: "*" (anyone) or properties source.principal: "*" (any authenticated peer).');
  }
}

function bindingSpec(c: Checker, spec: Record<string, unknown>): ServiceRoleBindingSpec {
  const subjects = c.list(spec.subjects, ['spec', 'subjects']).map((x, i): RbacSubject => {
    const at = ['spec', 'subjects', i];
    const r = c.record(x, at, SUBJECT_FIELDS);
    const s = (k: string, alt: string): string[] => c.strings(r[k] ?? r[alt], [...at, k]);
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(c.record(r.properties, [...at, 'properties'], Object.keys(isRecord(r.properties) ? r.properties : {})))) {
      if (typeof v === 'string') props[k] = v;
      else c.error([...at, 'properties', k], `property ${k} must be a string, got ${JSON.stringify(v)}`, `Quote it: "${String(v)}".`);
    }
    const user = c.string(r.user, [...at, 'user']);
    const group = c.string(r.group, [...at, 'group']);
    const subject: RbacSubject = {
      ...(user !== undefined ? { user } : {}),
      ...(group !== undefined ? { group } : {}),
      properties: props,
      names: c.strings(r.names, [...at, 'names']),
      notNames: s('notNames', 'not_names'),
      groups: c.strings(r.groups, [...at, 'groups']),
      notGroups: s('notGroups', 'not_groups'),
      namespaces: c.strings(r.namespaces, [...at, 'namespaces']),
      notNamespaces: s('notNamespaces', 'not_namespaces'),
      ips: c.strings(r.ips, [...at, 'ips']),
      notIps: s('notIps', 'not_ips'),
    };
    subjectChecks(c, at, i, subject);
    return subject;
  });
  if (subjects.length === 0) c.error(['spec', 'subjects'], 'a ServiceRoleBinding needs at least one subject');
  if (spec.actions !== undefined || spec.role !== undefined) {
    c.error(['spec', spec.actions !== undefined ? 'actions' : 'role'], 'inline actions / role (hidden 1.4 fields) are not supported', 'Use roleRef to a ServiceRole.');
  }
  const ref = c.record(spec.roleRef, ['spec', 'roleRef'], ['kind', 'name']);
  const kind = c.string(ref.kind, ['spec', 'roleRef', 'kind']) ?? '';
  const name = c.string(ref.name, ['spec', 'roleRef', 'name']) ?? '';
  if (kind !== 'ServiceRole') c.error(['spec', 'roleRef', 'kind'], `roleRef.kind must be ServiceRole, got ${JSON.stringify(kind)}`);
  if (name === '') c.error(['spec', 'roleRef', 'name'], 'roleRef.name is required');
  return { subjects, roleRef: { kind, name }, mode: c.oneOf(spec.mode, ['spec', 'mode'], ['ENFORCED', 'PERMISSIVE'] as const, 'ENFORCED') };
}

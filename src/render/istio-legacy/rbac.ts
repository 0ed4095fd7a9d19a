/**
 * `rbac.istio.io/v1alpha1`: ClusterRbacConfig (RbacConfig on 1.0) switches enforcement on where
 * the v1 output would deny by default — a namespace whose default access is DENY, or a service
 * with ALLOW intentions (a workload with an ALLOW policy denies what no rule allows) — and one
 * ServiceRole + ServiceRoleBinding per distinct access rule of a service lists who may do it.
 *
 * @module
 */
import { assertLegacySupports, legacyCannotExpress } from './legacy-errors';
import { LegacyNames } from './legacy-names';
import { istioApiVersion } from '../../model/api-version';
import { EndUserRequirement, IntentionSpec, PeerSpec } from '../../model/intention';
import { IstioFeature, IstioVersion, supports } from '../../model/istio-version';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';
import { canonicalJson } from '../../private/canonical-json';
import { formatPrincipal } from '../../semantics/principal';
import { IstioManifest, sortedStrings, sortUniqueByJson } from '../istio/manifest';

/** The RBAC kind of the target: the namespaced RbacConfig on 1.0, ClusterRbacConfig from 1.1. */
export function rbacConfigKind(model: Pick<MeshModel, 'spec'>): 'RbacConfig' | 'ClusterRbacConfig' {
  return supports(model.spec.istioVersion, IstioFeature.CLUSTER_RBAC_CONFIG) ? 'ClusterRbacConfig' : 'RbacConfig';
}

/** The services' hostname as RBAC writes it. */
function host(model: MeshModel, service: ServiceSpec): string {
  return `${service.name}.${service.namespace}.svc.${model.spec.clusterDomain}`;
}

/** The ALLOW intentions towards a service; DENY, AUDIT and dry-run ones are refused (the legacy API has only ALLOW). */
export function allowIntentions(model: MeshModel, service: ServiceSpec): IntentionSpec[] {
  const where = `intentions towards ${service.namespace}/${service.name}`;
  const version = model.spec.istioVersion;
  const intentions = model.intentionsFor(service);
  for (const i of intentions) {
    if (i.action === 'DENY') assertLegacySupports(version, IstioFeature.DENY_ACTION, where);
    if (i.action === 'AUDIT') assertLegacySupports(version, IstioFeature.AUDIT_ACTION, where);
    if (i.enforcement === 'DRY_RUN') assertLegacySupports(version, IstioFeature.DRY_RUN, where);
  }
  return [...intentions];
}

/**
 * The mesh's (Cluster)RbacConfig `default`: ON when the mesh and every namespace deny by default;
 * else ON_WITH_INCLUSION listing the denying namespaces and the services with intentions in the
 * others; OFF when nothing is enforced.
 */
export function renderRbacConfig(model: MeshModel): IstioManifest {
  const kind = rbacConfigKind(model);
  const namespaces = model.spec.namespaces.map((ns) => ns.name);
  const denying = namespaces.filter((ns) => model.effectiveAccess(ns) === 'DENY');
  const services = model.spec.services
    .filter((s) => model.effectiveAccess(s.namespace) !== 'DENY' && model.intentionsFor(s).length > 0)
    .map((s) => host(model, s));
  let spec: Record<string, unknown>;
  if (model.spec.defaultAccess === 'DENY' && denying.length === namespaces.length) {
    spec = { mode: 'ON' };
  } else if (denying.length + services.length === 0) {
    spec = { mode: 'OFF' };
  } else {
    const inclusion: Record<string, string[]> = {};
    if (denying.length > 0) inclusion.namespaces = sortedStrings(denying);
    if (services.length > 0) inclusion.services = sortedStrings(services);
    spec = { mode: 'ON_WITH_INCLUSION', inclusion };
  }
  return {
    apiVersion: istioApiVersion(kind, model.spec.istioVersion),
    kind,
    metadata: { name: LegacyNames.default, namespace: kind === 'RbacConfig' ? model.spec.rootNamespace : '' },
    spec,
  };
}

/** One ServiceRole rule (AccessRule) with the subjects that may use it. */
interface RoleGroup {
  readonly rule: Record<string, unknown>;
  readonly subjects: Record<string, unknown>[];
}

/**
 * Intentions that get one role: the same match (lists compared as sets). Known from the
 * declarations alone, so the constructs can declare the roles before the model exists.
 */
function roleKey(intention: IntentionSpec): string {
  const m = intention.match;
  const sorted = (l?: readonly string[]): string[] | undefined => (l && l.length > 0 ? sortedStrings(l) : undefined);
  const ports = (l?: readonly number[]): number[] | undefined => (l && l.length > 0 ? [...new Set(l)].sort((a, b) => a - b) : undefined);
  const headers = (m.headers ?? []).map((h) => ({ name: h.name.toLowerCase(), values: sorted(h.values), notValues: sorted(h.notValues) }));
  return canonicalJson({
    ports: ports(m.ports),
    notPorts: ports(m.notPorts),
    methods: sorted(m.methods),
    notMethods: sorted(m.notMethods),
    paths: sorted(m.paths),
    notPaths: sorted(m.notPaths),
    hosts: sorted(m.hosts),
    notHosts: sorted(m.notHosts),
    headers: headers.length > 0 ? sortUniqueByJson(headers) : undefined,
  });
}

/** The ALLOW intentions grouped by role, in role order. */
function roleGroupsOf(intentions: readonly IntentionSpec[]): IntentionSpec[][] {
  const groups = new Map<string, IntentionSpec[]>();
  for (const i of intentions) {
    if (i.action !== 'ALLOW') continue;
    const key = roleKey(i);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return [...groups.keys()].sort().map((k) => groups.get(k)!);
}

/** The ServiceRole names the intentions towards a service call for (one per distinct match). */
export function serviceRoleNames(service: string, intentions: readonly IntentionSpec[]): string[] {
  return roleGroupsOf(intentions).map((_, i) => LegacyNames.serviceRole(service, i + 1));
}

/** The roles of a service, in role order, each with its binding's subjects. */
function serviceRoleGroups(model: MeshModel, service: ServiceSpec): RoleGroup[] {
  const where = `intention towards ${service.namespace}/${service.name}`;
  return roleGroupsOf(allowIntentions(model, service)).map((intentions) => ({
    rule: accessRule(model, service, intentions[0]),
    subjects: sortUniqueByJson(intentions.flatMap((i) => subjects(model, service, i, where))),
  }));
}

/** The ServiceRoles of a service. */
export function renderServiceRoles(model: MeshModel, service: ServiceSpec): IstioManifest[] {
  return serviceRoleGroups(model, service).map((group, i) => ({
    apiVersion: istioApiVersion('ServiceRole', model.spec.istioVersion),
    kind: 'ServiceRole',
    metadata: { name: LegacyNames.serviceRole(service.name, i + 1), namespace: service.namespace },
    spec: { rules: [group.rule] },
  }));
}

/** The ServiceRoleBindings of a service, one per role. */
export function renderServiceRoleBindings(model: MeshModel, service: ServiceSpec): IstioManifest[] {
  return serviceRoleGroups(model, service).map((group, i) => {
    const role = LegacyNames.serviceRole(service.name, i + 1);
    return {
      apiVersion: istioApiVersion('ServiceRoleBinding', model.spec.istioVersion),
      kind: 'ServiceRoleBinding',
      metadata: { name: LegacyNames.serviceRoleBinding(role), namespace: service.namespace },
      spec: { subjects: group.subjects, roleRef: { kind: 'ServiceRole', name: role } },
    };
  });
}

/** The AccessRule of an intention: the service's host, its workload labels and what the intention matches. */
function accessRule(model: MeshModel, service: ServiceSpec, intention: IntentionSpec): Record<string, unknown> {
  const version = model.spec.istioVersion;
  const where = `intention towards ${service.namespace}/${service.name}`;
  const m = intention.match;
  const rule: Record<string, unknown> = { services: [host(model, service)] };
  const constraints: { key: string; values: string[] }[] = Object.keys(service.labels).sort()
    .map((k) => ({ key: `destination.labels[${k}]`, values: [service.labels[k]] }));
  const newer = (what: string, present: boolean): void => {
    if (present) assertLegacySupports(version, IstioFeature.RBAC_NOT_FIELDS, `${where} (${what})`);
  };
  newer('notPorts', (m.notPorts ?? []).length > 0);
  newer('notMethods', (m.notMethods ?? []).length > 0);
  // istiod 1.2+ refuses a rule with both a field and its not-field (ValidateServiceRole): an
  // intention with both keeps the listed values the not-field does not exclude.
  const notPorts = m.notPorts && m.notPorts.length > 0 ? model.targetPorts(service, m.notPorts) : [];
  if (m.ports && m.ports.length > 0) {
    const ports = listedMinusExcluded(model.targetPorts(service, m.ports), notPorts, 'ports', version, where);
    if (supports(version, IstioFeature.RBAC_NOT_FIELDS)) rule.ports = ports;
    else constraints.push({ key: 'destination.port', values: ports.map(String) });
  } else if (notPorts.length > 0) {
    rule.notPorts = notPorts;
  }
  if (m.methods && m.methods.length > 0) rule.methods = sortedStrings(listedMinusExcluded(m.methods, m.notMethods ?? [], 'methods', version, where));
  else if (m.notMethods && m.notMethods.length > 0) rule.notMethods = sortedStrings(m.notMethods);
  if (m.paths && m.paths.length > 0) rule.paths = sortedStrings(m.paths);
  newer('notPaths', (m.notPaths ?? []).length > 0);
  if (m.notPaths && m.notPaths.length > 0) rule.notPaths = sortedStrings(m.notPaths);
  if ((m.hosts ?? []).length + (m.notHosts ?? []).length > 0) {
    legacyCannotExpress(version, 'hosts and notHosts (case-insensitive host matching)', where);
  }
  for (const h of m.headers ?? []) {
    if (h.notValues && h.notValues.length > 0) legacyCannotExpress(version, `header "${h.name}" notValues`, where);
    constraints.push({ key: `request.headers[${h.name.toLowerCase()}]`, values: h.values && h.values.length > 0 ? sortedStrings(h.values) : ['*'] });
  }
  if (constraints.length > 0) rule.constraints = sortUniqueByJson(constraints);
  return rule;
}

/**
 * `listed` without the values `excluded` names (both given by one intention). When nothing is left
 * the intention matches no request, which an AccessRule cannot say: refused, naming 1.5 (where
 * v1beta1 writes both fields in one operation).
 */
function listedMinusExcluded<T extends string | number>(listed: readonly T[], excluded: readonly T[], field: 'ports' | 'methods',
  version: IstioVersion, where: string): T[] {
  const left = listed.filter((v) => !excluded.includes(v));
  if (left.length === 0) legacyCannotExpress(version, `${field} that its not${field[0].toUpperCase()}${field.slice(1)} all exclude (a rule that matches nothing)`, where);
  return left;
}

/** The subjects of an intention: its peer, and its end-user requirement in the same subject (AND). */
function subjects(model: MeshModel, service: ServiceSpec, intention: IntentionSpec, where: string): Record<string, unknown>[] {
  const peers = peerSubjects(model, intention.peer, service, where);
  if (!intention.endUser) return peers;
  const users = endUserProperties(intention.endUser, model, where);
  return peers.flatMap((peer) => users.map((props) => mergeSubject(peer, props)));
}

/** A peer subject AND end-user properties; the peer `user: '*'` (anyone) adds nothing then. */
function mergeSubject(subject: Record<string, unknown>, props: Record<string, string>): Record<string, unknown> {
  const properties = { ...(subject.properties as Record<string, string> | undefined), ...props };
  return subject.user !== undefined && subject.user !== '*' ? { user: subject.user, properties } : { properties };
}

/** True when every port of the service is STRICT (then every caller has a peer identity). */
export function strictEverywhere(model: MeshModel, service: ServiceSpec): boolean {
  return service.ports.length > 0 && service.ports.every((p) => model.effectiveMtls(service, p.targetPort) === 'STRICT');
}

function peerSubjects(model: MeshModel, peer: PeerSpec, destination: ServiceSpec, where: string): Record<string, unknown>[] {
  const version = model.spec.istioVersion;
  switch (peer.kind) {
    case 'service':
      // Istio 1.x has no trust domain aliases for RBAC: the principal under each alias is listed.
      if (peer.inMesh) {
        return [model.spec.trustDomain, ...model.spec.trustDomainAliases]
          .map((domain) => ({ user: formatPrincipal(domain, peer.namespace, peer.serviceAccount) }));
      }
      return legacyCannotExpress(version, `a caller without a mesh identity (${peer.namespace}/${peer.name}: notPrincipals)`, where);
    case 'namespace':
      return [{ properties: { 'source.namespace': peer.namespace } }];
    case 'anyMeshIdentity':
      // `source.principal: "*"` matches a plaintext caller too: it means "any mesh identity" only
      // where the destination refuses plaintext on every port.
      if (!strictEverywhere(model, destination)) {
        legacyCannotExpress(version, `any mesh identity towards ${destination.namespace}/${destination.name}, which accepts plaintext on some port (principals: ['*'])`, where);
      }
      return [{ properties: { 'source.principal': '*' } }];
    case 'anyone':
      return [{ user: '*' }];
    case 'ipBlocks':
      if (peer.remote) assertLegacySupports(version, IstioFeature.REMOTE_IP_BLOCKS, where);
      return sortedStrings(peer.blocks).map((b) => ({ properties: { 'source.ip': b } }));
  }
}

/** The end-user properties: one map per accepted (subject × claim value) combination. */
function endUserProperties(endUser: EndUserRequirement, model: MeshModel, where: string): Record<string, string>[] {
  let out: Record<string, string>[] = endUser.subjects.length > 0
    ? sortedStrings(endUser.subjects).map((sub) => ({ 'request.auth.principal': `${endUser.issuer}/${sub}` }))
    : [{ 'request.auth.principal': `${endUser.issuer}/*` }];
  for (const claim of endUser.claims) {
    if (claim.claim.length !== 1) {
      legacyCannotExpress(model.spec.istioVersion, `the nested claim [${claim.claim.join('][')}] (rbac.istio.io properties name top-level claims only)`, where);
    }
    const key = `request.auth.claims[${claim.claim[0]}]`;
    out = out.flatMap((props) => sortedStrings(claim.values).map((v) => ({ ...props, [key]: v })));
  }
  return out;
}

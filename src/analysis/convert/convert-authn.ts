/**
 * Policy / MeshPolicy → PeerAuthentication, RequestAuthentication and a DENY AuthorizationPolicy
 * (the mapping of the 2021 migration blog and istio-ecosystem's security-policy-migrate, with the
 * changes below so that the result decides like the 1.x policy):
 *
 * - `peers` STRICT → STRICT, PERMISSIVE or `peerIsOptional` → PERMISSIVE, **no mtls peer → DISABLE**
 *   (1.x then terminated no mTLS; the tool's PERMISSIVE would give RBAC a peer identity 1.x never had).
 * - A targeted Policy → a PeerAuthentication with the Service's selector and `portLevelMtls` for
 *   the target's workload ports (other ports keep the namespace/mesh mode, as in 1.x).
 * - `origins` → RequestAuthentication (`forwardOriginalToken: true`) and, unless
 *   `originIsOptional`, a DENY of requests without a request principal on the policy's ports, one
 *   rule per trigger rule (`includedPaths` → `paths`, `excludedPaths` → `notPaths`).
 *
 * Refused: a `jwt` peer, regex trigger rules, trigger rules that differ between several issuers, and a namespace or
 * mesh Policy with origins that a targeted Policy overrides (v1 RequestAuthentications merge, they
 * do not override, so the override cannot be expressed).
 *
 * @module
 */
import { ConversionBuilder, ConvertedObject } from './convert-types';
import { IstioConfig, ServiceResource } from '../config/istio-config';
import { LegacyAuthnResource, LegacyJwt, LegacyStringMatch } from '../config/legacy-resources';

/** The workload ports a Service port number/name list reaches (all of the Service's ports when empty). */
export function workloadPortsOf(config: IstioConfig, service: ServiceResource, ports: readonly ({ number: number } | { name: string })[]): number[] {
  const out = new Set<number>();
  for (const p of service.ports) {
    if (ports.length > 0 && !ports.some((t) => ('number' in t ? t.number === p.port : t.name === p.name))) continue;
    if (typeof p.targetPort === 'number') {
      out.add(p.targetPort);
      continue;
    }
    const w = config.workloads.find((x) => x.metadata.namespace === service.metadata.namespace
      && Object.entries(service.selector).every(([k, v]) => x.podLabels[k] === v) && x.ports.some((c) => c.name === p.targetPort));
    const c = w?.ports.find((x) => x.name === p.targetPort);
    if (c) out.add(c.containerPort);
  }
  return [...out].sort((a, b) => a - b);
}

/** The mTLS mode a 1.x Policy means for v1. */
export function convertedMode(policy: LegacyAuthnResource): 'STRICT' | 'PERMISSIVE' | 'DISABLE' {
  const mtls = policy.spec.peers.find((p) => p.kind === 'mtls');
  if (!mtls || mtls.kind !== 'mtls') return 'DISABLE';
  return mtls.mode === 'STRICT' && !policy.spec.peerIsOptional ? 'STRICT' : 'PERMISSIVE';
}

/** Converts every Policy and MeshPolicy of the config. */
export function convertAuthn(config: IstioConfig, b: ConversionBuilder, rootNamespace: string): void {
  const workloads = new Map<string, WorkloadPeerAuthentication>();
  const targetedNamespaces = new Set(config.legacy.authn.filter((p) => p.kind === 'Policy' && p.spec.targets.length > 0).map((p) => p.metadata.namespace));
  for (const policy of config.legacy.authn) {
    if (policy.spec.peers.some((p) => p.kind === 'jwt')) {
      b.refuse('TM_CONVERT_UNSUPPORTED', policy, ['spec', 'peers'], 'a jwt peer authentication method has no v1beta1 equivalent', 'Move the JWT to origins, or drop it.');
      continue;
    }
    const mesh = policy.kind === 'MeshPolicy';
    const namespace = mesh ? rootNamespace : policy.metadata.namespace;
    if (policy.spec.targets.length === 0) {
      if (policy.spec.origins.length > 0 && (mesh ? targetedNamespaces.size > 0 : targetedNamespaces.has(namespace))) {
        b.refuse('TM_CONVERT_UNSUPPORTED', policy, ['spec', 'origins'], `its origins apply to every workload ${mesh ? 'of the mesh' : `of namespace ${namespace}`}, but a targeted Policy overrides it for some services; v1 RequestAuthentications merge instead of overriding, so the exception cannot be expressed`,
          'Move the origins to targeted Policies, then convert again.');
        continue;
      }
      const mode = convertedMode(policy);
      b.add(policy, object(b, 'PeerAuthentication', 'default', namespace, { mtls: { mode } }));
      if (mode === 'DISABLE') b.note(policy, 'no mtls peer: converted to DISABLE (1.x terminated no mTLS, so RBAC saw no peer identity)');
      if (policy.spec.peerIsOptional) b.note(policy, 'peerIsOptional: converted to PERMISSIVE');
      convertOrigins(b, policy, namespace, 'default', undefined, []);
      continue;
    }
    policy.spec.targets.forEach((target, i) => {
      const service = config.services.find((s) => s.metadata.namespace === namespace && s.metadata.name === target.name);
      if (!service || Object.keys(service.selector).length === 0) {
        b.refuse('TM_CONVERT_SERVICE_NOT_FOUND', policy, ['spec', 'targets', i, 'name'], `target service ${namespace}/${target.name} ${service ? 'has no selector' : 'is not among the inputs'}, so its workloads cannot be selected`,
          'Pass the Service (and its Deployment) with --services, or include it in the inputs.');
        return;
      }
      const ports = workloadPortsOf(config, service, target.ports);
      const mode = convertedMode(policy);
      const name = `${policy.metadata.name}-${target.name}`;
      peerAuthenticationFor(b, workloads, policy, name, namespace, service.selector, ports, mode, target.ports.length > 0);
      if (mode === 'DISABLE') b.note(policy, `no mtls peer: ports ${ports.join(', ')} of ${target.name} converted to DISABLE (1.x terminated no mTLS there)`);
      convertOrigins(b, policy, namespace, name, service.selector, ports);
    });
  }
}

/** The merged PeerAuthentication of one workload selector, with where each port's mode came from. */
interface WorkloadPeerAuthentication {
  readonly object: ConvertedObject;
  readonly portLevelMtls: Record<string, { mode: string }>;
  readonly from: Map<number, { policy: string; portTargeted: boolean }>;
}

/**
 * Adds the target's ports to the one PeerAuthentication of its workloads. Several targeted 1.x
 * Policies may name one Service (e.g. one per port with its own mode); v1 applies only the oldest
 * of several PeerAuthentications selecting a workload, so they become one, named after the first
 * Policy. Per port, a target naming the port wins over one naming the whole Service, as in 1.x;
 * between two of the same kind the first is kept and the other noted.
 */
function peerAuthenticationFor(b: ConversionBuilder, workloads: Map<string, WorkloadPeerAuthentication>, policy: LegacyAuthnResource, name: string,
  namespace: string, selector: Readonly<Record<string, string>>, ports: readonly number[], mode: string, portTargeted: boolean): void {
  const key = `${namespace}/${JSON.stringify(Object.entries(selector).sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0)))}`;
  let merged = workloads.get(key);
  if (!merged) {
    const portLevelMtls: Record<string, { mode: string }> = {};
    const pa = object(b, 'PeerAuthentication', name, namespace, { selector: { matchLabels: { ...selector } }, mtls: { mode: 'UNSET' }, portLevelMtls });
    merged = { object: pa, portLevelMtls, from: new Map() };
    workloads.set(key, merged);
  }
  b.add(policy, merged.object);
  const ref = `${policy.kind} ${policy.metadata.namespace}/${policy.metadata.name}`;
  for (const p of ports) {
    const had = merged.from.get(p);
    if (had && (had.portTargeted || !portTargeted)) {
      if (had.policy !== ref && merged.portLevelMtls[String(p)].mode !== mode) {
        b.note(policy, `port ${p} is also targeted by ${had.policy}, whose mode (${merged.portLevelMtls[String(p)].mode}) was kept: 1.x picked one of two Policies at the same level`);
      }
      continue;
    }
    merged.portLevelMtls[String(p)] = { mode };
    merged.from.set(p, { policy: ref, portTargeted });
  }
}

function convertOrigins(b: ConversionBuilder, policy: LegacyAuthnResource, namespace: string, name: string,
  selector: Readonly<Record<string, string>> | undefined, ports: readonly number[]): void {
  const { origins, originIsOptional, principalBinding } = policy.spec;
  if (principalBinding === 'USE_ORIGIN') b.note(policy, 'principalBinding USE_ORIGIN: ServiceRoleBinding users and source.principal become requestPrincipals');
  if (origins.length === 0) return;
  const sel = selector ? { selector: { matchLabels: { ...selector } } } : {};
  b.add(policy, object(b, 'RequestAuthentication', name, namespace, { ...sel, jwtRules: origins.map(jwtRule) }));
  if (originIsOptional) {
    b.note(policy, 'originIsOptional: no DENY generated; note that v1 rejects an invalid token (401) where 1.x accepted the request');
    return;
  }
  // Several origins convert to one DENY rule set when they share their trigger rules (each then
  // applies on the same paths, so a token is required exactly there).
  const withRules = origins.filter((o) => o.triggerRules.length > 0);
  const sameRules = origins.every((o) => JSON.stringify(o.triggerRules) === JSON.stringify(origins[0].triggerRules));
  if (withRules.length > 0 && origins.length > 1 && !sameRules) {
    b.refuse('TM_CONVERT_UNSUPPORTED', policy, ['spec', 'origins'], 'origins with different triggerRules cannot be expressed as one DENY rule set', 'Give every origin of the Policy the same triggerRules, or keep one origin with triggerRules per Policy.');
    return;
  }
  const triggerRules = origins[0].triggerRules;
  for (const [ri, r] of triggerRules.entries()) {
    for (const [k, list] of [['includedPaths', r.includedPaths], ['excludedPaths', r.excludedPaths]] as const) {
      const j = list.findIndex((m) => 'regex' in m);
      if (j >= 0) {
        b.refuse('TM_CONVERT_UNSUPPORTED', policy, ['spec', 'origins', 0, 'jwt', 'triggerRules', ri, k, j], 'a regex trigger rule has no v1beta1 equivalent (paths take exact, prefix* and *suffix)',
          'Rewrite it as exact, prefix or suffix matches.');
        return;
      }
    }
  }
  const portsOp = ports.length > 0 ? { ports: ports.map(String) } : {};
  const rules = triggerRules.length === 0
    ? [{ from: [{ source: { notRequestPrincipals: ['*'] } }], ...(ports.length > 0 ? { to: [{ operation: portsOp }] } : {}) }]
    : triggerRules.map((r) => {
      const paths = r.includedPaths.map(pathOf);
      const notPaths = r.excludedPaths.map(pathOf);
      const operation = { ...portsOp, ...(paths.length > 0 ? { paths } : {}), ...(notPaths.length > 0 ? { notPaths } : {}) };
      return { from: [{ source: { notRequestPrincipals: ['*'] } }], ...(Object.keys(operation).length > 0 ? { to: [{ operation }] } : {}) };
    });
  b.add(policy, object(b, 'AuthorizationPolicy', `${name}-require-jwt`, namespace, { ...sel, action: 'DENY', rules }));
  b.note(policy, 'TCP: Istio applies a DENY rule with HTTP-only fields (notRequestPrincipals) to TCP without them, so TCP connections to these ports are denied, where 1.x origins did not apply');
  if (triggerRules.length > 0) b.note(policy, 'paths the trigger rules skip: 1.x did not check the token there; v1 RequestAuthentication rejects an invalid or unaccepted token (401) on every path');
  b.note(policy, 'origins required: a request without a token is now denied by an AuthorizationPolicy DENY (403) where 1.x answered 401');
}

function jwtRule(o: LegacyJwt): Record<string, unknown> {
  return {
    issuer: o.issuer,
    ...(o.audiences.length > 0 ? { audiences: [...o.audiences] } : {}),
    ...(o.jwksUri !== undefined ? { jwksUri: o.jwksUri } : {}),
    ...(o.jwks !== undefined ? { jwks: o.jwks } : {}),
    ...(o.jwtHeaders.length > 0 ? { fromHeaders: o.jwtHeaders.map((name) => ({ name })) } : {}),
    ...(o.jwtParams.length > 0 ? { fromParams: [...o.jwtParams] } : {}),
    forwardOriginalToken: true,
  };
}

/** A 1.x StringMatch as a v1 path pattern (`prefix*`, `*suffix`, exact). */
export function pathOf(m: LegacyStringMatch): string {
  if ('exact' in m) return m.exact;
  if ('prefix' in m) return `${m.prefix}*`;
  if ('suffix' in m) return `*${m.suffix}`;
  return m.regex;
}

/** A converted object of the builder's apiVersion. */
export function object(b: ConversionBuilder, kind: ConvertedObject['kind'], name: string, namespace: string, spec: Record<string, unknown>,
  annotations?: Record<string, string>): ConvertedObject {
  return { apiVersion: b.apiVersion, kind, metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec };
}

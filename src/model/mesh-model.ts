import { Diagnostic } from '../errors';
import { IngressGatewaySpec } from './ingress-gateway';
import { IntentionSpec, JwtRequirementSpec, PeerSpec, ServiceRef, serviceKey } from './intention';
import { IpBlock, parseIpBlock } from './ip-block';
import { unknownIstioVersionDiagnostics } from './istio-version';
import { JwtIssuerSpec } from './jwt-issuer';
import { DefaultAccess, MeshSpec, NamespaceSpec, ServiceSpec } from './mesh-spec';
import { MtlsMode, resolveMtls } from './mtls';
import { isHttpProtocol } from './service-port';
import { formatLabels, selectorMatches } from '../semantics/labels';
import { formatPrincipal } from '../semantics/principal';

/**
 * A {@link MeshSpec} with its indexes and the resolution rules every renderer and the model's own
 * decision share: effective mTLS per workload port, default access per namespace, the issuers a
 * workload must accept, and the whole-graph checks.
 */
export class MeshModel {
  /** Indexes a spec. The spec is not copied; treat it as immutable. */
  public static of(spec: MeshSpec): MeshModel {
    return new MeshModel(spec);
  }

  private readonly services = new Map<string, ServiceSpec>();
  private readonly servicesByNamespace = new Map<string, ServiceSpec[]>();
  private readonly namespaces = new Map<string, NamespaceSpec>();
  private readonly issuers = new Map<string, JwtIssuerSpec>();
  private readonly intentionsByDestination = new Map<string, IntentionSpec[]>();
  private readonly ipBlocks = new Map<string, IpBlock>();

  private constructor(public readonly spec: MeshSpec) {
    for (const ns of spec.namespaces) this.namespaces.set(ns.name, ns);
    for (const s of spec.services) {
      this.services.set(serviceKey(s), s);
      const list = this.servicesByNamespace.get(s.namespace);
      if (list) list.push(s);
      else this.servicesByNamespace.set(s.namespace, [s]);
    }
    for (const i of spec.issuers) this.issuers.set(i.issuer, i);
    const keys = new ServiceKeys();
    for (const intention of spec.intentions) {
      const key = keys.of(intention.destination);
      const list = this.intentionsByDestination.get(key);
      if (list) list.push(intention);
      else this.intentionsByDestination.set(key, [intention]);
    }
  }

  public service(ref: ServiceRef): ServiceSpec | undefined {
    return this.services.get(serviceKey(ref));
  }

  public namespace(name: string): NamespaceSpec | undefined {
    return this.namespaces.get(name);
  }

  public issuer(issuer: string): JwtIssuerSpec | undefined {
    return this.issuers.get(issuer);
  }

  /** Every intention whose destination is the service, in declaration order. */
  public intentionsFor(ref: ServiceRef): readonly IntentionSpec[] {
    return this.intentionsByDestination.get(serviceKey(ref)) ?? [];
  }

  /** Services of a namespace, in declaration order. */
  public servicesIn(namespace: string): readonly ServiceSpec[] {
    return this.servicesByNamespace.get(namespace) ?? [];
  }

  /**
   * An IP block of the spec, parsed once per model.
   * @throws TrustmeshError TM_INVALID_CIDR (see {@link parseIpBlock})
   */
  public ipBlock(text: string): IpBlock {
    let block = this.ipBlocks.get(text);
    if (!block) {
      block = parseIpBlock(text);
      this.ipBlocks.set(text, block);
    }
    return block;
  }

  /** `<trustDomain>/ns/<ns>/sa/<sa>`: the principal AuthorizationPolicy compares. */
  public principal(namespace: string, serviceAccount: string): string {
    return formatPrincipal(this.spec.trustDomain, namespace, serviceAccount);
  }

  /** Default access of a namespace (its override, else the mesh's). */
  public effectiveAccess(namespace: string): DefaultAccess {
    return this.namespaces.get(namespace)?.defaultAccess ?? this.spec.defaultAccess;
  }

  /** Effective mTLS mode of one workload port, as Istio composes mesh → namespace → workload → port. */
  public effectiveMtls(service: ServiceSpec, targetPort: number): MtlsMode {
    const port = service.ports.find((p) => p.targetPort === targetPort);
    return resolveMtls({
      mesh: this.spec.mtls,
      namespace: this.namespaces.get(service.namespace)?.mtls,
      service: service.mtls,
      port: port?.mtls,
    });
  }

  /** Workload ports that carry HTTP (sorted, unique). */
  public httpTargetPorts(service: ServiceSpec): number[] {
    return uniqueSorted(service.ports.filter((p) => isHttpProtocol(p.protocol)).map((p) => p.targetPort));
  }

  /** Maps Service port numbers to workload ports (sorted, unique). Unknown ports are left out. */
  public targetPorts(service: ServiceSpec, servicePorts: readonly number[]): number[] {
    return uniqueSorted(servicePorts.flatMap((n) => service.ports.filter((p) => p.port === n).map((p) => p.targetPort)));
  }

  /**
   * The issuers a workload's RequestAuthentication must list: those of its JWT requirement and of
   * every intention with an end-user requirement, sorted by issuer.
   */
  public issuersFor(service: ServiceSpec): JwtIssuerSpec[] {
    return this.issuersNamedBy(service.jwtRequirement, this.intentionsFor(service));
  }

  /** The issuers a gateway's RequestAuthentication must list: those of its JWT requirement and of its end-user intentions, sorted by issuer. */
  public gatewayIssuers(gateway: IngressGatewaySpec): JwtIssuerSpec[] {
    return this.issuersNamedBy(gateway.jwtRequirement, gateway.intentions);
  }

  /** Whole-graph checks: problems only visible once every declaration is in. */
  public diagnostics(): Diagnostic[] {
    return [
      ...unknownIstioVersionDiagnostics(this.spec.istioVersion),
      ...this.checkPeers(),
      ...this.checkIdentityCollisions(),
      ...this.checkSelectorOverlaps(),
      ...this.checkIssuers(),
    ];
  }

  private checkPeers(): Diagnostic[] {
    const out: Diagnostic[] = [];
    const keys = new ServiceKeys();
    for (const intention of this.spec.intentions) {
      const dest = this.services.get(keys.of(intention.destination));
      // Written only for a problem: building it for each of 80,000 sound intentions cost more than the checks.
      const where = (): string => `intention ${intention.action} ${describePeer(intention.peer)} -> ${serviceKey(intention.destination)}`;
      if (!dest) {
        out.push({
          code: 'TM_UNKNOWN_SERVICE',
          severity: 'error',
          message: `${where()}: destination ${serviceKey(intention.destination)} is not declared in mesh "${this.spec.name}"`,
          fix: 'declare the service with ns.addService(...) in this mesh',
        });
        continue;
      }
      const peer = intention.peer;
      if (peer.kind === 'service' && peer.declaredIn !== undefined) {
        if (peer.declaredIn !== this.spec.name || !this.services.has(keys.of(peer))) {
          out.push({
            code: 'TM_UNKNOWN_PEER',
            severity: 'error',
            message: `${where()}: peer ${peer.namespace}/${peer.name} belongs to mesh "${peer.declaredIn}", not to "${this.spec.name}"`,
            fix: 'reference services of another mesh with mesh.importService({ namespace, name, serviceAccount })',
          });
          continue;
        }
      }
      if (peer.kind === 'service' && !peer.inMesh && intention.action !== 'DENY') {
        const strictPorts = this.strictPortsFor(dest, intention.match.ports);
        if (strictPorts.length > 0) {
          out.push({
            code: 'TM_STRICT_BLOCKS_OUT_OF_MESH_PEER',
            severity: 'error',
            message: `${where()}: ${peer.namespace}/${peer.name} runs without a sidecar (plaintext) but ${serviceKey(dest)} requires STRICT mTLS on port(s) ${strictPorts.join(', ')}, so its calls are refused at the connection`,
            fix: `set mtls: MtlsMode.PERMISSIVE on those ports of ${dest.name} (Port.http(n, { mtls })), or bring ${peer.name} into the mesh`,
          });
        }
      }
    }
    return out;
  }

  private strictPortsFor(service: ServiceSpec, servicePorts: readonly number[] | undefined): number[] {
    const ports = servicePorts && servicePorts.length > 0 ? this.targetPorts(service, servicePorts) : service.ports.map((p) => p.targetPort);
    return uniqueSorted(ports.filter((p) => this.effectiveMtls(service, p) === 'STRICT'));
  }

  private checkIdentityCollisions(): Diagnostic[] {
    const byIdentity = new Map<string, ServiceSpec[]>();
    for (const s of this.spec.services) {
      const key = `${s.namespace}/${s.serviceAccount}`;
      const list = byIdentity.get(key);
      if (list) list.push(s);
      else byIdentity.set(key, [s]);
    }
    const shared = [...byIdentity].filter(([, services]) => services.length >= 2);
    if (shared.length === 0) return [];
    const named = new Set<string>();
    for (const i of this.spec.intentions) {
      if (i.peer.kind === 'service') named.add(`${i.peer.namespace}/${i.peer.serviceAccount}`);
    }
    const out: Diagnostic[] = [];
    for (const [identity, services] of shared) {
      const names = services.map((s) => s.name).sort().join(', ');
      const used = named.has(identity);
      out.push({
        code: 'TM_IDENTITY_COLLISION',
        severity: used ? 'error' : 'warning',
        message: `services ${names} in namespace ${services[0].namespace} share service account "${identity.split('/')[1]}"; `
          + (used ? 'an intention names this identity, so policy cannot tell them apart' : 'policy cannot tell them apart'),
        fix: 'give each service its own serviceAccount',
      });
    }
    return out;
  }

  private checkSelectorOverlaps(): Diagnostic[] {
    const out: Diagnostic[] = [];
    // Services by namespace, label key and value; the namespaces indexed so far.
    const byLabel = new Map<string, ServiceSpec[]>();
    const indexed = new Set<string>();
    for (const a of this.spec.services) {
      if (!a.inMesh || !this.hasOwnPolicies(a)) continue;
      for (const b of this.candidatesSelectedBy(a, byLabel, indexed)) {
        if (a === b || !b.inMesh) continue;
        if (selectorMatches(a.labels, b.labels)) {
          out.push({
            code: 'TM_SELECTOR_OVERLAP',
            severity: 'error',
            message: `the workload labels of ${a.namespace}/${a.name} (${formatLabels(a.labels)}) also select ${b.name} (${formatLabels(b.labels)}), so ${a.name}'s policies would apply to ${b.name} too`,
            fix: `add a label that tells them apart, e.g. labels: { ...${JSON.stringify(a.labels)}, version: 'v1' }`,
          });
        }
      }
    }
    return out;
  }

  /**
   * The services of `a`'s namespace that may carry all of `a`'s labels, in declaration order: those
   * with its first label (indexed once per namespace and label), or all of them for empty labels.
   * Comparing every pair of a namespace was quadratic: 1.3 million comparisons at 8,000 services.
   */
  private candidatesSelectedBy(a: ServiceSpec, byLabel: Map<string, ServiceSpec[]>, indexed: Set<string>): readonly ServiceSpec[] {
    const first = Object.keys(a.labels)[0];
    if (first === undefined) return this.servicesIn(a.namespace);
    if (!indexed.has(a.namespace)) {
      indexed.add(a.namespace);
      for (const s of this.servicesIn(a.namespace)) {
        for (const [k, v] of Object.entries(s.labels)) {
          const key = `${a.namespace}\0${k}\0${v}`;
          const list = byLabel.get(key);
          if (list) list.push(s);
          else byLabel.set(key, [s]);
        }
      }
    }
    return byLabel.get(`${a.namespace}\0${first}\0${a.labels[first]}`) ?? [];
  }

  private issuersNamedBy(requirement: JwtRequirementSpec | undefined, intentions: readonly IntentionSpec[]): JwtIssuerSpec[] {
    const names = new Set<string>(requirement?.issuers ?? []);
    for (const i of intentions) if (i.endUser) names.add(i.endUser.issuer);
    return [...names].sort().map((n) => this.issuers.get(n)).filter((i): i is JwtIssuerSpec => i !== undefined);
  }

  private hasOwnPolicies(s: ServiceSpec): boolean {
    return this.intentionsFor(s).length > 0 || s.jwtRequirement !== undefined || s.mtls !== undefined || s.ports.some((p) => p.mtls);
  }

  private checkIssuers(): Diagnostic[] {
    const out: Diagnostic[] = [];
    const referenced = new Set<string>();
    for (const s of this.spec.services) for (const i of s.jwtRequirement?.issuers ?? []) referenced.add(i);
    for (const i of this.spec.intentions) if (i.endUser) referenced.add(i.endUser.issuer);
    for (const name of [...referenced].sort()) {
      if (!this.issuers.has(name)) {
        out.push({
          code: 'TM_CLAIMS_WITHOUT_ISSUER',
          severity: 'error',
          message: `end-user requirements name issuer "${name}", which the mesh does not define (no jwksUri or jwks to verify tokens)`,
          fix: 'pass a JwtIssuer created with JwtIssuer.of({ issuer, jwksUri })',
        });
      }
    }
    return out;
  }
}

/**
 * `<namespace>/<name>` of services and peers, made once per object: the intentions of a service
 * share its destination and peer objects, and a mesh has one intention per verb call (80,000 at
 * the largest benchmark size), each asked for its keys by the index and by the checks.
 */
class ServiceKeys {
  private readonly keys = new Map<ServiceRef, string>();

  public of(ref: ServiceRef): string {
    let key = this.keys.get(ref);
    if (key === undefined) {
      key = serviceKey(ref);
      this.keys.set(ref, key);
    }
    return key;
  }
}

/** Short human description of a peer, for messages. */
export function describePeer(peer: PeerSpec): string {
  switch (peer.kind) {
    case 'service': return `${peer.namespace}/${peer.name}`;
    case 'namespace': return `namespace ${peer.namespace}`;
    case 'anyMeshIdentity': return 'any mesh identity';
    case 'anyone': return 'anyone';
    case 'ipBlocks': return `${peer.remote ? 'remote ' : ''}IPs ${peer.blocks.join(', ')}`;
  }
}

function uniqueSorted(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

import { Construct } from 'constructs';
import { TrustmeshError, TrustmeshUsageError } from '../errors';
import { AccessMatchOptions, AccessOptions, assertPathPatternsSupported } from './access-options';
import { Enforcement, MtlsMode } from './enums';
import { JwtIssuer } from './jwt-issuer';
import type { Mesh } from './mesh';
import type { MeshNamespace } from './mesh-namespace';
import { EndUsersOptions, IMeshPeer, Peer, PeerConfig } from './peer';
import { Port } from './port';
import { DeclaredValue } from './private/declarations';
import { declaring, ensureDeclaredObjects, IstioObjectOwner } from './private/declared-objects';
import { resolveIntentionInput, resolveJwtRequirement } from './private/intention-input';
import { ensureServiceNetworkPolicies } from './private/mirrored-network-policy';
import { ReferenceWorkload, ReferenceWorkloadOptions } from './reference-workload';
import { IntentionAction, IntentionSpec, JwtRequirementSpec, PeerSpec, ServiceRef } from '../model/intention';
import { parseIpBlock } from '../model/ip-block';
import { MeshModel } from '../model/mesh-model';
import { ServiceSpec } from '../model/mesh-spec';
import { assertDnsLabel, assertDnsSubdomain, assertLabels } from '../model/names';
import { isHttpProtocol } from '../model/service-port';
import { located } from '../private/located';
import { ISTIO_OBJECTS, ServiceSubject } from '../render/istio/istio-objects';
import { assertLegacyIntention, assertLegacyJwtRequirement } from '../render/istio-legacy/legacy-checks';
import { formatPrincipal } from '../semantics/principal';

/** Props of {@link MeshService}. */
export interface MeshServiceProps {
  /**
   * The Kubernetes service account the workload runs as: its identity
   * (`spiffe://<trust-domain>/ns/<namespace>/sa/<serviceAccount>`). Explicit and stable.
   * @default - the service name
   */
  readonly serviceAccount?: string;
  /**
   * Workload (pod) labels. Every policy of the service selects the workload with all of them.
   * @default { app: <service name> }
   */
  readonly labels?: Record<string, string>;
  /**
   * Service ports with their protocols.
   * @default - none (a pure client)
   */
  readonly ports?: Port[];
  /**
   * Whether the workload runs with an Istio sidecar. Services outside the mesh cannot enforce
   * policy, have no mTLS identity, and get an explicit plaintext DestinationRule.
   * @default true
   */
  readonly inMesh?: boolean;
  /**
   * mTLS mode for this workload.
   * @default - inherited from the namespace or mesh
   */
  readonly mtls?: MtlsMode;
  /**
   * Addresses an out-of-mesh service calls from, so that intentions naming it can recognize it
   * (it has no identity). Only for `inMesh: false`.
   * @default - any plaintext caller is taken for this service
   */
  readonly ipBlocks?: string[];
  /**
   * Emit a reference workload for this service (ServiceAccount, Service, Deployment with the
   * sidecar), merged over the mesh's `referenceWorkloads` defaults.
   * @default - only when the mesh sets `referenceWorkloads`
   */
  readonly workload?: ReferenceWorkloadOptions;
}

/** Options of {@link MeshService.allowEndUsers}. */
export interface AllowEndUsersOptions extends AccessMatchOptions, EndUsersOptions {
  /** @default Enforcement.ENFORCE */
  readonly enforcement?: Enforcement;
}

/** Options of {@link MeshService.requireJwt}. */
export interface RequireJwtOptions {
  /**
   * Paths reachable without a token (health checks, public pages); same syntax as intention paths.
   * @default - none
   */
  readonly exceptPaths?: string[];
  /** @default Enforcement.ENFORCE */
  readonly enforcement?: Enforcement;
}

/** Attributes of a service declared elsewhere (another mesh, another team's code). */
export interface MeshServiceAttributes {
  readonly namespace: string;
  readonly name: string;
  /** @default - the service name */
  readonly serviceAccount?: string;
  /** @default true */
  readonly inMesh?: boolean;
}

/**
 * A service of the mesh: a workload identity, its labels and ports, and the verbs that declare
 * who may call it. Intentions are verbs on the destination, aggregated into one policy per action.
 *
 * @example
 * const details = ns.addService('details', { serviceAccount: 'bookinfo-details', ports: [Port.http(9080)] });
 * details.allowFrom(productpage, { methods: [HttpMethod.GET] });
 */
export class MeshService extends Construct implements IMeshPeer, IstioObjectOwner {
  /**
   * References a service declared elsewhere, usable as a peer (not as a destination).
   */
  public static fromAttributes(scope: Construct, id: string, attrs: MeshServiceAttributes): IMeshPeer {
    return new ImportedService(scope, id, attrs);
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly serviceAccount: string;
  public readonly inMesh: boolean;
  public readonly mtls?: MtlsMode;
  /** The reference workload, when the mesh or the service opted in. */
  public readonly workload?: ReferenceWorkload;
  private readonly _labels: Record<string, string>;
  private readonly _ports: Port[];
  private readonly _ipBlocks?: string[];
  /** Made by the first `requireJwt`: most services never call it, and a mesh has thousands of services. */
  private jwtRequirement?: DeclaredValue<JwtRequirementSpec>;
  private readonly namespaceChart: MeshNamespace;
  // A mesh holds one intention per verb call (80,000 at the largest benchmark size): the model data
  // every intention of this service shares — its destination, the service as a peer, the service
  // spec — is made once, not once per intention (synth10). All of it is immutable model data.
  private readonly destination: ServiceRef;
  private peerSpec?: PeerSpec;
  private spec?: ServiceSpec;
  /**
   * The intentions towards the service, in declaration order: an index of the mesh's list, kept
   * here rather than in a map of the mesh keyed by service name, which cost a key per intention.
   * Appended in place: a copy per intention made declaring n intentions to one service O(n²).
   */
  private readonly intentions: IntentionSpec[] = [];
  /** The service and its intentions as a model has them (for the renderers of its objects). */
  private resolveSubject?: (model: MeshModel) => ServiceSubject | undefined;

  public constructor(scope: MeshNamespace, name: string, props: MeshServiceProps = {}) {
    // Checked before the construct exists, so a duplicate gets a coded error, not a constructs one.
    super(scope, checkServiceName(scope, name));
    this.namespaceChart = scope;
    const checked = located(this, () => checkProps(name, props));
    this.name = name;
    this.namespace = scope.namespaceName;
    this.serviceAccount = checked.serviceAccount;
    this.inMesh = checked.inMesh;
    this.mtls = props.mtls;
    this._labels = checked.labels;
    this._ports = checked.ports;
    this._ipBlocks = checked.ipBlocks;
    this.destination = { namespace: this.namespace, name };
    scope._registerService(this);
    this.workload = ReferenceWorkload._forService(this, scope.mesh.referenceWorkloads, props.workload);
    this._ensureObjects();
  }

  /** The mesh the service belongs to. */
  public get mesh(): Mesh {
    return this.namespaceChart.mesh;
  }

  /** Workload labels (a copy). */
  public get labels(): Record<string, string> {
    return { ...this._labels };
  }

  /** Ports (a copy). */
  public get ports(): Port[] {
    return [...this._ports];
  }

  /** `<trust-domain>/ns/<namespace>/sa/<serviceAccount>`, the principal policies name. */
  public get principal(): string {
    return formatPrincipal(this.mesh.trustDomain, this.namespace, this.serviceAccount);
  }

  /**
   * Allows `peer` to call this service (on the matched ports, methods, paths…).
   * @example orders.allowFrom(checkout, { ports: [8080], methods: [HttpMethod.POST], paths: ['/orders'] })
   */
  public allowFrom(peer: IMeshPeer, options: AccessOptions = {}): void {
    this.addIntention('ALLOW', peer, options);
  }

  /**
   * Denies `peer`. DENY is evaluated before ALLOW and cannot be overridden by it. A DENY using
   * HTTP-only attributes is scoped to the service's HTTP ports (Istio would otherwise apply it to
   * all TCP traffic).
   * @example httpbin.denyFrom(Peer.namespace('dev'), { methods: [HttpMethod.POST] })
   */
  public denyFrom(peer: IMeshPeer, options: AccessOptions = {}): void {
    this.addIntention('DENY', peer, options);
  }

  /**
   * Marks matching requests for auditing (AUDIT action, Istio 1.8+). Never changes a decision.
   * @example payments.auditFrom(Peer.anyMeshIdentity(), { paths: ['/refunds/*'] })
   */
  public auditFrom(peer: IMeshPeer, options: AccessOptions = {}): void {
    this.addIntention('AUDIT', peer, options);
  }

  /**
   * Allows end users of an issuer (optionally with claims) to call this service, from any caller.
   * @example fruits.allowEndUsers(issuer, { claims: { role: 'learner' }, methods: [HttpMethod.GET] })
   */
  public allowEndUsers(issuer: JwtIssuer, options: AllowEndUsersOptions = {}): void {
    const { claims, nestedClaims, subjects, ...access } = options;
    this.addIntention('ALLOW', Peer.endUsers(issuer, { claims, nestedClaims, subjects }), access);
  }

  /**
   * Requires a valid token from one of the issuers on every HTTP request, except on `exceptPaths`.
   * Emits the RequestAuthentication and the DENY policy Istio needs (a request without a token
   * would otherwise pass with no identity).
   * @example httpbin.requireJwt(issuer, { exceptPaths: ['/healthz'] })
   */
  public requireJwt(issuers: JwtIssuer | JwtIssuer[], options: RequireJwtOptions = {}): void {
    declaring(this, () => {
      this.assertEnforceable();
      if (this.jwtRequirement?.value) {
        throw new TrustmeshError('TM_JWT_ALREADY_REQUIRED', `requireJwt was already called on ${this.namespace}/${this.name}`, {
          fix: 'pass every accepted issuer in one call: requireJwt([issuerA, issuerB], { exceptPaths })',
        });
      }
      const { issuers: list, enforcement } = resolveJwtRequirement(issuers, options, this.mesh.istioVersion);
      const exceptPaths = [...(options.exceptPaths ?? [])];
      assertPathPatternsSupported(exceptPaths, this.mesh.istioVersion);
      if (!this._ports.some((p) => isHttpProtocol(p.protocol))) {
        throw new TrustmeshError('TM_HTTP_MATCH_WITHOUT_HTTP_PORT', `requireJwt needs an HTTP port, and ${this.namespace}/${this.name} has none`, {
          fix: 'declare the HTTP port with Port.http(...)',
        });
      }
      const requirement = { issuers: list.map((i) => i.issuer), exceptPaths, enforcement };
      assertLegacyJwtRequirement(this.mesh.istioVersion, requirement, `requireJwt on ${this.namespace}/${this.name}`);
      for (const issuer of list) this.mesh._registerIssuer(issuer._toSpec());
      this.jwtRequirement ??= this.mesh._declarations.value();
      this.jwtRequirement.set(requirement);
    });
  }

  /** @internal */
  public _toPeerConfig(): PeerConfig {
    this.peerSpec ??= {
      kind: 'service',
      namespace: this.namespace,
      name: this.name,
      serviceAccount: this.serviceAccount,
      inMesh: this.inMesh,
      ...(this._ipBlocks ? { ipBlocks: [...this._ipBlocks] } : {}),
      declaredIn: this.mesh.meshName,
    };
    return { peer: this.peerSpec, issuers: [] };
  }

  /** @internal the service as plain model data (made again only after `requireJwt` changed it). */
  public _toSpec(): ServiceSpec {
    if (!this.spec || this.spec.jwtRequirement !== this.jwtRequirement?.value) this.spec = this.buildSpec();
    return this.spec;
  }

  private buildSpec(): ServiceSpec {
    return {
      namespace: this.namespace,
      name: this.name,
      serviceAccount: this.serviceAccount,
      // The checked copy, never changed (the labels getter hands out copies): shared, not copied again.
      labels: this._labels,
      ports: this._ports.map((p) => p._toSpec()),
      inMesh: this.inMesh,
      ...(this.mtls ? { mtls: this.mtls } : {}),
      ...(this._ipBlocks ? { ipBlocks: [...this._ipBlocks] } : {}),
      ...(this.jwtRequirement?.value ? { jwtRequirement: this.jwtRequirement.value } : {}),
    };
  }

  /** @internal creates the service's policies, RequestAuthentication, PeerAuthentication and DestinationRule as its declarations call for them. */
  public _ensureObjects(): void {
    // Made once: every object of the service keeps it, and this runs after every verb.
    this.resolveSubject ??= (model) => {
      const service = model.service(this);
      return service && { service, intentions: model.intentionsFor(service) };
    };
    ensureDeclaredObjects(this.mesh, ISTIO_OBJECTS.service, { service: this._toSpec(), intentions: this.intentions },
      this.resolveSubject, () => this);
    ensureServiceNetworkPolicies(this);
  }

  private addIntention(action: IntentionAction, peer: IMeshPeer, options: AccessOptions): void {
    declaring(this, () => {
      this.assertEnforceable();
      const input = resolveIntentionInput(action, peer, options, this.mesh.istioVersion);
      const { enforcement, endUser } = input;
      const match = this.mesh._matchSpecs.of(options, this._toSpec(), endUser !== undefined);
      const peerSpec = this.mesh._peerSpecs.of(input.peer);
      // Two literals rather than a spread of the optional key: an object built by spreading gets
      // spare property slots, and a mesh holds one intention per verb call.
      const intention: IntentionSpec = endUser
        ? { destination: this.destination, action, enforcement, peer: peerSpec, endUser, match }
        : { destination: this.destination, action, enforcement, peer: peerSpec, match };
      assertLegacyIntention(this.mesh.istioVersion, intention, this.mesh.legacyAuthorization);
      for (const issuer of input.issuers) this.mesh._registerIssuer(issuer);
      this.intentions.push(intention);
      this.mesh._addIntention(intention);
    });
  }

  private assertEnforceable(): void {
    if (!this.inMesh) {
      throw new TrustmeshError('TM_POLICY_ON_OUT_OF_MESH_SERVICE',
        `${this.namespace}/${this.name} runs without a sidecar, so nothing can enforce intentions towards it`, {
          fix: 'bring the service into the mesh (inMesh: true), or protect it outside Istio (e.g. NetworkPolicy)',
        });
    }
  }
}

class ImportedService extends Construct implements IMeshPeer {
  private readonly peer: PeerSpec;

  public constructor(scope: Construct, id: string, attrs: MeshServiceAttributes) {
    super(scope, id);
    this.peer = located(this, () => {
      assertDnsLabel(attrs.namespace, 'namespace');
      assertDnsLabel(attrs.name, 'service name');
      const serviceAccount = attrs.serviceAccount ?? attrs.name;
      assertDnsSubdomain(serviceAccount, 'service account');
      return { kind: 'service', namespace: attrs.namespace, name: attrs.name, serviceAccount, inMesh: attrs.inMesh ?? true };
    });
  }

  public _toPeerConfig(): PeerConfig {
    return { peer: this.peer, issuers: [] };
  }
}

function checkProps(name: string, props: MeshServiceProps): {
  serviceAccount: string; labels: Record<string, string>; ports: Port[]; inMesh: boolean; ipBlocks?: string[];
} {
  assertDnsLabel(name, 'service name');
  const serviceAccount = props.serviceAccount ?? name;
  assertDnsSubdomain(serviceAccount, 'service account');
  const labels = { ...(props.labels ?? { app: name }) };
  if (Object.keys(labels).length === 0) {
    throw new TrustmeshError('TM_INVALID_LABEL', 'service labels are empty: its policies would select every workload of the namespace', {
      fix: `give the workload labels, e.g. { app: "${name}" }`,
    });
  }
  assertLabels(labels, 'service labels');
  const ports = [...(props.ports ?? [])];
  const seen = new Set<string>();
  for (const p of ports) {
    if (!(p instanceof Port)) throw new TrustmeshUsageError('ports must be created with Port.http(...), Port.tcp(...), ...');
    for (const key of [`port ${p.port}`, `port name ${p.name}`]) {
      if (seen.has(key)) throw new TrustmeshError('TM_DUPLICATE_PORT', `service ${name} declares ${key} twice`, { value: p.port });
      seen.add(key);
    }
  }
  const inMesh = props.inMesh ?? true;
  let ipBlocks: string[] | undefined;
  if (props.ipBlocks) {
    if (inMesh) {
      throw new TrustmeshError('TM_IPBLOCKS_ON_MESH_SERVICE',
        'ipBlocks only identify services outside the mesh; in-mesh services are identified by their service account', {
          fix: 'remove ipBlocks, or set inMesh: false',
        });
    }
    ipBlocks = props.ipBlocks.map((b) => parseIpBlock(b).text);
  }
  if (!inMesh && (props.mtls || ports.some((p) => p.mtls))) {
    throw new TrustmeshError('TM_POLICY_ON_OUT_OF_MESH_SERVICE', 'a service outside the mesh has no sidecar to apply mTLS settings', {
      fix: 'remove the mtls settings, or set inMesh: true',
    });
  }
  return { serviceAccount, labels, ports, inMesh, ipBlocks };
}

function checkServiceName(scope: MeshNamespace, name: string): string {
  located(scope, () => {
    assertDnsLabel(name, 'service name');
    if (scope._hasService(name)) {
      throw new TrustmeshError('TM_DUPLICATE_SERVICE', `service "${name}" is declared twice in namespace ${scope.namespaceName}`, {
        fix: 'declare it once and look it up with ns.service(name) or mesh.service("<namespace>/<name>")',
      });
    }
  });
  return name;
}

import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Diagnostic, TrustmeshError } from '../errors';
import { AccessLoggingOptions, declareAccessLogging } from './access-logging';
import { CertificateAuthority } from './certificate-authority';
import { registerDiagnostics } from './diagnostics';
import { AllowEgressOptions, declareEgress, declareEgressPolicy, externalServiceSpec, LockDownEgressOptions } from './egress';
import { DefaultAccess, LegacyAuthorization, MtlsMode } from './enums';
import { IngressGateway } from './ingress-gateway';
import { IngressGatewayProps } from './ingress-gateway-options';
import { declarePlaintextException, IPlaintextDestination } from './kubernetes-api-server';
import { MeshNamespace, MeshNamespaceProps } from './mesh-namespace';
import { MeshCertificateAuthorityOptions, MeshProps } from './mesh-props';
import type { MeshService } from './mesh-service';
import { NetworkPolicies } from './network-policies';
import { Declarations } from './private/declarations';
import { declaring, ensureDeclaredObjects, IstioObjectOwner } from './private/declared-objects';
import { MatchSpecs } from './private/match-specs';
import { MeshEdges } from './private/mesh-edges';
import { PeerSpecs } from './private/peer-specs';
import type { ReferenceWorkload, ReferenceWorkloadOptions } from './reference-workload';
import { EdgesSpec } from '../model/edges';
import { IntentionSpec } from '../model/intention';
import { assertSupports, DEFAULT_ISTIO_VERSION, formatIstioVersion, IstioFeature, IstioVersion, parseIstioVersion } from '../model/istio-version';
import { JwtIssuerSpec } from '../model/jwt-issuer';
import { MeshModel } from '../model/mesh-model';
import { assertDnsLabel, assertDnsSubdomain, assertTrustDomain } from '../model/names';
import { CaMaterial } from '../pki/ca-material';
import { canonicalJson } from '../private/canonical-json';
import { located } from '../private/located';
import { ISTIO_OBJECTS } from '../render/istio/istio-objects';
import { assertLegacyIssuer, checkLegacyAuthorization } from '../render/istio-legacy/legacy-checks';
import { NetworkPolicySettings, unreachableExternalHosts } from '../render/network/network-policy-plan';
import { PATH_NORMALIZATIONS, PathNormalization } from '../semantics/path-normalization';

/**
 * A service mesh: the root of a trustmesh declaration. Namespaces, services and their intentions
 * are added to it; each namespace synthesizes into its own file under `dist/<mesh name>/`.
 *
 * @example
 * const mesh = new Mesh(app, 'bookinfo', { istioVersion: '1.30' });
 * const ns = mesh.addNamespace('bookinfo');
 * const productpage = ns.addService('productpage', { serviceAccount: 'bookinfo-productpage', ports: [Port.http(9080)] });
 * const details = ns.addService('details', { serviceAccount: 'bookinfo-details', ports: [Port.http(9080)] });
 * details.allowFrom(productpage, { methods: [HttpMethod.GET] });
 */
export class Mesh extends Construct implements IstioObjectOwner {
  /** Brand check that works across package copies. */
  public static isMesh(x: unknown): x is Mesh {
    return typeof x === 'object' && x !== null && MESH in x;
  }

  public readonly meshName: string;
  public readonly trustDomain: string;
  public readonly trustDomainAliases: readonly string[];
  public readonly rootNamespace: string;
  public readonly istioVersion: IstioVersion;
  /**
   * The authorization API of a legacy target (see {@link MeshProps.legacyAuthorization}): `RBAC`
   * or, on 1.4, `AUTHORIZATION_POLICY`; `undefined` from Istio 1.5 on.
   */
  public readonly legacyAuthorization?: LegacyAuthorization;
  public readonly mtls: MtlsMode;
  public readonly defaultAccess: DefaultAccess;
  public readonly clusterDomain: string;
  /** The MeshConfig path normalization the mesh runs with (see {@link MeshProps.pathNormalization}). */
  public readonly pathNormalization: PathNormalization;
  /** Defaults for reference workloads, when the mesh opted in. */
  public readonly referenceWorkloads?: ReferenceWorkloadOptions;
  /** The Kubernetes NetworkPolicies this mesh emits, when it opted in. */
  public readonly networkPolicies?: NetworkPolicies;
  /** Chart for the root namespace (mesh-wide objects). */
  public readonly rootChart: Chart;

  /**
   * @internal Everything this mesh's model is derived from is declared through these containers;
   * each write bumps their revision, which the cached {@link model} is checked against.
   */
  public readonly _declarations = new Declarations();
  private readonly _namespaces = this._declarations.map<string, MeshNamespace>();
  private readonly _services = this._declarations.list<MeshService>();
  private readonly _issuers = this._declarations.map<string, JwtIssuerSpec>();
  private readonly _intentions = this._declarations.list<IntentionSpec>();
  private certificateAuthority?: CertificateAuthority;
  private readonly extraDiagnostics: (() => readonly Diagnostic[])[] = [];
  private cached?: { revision: number; model: MeshModel };
  private readonly networkPolicySettings?: NetworkPolicySettings;
  /** @internal gateways, egress, plaintext exceptions and access logging of this mesh. */
  public readonly _edges: MeshEdges = new MeshEdges(this);
  /** @internal the reference workloads of this mesh, in declaration order (each adds itself). */
  public readonly _workloads: ReferenceWorkload[] = [];
  /** @internal the match specs of this mesh's intentions, one per distinct match. */
  public readonly _matchSpecs: MatchSpecs;
  /** @internal the peers of this mesh's intentions, one per distinct peer. */
  public readonly _peerSpecs = new PeerSpecs();

  public constructor(scope: Construct, id: string, props: MeshProps = {}) {
    super(scope, id);
    Object.defineProperty(this, MESH, { value: true });
    const checked = located(this, () => {
      const name = props.name ?? id;
      assertDnsLabel(name, 'mesh name');
      const trustDomain = props.trustDomain ?? 'cluster.local';
      assertTrustDomain(trustDomain, 'trust domain');
      for (const alias of props.trustDomainAliases ?? []) assertTrustDomain(alias, 'trust domain alias');
      const rootNamespace = props.rootNamespace ?? 'istio-system';
      assertDnsLabel(rootNamespace, 'root namespace');
      const clusterDomain = props.clusterDomain ?? 'cluster.local';
      assertDnsSubdomain(clusterDomain, 'cluster domain');
      const istioVersion = props.istioVersion !== undefined ? parseIstioVersion(props.istioVersion) : DEFAULT_ISTIO_VERSION;
      const pathNormalization = checkPathNormalization(props.pathNormalization ?? 'BASE');
      const legacyAuthorization = checkLegacyAuthorization(istioVersion, props.legacyAuthorization) as LegacyAuthorization | undefined;
      return { name, trustDomain, rootNamespace, clusterDomain, istioVersion, pathNormalization, legacyAuthorization };
    });
    this.meshName = checked.name;
    this.trustDomain = checked.trustDomain;
    this.trustDomainAliases = [...(props.trustDomainAliases ?? [])];
    this.rootNamespace = checked.rootNamespace;
    this.clusterDomain = checked.clusterDomain;
    this.istioVersion = checked.istioVersion;
    this.legacyAuthorization = checked.legacyAuthorization;
    this.pathNormalization = checked.pathNormalization;
    this._matchSpecs = new MatchSpecs(this.istioVersion);
    this.mtls = props.mtls ?? MtlsMode.STRICT;
    this.defaultAccess = props.defaultAccess ?? DefaultAccess.DENY;
    this.referenceWorkloads = props.referenceWorkloads;
    this.networkPolicies = props.networkPolicies;
    this.networkPolicySettings = props.networkPolicies?._settings(this.rootNamespace);

    this.rootChart = new Chart(this, this.rootNamespace, { namespace: this.rootNamespace, disableResourceNameHashes: true });
    this._ensureObjects();
    registerDiagnostics(this, () => [...this.model.diagnostics(), ...this.extraDiagnostics.flatMap((produce) => produce())]);
    if (this.networkPolicySettings) this._addDiagnostics(() => this.networkPolicyDiagnostics());
  }

  /**
   * Makes this mesh's trust explicit: emits the plug-in CA (`cacerts` in the root namespace, to the
   * secrets directory), the public trust bundle and a CA summary, from material loaded before synth
   * (`await KeyStore.at('.trustmesh/ca').load()`). The material's trust domain must be the mesh's.
   * @param options.cluster the cluster this mesh's output is applied to; its intermediate signs workloads
   * @default options.cluster - the mesh name
   * @example mesh.useCertificateAuthority(await KeyStore.at('.trustmesh/ca').load())
   */
  public useCertificateAuthority(material: CaMaterial, options: MeshCertificateAuthorityOptions = {}): CertificateAuthority {
    if (this.certificateAuthority) {
      throw new TrustmeshError('TM_CA_ALREADY_SET', `mesh "${this.meshName}" already has a certificate authority`, {
        location: { constructPath: this.node.path },
      });
    }
    const cluster = options.cluster ?? this.meshName;
    this.certificateAuthority = new CertificateAuthority(this, 'CertificateAuthority', {
      ...options,
      material,
      clusters: [cluster],
      istiodNamespace: this.rootNamespace,
      chart: this.rootChart,
      summaryPath: options.summaryPath ?? `${this.node.path}/ca-summary.md`,
    });
    this._addDiagnostics(() => {
      const accepted = [this.trustDomain, ...this.trustDomainAliases];
      if (accepted.includes(material.trustDomain)) return [];
      return [{
        code: 'TM_CA_TRUST_DOMAIN_MISMATCH',
        severity: 'error',
        message: `the CA material was created for trust domain "${material.trustDomain}", but mesh "${this.meshName}" uses ${accepted.map((t) => `"${t}"`).join(', ')}`,
        location: { constructPath: this.node.path },
        fix: `create the store with --trust-domain ${this.trustDomain}, or add "${material.trustDomain}" to trustDomainAliases`,
      }];
    });
    return this.certificateAuthority;
  }

  /** Adds a namespace to the mesh. */
  public addNamespace(name: string, props: MeshNamespaceProps = {}): MeshNamespace {
    return new MeshNamespace(this, name, props);
  }

  /** A declared namespace by name. @throws TrustmeshError TM_UNKNOWN_NAMESPACE */
  public namespace(name: string): MeshNamespace {
    const ns = this._namespaces.items.get(name);
    if (!ns) {
      throw new TrustmeshError('TM_UNKNOWN_NAMESPACE', `mesh "${this.meshName}" has no namespace "${name}"`, {
        value: name, allowed: [...this._namespaces.items.keys()].sort().join(', ') || 'no namespaces declared yet',
      });
    }
    return ns;
  }

  /**
   * A service declared anywhere in this mesh, by `<namespace>/<name>` — for code that declares
   * intentions away from where the service was added.
   * @throws TrustmeshError TM_UNKNOWN_SERVICE
   */
  public service(ref: string): MeshService {
    const [ns, name, ...rest] = ref.split('/');
    if (!ns || !name || rest.length > 0) {
      throw new TrustmeshError('TM_UNKNOWN_SERVICE', 'service reference is not "<namespace>/<name>"', { value: ref });
    }
    return this.namespace(ns).service(name);
  }

  /** Namespaces in declaration order (a copy). */
  public get namespaces(): MeshNamespace[] {
    return [...this._namespaces.items.values()];
  }

  /**
   * The intent model: plain immutable data with its indexes, rebuilt only after a declaration.
   */
  public get model(): MeshModel {
    const revision = this._declarations.revision;
    if (!this.cached || this.cached.revision !== revision) this.cached = { revision, model: this._buildModel() };
    return this.cached.model;
  }

  /**
   * Adds an ingress gateway (by default the `istio: ingressgateway` pods in the root namespace):
   * servers per host and port with their TLS mode, routes to services, and its own authorization.
   * @example
   * const gateway = mesh.addIngressGateway('juice-shop');
   * gateway.addHttpsServer({ hosts: ['juice-shop.example.com'], tls: GatewayTls.simple(credential) });
   * gateway.route(juiceShop);
   */
  public addIngressGateway(id: string, props: IngressGatewayProps = {}): IngressGateway {
    return new IngressGateway(this, id, props);
  }

  /** A declared ingress gateway by name. @throws TrustmeshError TM_UNKNOWN_GATEWAY */
  public ingressGateway(name: string): IngressGateway {
    return this._edges.gateway(name);
  }

  /**
   * Lets workloads reach a host outside the mesh (a ServiceEntry), optionally with TLS the sidecar
   * originates and verifies (a DestinationRule with `sni`, `subjectAltNames`, `caCertificates`).
   * Needed for every external host once egress is locked down.
   * @example mesh.allowEgressTo('api.example.com', { ports: [EgressPort.http(80)], tls: EgressTls.simple() })
   */
  public allowEgressTo(host: string, options: AllowEgressOptions = {}): void {
    declaring(this, () => declareEgress(this, externalServiceSpec(this, host, options)));
  }

  /**
   * Restricts outbound traffic to the service registry (Sidecar `outboundTrafficPolicy.mode:
   * REGISTRY_ONLY`, always written out) for the mesh or some namespaces; `except` namespaces get an
   * explicit ALLOW_ANY. Exceptions are declared with {@link allowEgressTo}. Not a firewall: see
   * docs/edges.md.
   * @example mesh.lockDownEgress({ except: [mesh.namespace('legacy')] })
   */
  public lockDownEgress(options: LockDownEgressOptions = {}): void {
    declaring(this, () => {
      for (const ns of [...(options.namespaces ?? []), ...(options.except ?? [])]) {
        if (ns.mesh !== this) throw new TrustmeshError('TM_UNKNOWN_NAMESPACE', `namespace ${ns.namespaceName} belongs to another mesh`);
      }
      if (options.namespaces) {
        for (const ns of options.namespaces) declareEgressPolicy(this, { scope: { kind: 'namespace', namespace: ns.namespaceName }, mode: 'REGISTRY_ONLY' });
      } else {
        declareEgressPolicy(this, { scope: { kind: 'mesh' }, mode: 'REGISTRY_ONLY' });
      }
      for (const ns of options.except ?? []) declareEgressPolicy(this, { scope: { kind: 'namespace', namespace: ns.namespaceName }, mode: 'ALLOW_ANY' });
    });
  }

  /**
   * Declares, reviewably, that clients reach a destination without Istio mTLS: a DestinationRule
   * with `tls.mode: DISABLE` for exactly that host (never `tls: {}`). For the Kubernetes API server
   * (`KubernetesApiServer.inCluster()`), and for services declared `inMesh: false` (whose
   * `<service>-plaintext` DestinationRule they already emit).
   * @throws TrustmeshError `TM_PLAINTEXT_TO_MESH_SERVICE` for a service with a sidecar
   * @example mesh.plaintextTo(KubernetesApiServer.inCluster())
   */
  public plaintextTo(destination: IPlaintextDestination | MeshService): void {
    declaring(this, () => declarePlaintextException(this, destination));
  }

  /**
   * Turns on access logs through the Telemetry API, for the mesh or some namespaces, optionally
   * filtered. Denials (403/401) and dry-run results then show up in the logs and metrics as
   * docs/edges.md describes.
   * @example mesh.enableAccessLogging({ filter: AccessLogFilter.errors() })
   */
  public enableAccessLogging(options: AccessLoggingOptions = {}): void {
    declaring(this, () => declareAccessLogging(this, options));
  }

  /** @internal whether a namespace of that name is declared (checked before a new one is created). */
  public _hasNamespace(name: string): boolean {
    return this._namespaces.items.has(name);
  }

  /** @internal */
  public _addNamespace(ns: MeshNamespace): void {
    this._namespaces.set(ns.namespaceName, ns);
  }

  /** @internal called by the service's namespace, which registered it first. */
  public _addService(service: MeshService): void {
    this._services.push(service);
  }

  /** @internal called by the intention's destination, which indexes its own intentions. */
  public _addIntention(intention: IntentionSpec): void {
    this._intentions.push(intention);
  }

  /**
   * @internal Registers an issuer; the same issuer string must always carry the same settings.
   */
  public _registerIssuer(issuer: JwtIssuerSpec): void {
    const existing = this._issuers.items.get(issuer.issuer);
    if (existing) {
      if (canonicalJson(existing) !== canonicalJson(issuer)) {
        throw new TrustmeshError('TM_ISSUER_CONFLICT', `issuer "${issuer.issuer}" is used with two different configurations`, {
          fix: 'create the JwtIssuer once and pass the same instance everywhere',
        });
      }
      return;
    }
    if (issuer.fromCookies.length > 0) assertSupports(this.istioVersion, IstioFeature.JWT_FROM_COOKIES);
    assertLegacyIssuer(this.istioVersion, issuer);
    this._issuers.set(issuer.issuer, issuer);
  }

  /**
   * @internal Adds whole-graph checks that belong to other parts of the mesh (reference workloads,
   * gateways); they run at synth with the mesh's own checks.
   */
  public _addDiagnostics(produce: () => readonly Diagnostic[]): void {
    this.extraDiagnostics.push(produce);
  }

  /** @internal creates the mesh's own objects and those of its egress, exceptions and access logging. */
  public _ensureObjects(): void {
    ensureDeclaredObjects(this, ISTIO_OBJECTS.mesh, this, () => this, () => this.rootChart);
    this._edges.ensureObjects();
  }

  /** @internal the intent model from the current declarations, built afresh (the {@link model} getter caches it). */
  public _buildModel(): MeshModel {
    return MeshModel.of({
      name: this.meshName,
      trustDomain: this.trustDomain,
      trustDomainAliases: this.trustDomainAliases,
      rootNamespace: this.rootNamespace,
      clusterDomain: this.clusterDomain,
      istioVersion: this.istioVersion,
      ...(this.legacyAuthorization ? { legacyAuthorization: this.legacyAuthorization } : {}),
      mtls: this.mtls,
      defaultAccess: this.defaultAccess,
      namespaces: this.namespaces.map((ns) => ns._toSpec()),
      services: this._services.items.map((s) => s._toSpec()),
      issuers: [...this._issuers.items.values()].sort((a, b) => (a.issuer < b.issuer ? -1 : 1)),
      intentions: [...this._intentions.items],
      ...this.edgesSpec(),
    });
  }

  /** @internal the NetworkPolicy settings, when the mesh mirrors intentions as NetworkPolicies. */
  public _networkPolicySettings(): NetworkPolicySettings | undefined {
    return this.networkPolicySettings;
  }

  private networkPolicyDiagnostics(): Diagnostic[] {
    return unreachableExternalHosts(this.model, this.networkPolicySettings!).map((u) => ({
      code: 'TM_NETWORK_POLICY_EGRESS_UNRESOLVED',
      severity: 'error',
      message: `egress is locked down by NetworkPolicy, but external host ${u.host} (allowEgressTo) has no address and the mesh no egress gateway, so pods of ${u.namespaces.join(', ')} cannot reach it`,
      location: { constructPath: this.node.path },
      fix: `give its addresses in NetworkPolicies.mirrorIntentions({ externalIpBlocks: { '${u.host}': ['203.0.113.0/24'] } }), or route egress through an egress gateway ({ egressGateway })`,
    }));
  }

  private edgesSpec(): { edges?: EdgesSpec } {
    const edges = this._edges.toSpec();
    return edges ? { edges } : {};
  }

  /** The target Istio release as text. */
  public get istioVersionText(): string {
    return formatIstioVersion(this.istioVersion);
  }
}

const MESH = Symbol.for('trustmesh.Mesh');

function checkPathNormalization(value: PathNormalization): PathNormalization {
  if (PATH_NORMALIZATIONS.includes(value)) return value;
  throw new TrustmeshError('TM_MESH_CONFIG_INVALID', 'pathNormalization is not a MeshConfig path normalization', {
    value, allowed: PATH_NORMALIZATIONS.join(', '),
  });
}

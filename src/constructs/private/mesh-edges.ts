import { Chart } from 'cdk8s';
import { chartFor } from './chart-for';
import { DeclaredList, DeclaredMap } from './declarations';
import { ensureDeclaredObjects } from './declared-objects';
import { TrustmeshError } from '../../errors';
import { AccessLoggingSpec } from '../../model/access-logging';
import { edgeDiagnostics } from '../../model/edge-checks';
import { EdgesSpec, NO_EDGES } from '../../model/edges';
import { EgressPolicySpec, ExternalServiceSpec, PlaintextExceptionSpec } from '../../model/egress';
import { GatewayCredentialSpec } from '../../model/ingress-gateway';
import { MeshModel } from '../../model/mesh-model';
import { canonicalJson } from '../../private/canonical-json';
import { ISTIO_OBJECTS } from '../../render/istio/istio-objects';
import type { IngressGateway } from '../ingress-gateway';
import type { Mesh } from '../mesh';

/**
 * The edge declarations of one mesh (gateways, egress, plaintext exceptions, access logging),
 * collected for {@link Mesh.model} in the mesh's declaration containers. Gateways are asked for
 * their spec each time, because servers and routes are added to them after they exist. The
 * egress, exception and access-logging objects are created here, in their namespace's chart.
 * @internal
 */
export class MeshEdges {
  private readonly gateways: DeclaredMap<string, IngressGateway>;
  private readonly credentials: DeclaredMap<string, GatewayCredentialSpec>;
  private readonly egressPolicies: DeclaredMap<string, EgressPolicySpec>;
  private readonly externalServices: DeclaredList<ExternalServiceSpec>;
  private readonly plaintextExceptions: DeclaredMap<string, PlaintextExceptionSpec>;
  private readonly accessLogging: DeclaredMap<string, AccessLoggingSpec>;
  private checksRegistered = false;

  public constructor(private readonly mesh: Mesh) {
    const declarations = mesh._declarations;
    this.gateways = declarations.map();
    this.credentials = declarations.map();
    this.egressPolicies = declarations.map();
    this.externalServices = declarations.list();
    this.plaintextExceptions = declarations.map();
    this.accessLogging = declarations.map();
  }

  /** Whether a gateway of that name exists. */
  public hasGateway(name: string): boolean {
    return this.gateways.items.has(name);
  }

  /** Registers a new gateway; its name was checked with {@link hasGateway} before it was created. */
  public addGateway(name: string, gateway: IngressGateway): void {
    this.registerChecks();
    this.gateways.set(name, gateway);
  }

  /** A declared gateway by name. @throws TrustmeshError TM_UNKNOWN_GATEWAY */
  public gateway(name: string): IngressGateway {
    const gw = this.gateways.items.get(name);
    if (!gw) {
      throw new TrustmeshError('TM_UNKNOWN_GATEWAY', `mesh "${this.mesh.meshName}" has no ingress gateway "${name}"`, {
        value: name, allowed: [...this.gateways.items.keys()].sort().join(', ') || 'no gateways declared yet',
      });
    }
    return gw;
  }

  public addCredential(credential: GatewayCredentialSpec): void {
    const key = `${credential.namespace}/${credential.secretName}`;
    const existing = this.credentials.items.get(key);
    if (existing && canonicalJson(existing) !== canonicalJson(credential)) {
      throw new TrustmeshError('TM_GATEWAY_CREDENTIAL_CONFLICT', `Secret ${key} is used as two different gateway credentials`, {
        fix: 'create the GatewayCredential once and pass the same value to every server',
      });
    }
    this.registerChecks();
    this.credentials.set(key, credential);
  }

  public setEgressPolicy(policy: EgressPolicySpec): void {
    const key = policy.scope.kind === 'mesh' ? '' : policy.scope.namespace;
    const existing = this.egressPolicies.items.get(key);
    if (existing && existing.mode !== policy.mode) {
      throw new TrustmeshError('TM_EGRESS_POLICY_CONFLICT',
        `the outbound traffic policy of ${key === '' ? 'the mesh' : `namespace ${key}`} is declared as ${existing.mode} and as ${policy.mode}`, {
          fix: 'declare each scope once (lockDownEgress({ namespaces, except }))',
        });
    }
    this.registerChecks();
    this.egressPolicies.set(key, policy);
  }

  public addExternalService(external: ExternalServiceSpec): void {
    const clash = this.externalServices.items.find((e) => e.namespace === external.namespace
      && (e.name === external.name || e.host === external.host));
    if (clash) {
      throw new TrustmeshError('TM_DUPLICATE_EGRESS_HOST',
        `egress to ${external.host} (ServiceEntry ${external.namespace}/${external.name}) clashes with ${clash.host} (${clash.namespace}/${clash.name})`, {
          fix: 'declare every port of a host in one allowEgressTo call, and give distinct hosts distinct names',
        });
    }
    this.registerChecks();
    this.externalServices.push(external);
  }

  public addPlaintextException(exception: PlaintextExceptionSpec): void {
    const existing = this.plaintextExceptions.items.get(exception.name);
    if (existing && canonicalJson(existing) !== canonicalJson(exception)) {
      throw new TrustmeshError('TM_PLAINTEXT_EXCEPTION_CONFLICT',
        `plaintext exception "${exception.name}" is declared for ${existing.host}:${existing.port} and again for ${exception.host}:${exception.port}`, {
          value: `${exception.host}:${exception.port}`,
          fix: 'declare the destination once, with the port its clients use',
        });
    }
    this.registerChecks();
    this.plaintextExceptions.set(exception.name, exception);
  }

  public addAccessLogging(logging: AccessLoggingSpec): void {
    const key = logging.namespace ?? '';
    if (this.accessLogging.items.has(key)) {
      throw new TrustmeshError('TM_ACCESS_LOGGING_DUPLICATE',
        `access logging is already enabled for ${key === '' ? 'the mesh' : `namespace ${key}`}`, {
          fix: 'call enableAccessLogging once per scope',
        });
    }
    this.registerChecks();
    this.accessLogging.set(key, logging);
  }

  /** The edges as model data, or `undefined` when nothing was declared (the model stays as before). */
  public toSpec(): EdgesSpec | undefined {
    if (!this.checksRegistered) return undefined;
    const byNamespace = <T>(a: [string, T], b: [string, T]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    return {
      gateways: [...this.gateways.items.values()].map((g) => g._toSpec()),
      credentials: [...this.credentials.items].sort(byNamespace).map(([, c]) => c),
      egressPolicies: [...this.egressPolicies.items].sort(byNamespace).map(([, p]) => p),
      externalServices: [...this.externalServices.items],
      plaintextExceptions: [...this.plaintextExceptions.items].sort(byNamespace).map(([, e]) => e),
      accessLogging: [...this.accessLogging.items].sort(byNamespace).map(([, l]) => l),
    };
  }

  /**
   * Creates the objects of the egress policies, external services, plaintext exceptions and
   * access logging declared so far (each in its namespace's chart), unless they exist.
   */
  public ensureObjects(): void {
    const mesh = this.mesh;
    const host = ({ namespace }: { namespace: string }): Chart => chartFor(mesh, namespace);
    const edges = (model: MeshModel): EdgesSpec => model.spec.edges ?? NO_EDGES;
    for (const policy of this.egressPolicies.items.values()) {
      ensureDeclaredObjects(mesh, ISTIO_OBJECTS.egressPolicy, policy, (m) => edges(m).egressPolicies.find((p) => sameScope(p, policy)), host);
    }
    for (const [key, logging] of this.accessLogging.items) {
      ensureDeclaredObjects(mesh, ISTIO_OBJECTS.accessLogging, logging, (m) => edges(m).accessLogging.find((l) => (l.namespace ?? '') === key), host);
    }
    for (const external of this.externalServices.items) {
      ensureDeclaredObjects(mesh, ISTIO_OBJECTS.externalService, external,
        (m) => edges(m).externalServices.find((e) => e.name === external.name && e.namespace === external.namespace), host);
    }
    for (const exception of this.plaintextExceptions.items.values()) {
      ensureDeclaredObjects(mesh, ISTIO_OBJECTS.plaintextException, exception,
        (m) => edges(m).plaintextExceptions.find((e) => e.name === exception.name), host);
    }
  }

  /** Registers the edge checks with the mesh, once, when the first edge is declared. */
  private registerChecks(): void {
    if (this.checksRegistered) return;
    this.checksRegistered = true;
    this.mesh._addDiagnostics(() => {
      const model = this.mesh.model;
      return model.spec.edges ? edgeDiagnostics(model, model.spec.edges) : [];
    });
  }
}

function sameScope(a: EgressPolicySpec, b: EgressPolicySpec): boolean {
  return a.scope.kind === b.scope.kind && (a.scope.kind === 'mesh' || (b.scope.kind === 'namespace' && a.scope.namespace === b.scope.namespace));
}

import { TrustmeshError } from '../../errors';
import { AccessLoggingSpec } from '../../model/access-logging';
import { edgeDiagnostics } from '../../model/edge-checks';
import { EdgesSpec } from '../../model/edges';
import { EgressPolicySpec, ExternalServiceSpec, PlaintextExceptionSpec } from '../../model/egress';
import { GatewayCredentialSpec } from '../../model/ingress-gateway';
import { canonicalJson } from '../../private/canonical-json';
import type { IngressGateway } from '../ingress-gateway';
import type { Mesh } from '../mesh';

/**
 * The edge declarations of one mesh (gateways, egress, plaintext exceptions, access logging),
 * collected for {@link Mesh.model}. Gateways are asked for their spec each time, because servers
 * and routes are added to them after they exist.
 * @internal
 */
export class MeshEdges {
  private readonly gateways = new Map<string, IngressGateway>();
  private readonly credentials = new Map<string, GatewayCredentialSpec>();
  private readonly egressPolicies = new Map<string, EgressPolicySpec>();
  private readonly externalServices: ExternalServiceSpec[] = [];
  private readonly plaintextExceptions = new Map<string, PlaintextExceptionSpec>();
  private readonly accessLogging = new Map<string, AccessLoggingSpec>();
  private checksRegistered = false;

  public constructor(private readonly mesh: Mesh) {}

  /** Whether a gateway of that name exists. */
  public hasGateway(name: string): boolean {
    return this.gateways.has(name);
  }

  /** Registers a new gateway; its name was checked with {@link hasGateway} before it was created. */
  public addGateway(name: string, gateway: IngressGateway): void {
    this.gateways.set(name, gateway);
    this.changed();
  }

  /** A declared gateway by name. @throws TrustmeshError TM_UNKNOWN_GATEWAY */
  public gateway(name: string): IngressGateway {
    const gw = this.gateways.get(name);
    if (!gw) {
      throw new TrustmeshError('TM_UNKNOWN_GATEWAY', `mesh "${this.mesh.meshName}" has no ingress gateway "${name}"`, {
        value: name, allowed: [...this.gateways.keys()].sort().join(', ') || 'no gateways declared yet',
      });
    }
    return gw;
  }

  public addCredential(credential: GatewayCredentialSpec): void {
    const key = `${credential.namespace}/${credential.secretName}`;
    const existing = this.credentials.get(key);
    if (existing && canonicalJson(existing) !== canonicalJson(credential)) {
      throw new TrustmeshError('TM_GATEWAY_CREDENTIAL_CONFLICT', `Secret ${key} is used as two different gateway credentials`, {
        fix: 'create the GatewayCredential once and pass the same value to every server',
      });
    }
    this.credentials.set(key, credential);
    this.changed();
  }

  public setEgressPolicy(policy: EgressPolicySpec): void {
    const key = policy.scope.kind === 'mesh' ? '' : policy.scope.namespace;
    const existing = this.egressPolicies.get(key);
    if (existing && existing.mode !== policy.mode) {
      throw new TrustmeshError('TM_EGRESS_POLICY_CONFLICT',
        `the outbound traffic policy of ${key === '' ? 'the mesh' : `namespace ${key}`} is declared as ${existing.mode} and as ${policy.mode}`, {
          fix: 'declare each scope once (lockDownEgress({ namespaces, except }))',
        });
    }
    this.egressPolicies.set(key, policy);
    this.changed();
  }

  public addExternalService(external: ExternalServiceSpec): void {
    const clash = this.externalServices.find((e) => e.namespace === external.namespace && (e.name === external.name || e.host === external.host));
    if (clash) {
      throw new TrustmeshError('TM_DUPLICATE_EGRESS_HOST',
        `egress to ${external.host} (ServiceEntry ${external.namespace}/${external.name}) clashes with ${clash.host} (${clash.namespace}/${clash.name})`, {
          fix: 'declare every port of a host in one allowEgressTo call, and give distinct hosts distinct names',
        });
    }
    this.externalServices.push(external);
    this.changed();
  }

  public addPlaintextException(exception: PlaintextExceptionSpec): void {
    const existing = this.plaintextExceptions.get(exception.name);
    if (existing && canonicalJson(existing) !== canonicalJson(exception)) {
      throw new TrustmeshError('TM_PLAINTEXT_EXCEPTION_CONFLICT',
        `plaintext exception "${exception.name}" is declared for ${existing.host}:${existing.port} and again for ${exception.host}:${exception.port}`, {
          value: `${exception.host}:${exception.port}`,
          fix: 'declare the destination once, with the port its clients use',
        });
    }
    this.plaintextExceptions.set(exception.name, exception);
    this.changed();
  }

  public addAccessLogging(logging: AccessLoggingSpec): void {
    const key = logging.namespace ?? '';
    if (this.accessLogging.has(key)) {
      throw new TrustmeshError('TM_ACCESS_LOGGING_DUPLICATE',
        `access logging is already enabled for ${key === '' ? 'the mesh' : `namespace ${key}`}`, {
          fix: 'call enableAccessLogging once per scope',
        });
    }
    this.accessLogging.set(key, logging);
    this.changed();
  }

  /** The edges as model data, or `undefined` when nothing was declared (the model stays as before). */
  public toSpec(): EdgesSpec | undefined {
    if (!this.checksRegistered) return undefined;
    const byNamespace = <T>(a: [string, T], b: [string, T]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    return {
      gateways: [...this.gateways.values()].map((g) => g._toSpec()),
      credentials: [...this.credentials].sort(byNamespace).map(([, c]) => c),
      egressPolicies: [...this.egressPolicies].sort(byNamespace).map(([, p]) => p),
      externalServices: [...this.externalServices],
      plaintextExceptions: [...this.plaintextExceptions].sort(byNamespace).map(([, e]) => e),
      accessLogging: [...this.accessLogging].sort(byNamespace).map(([, l]) => l),
    };
  }

  /** Invalidates the mesh's model; registers the edge checks on first use. */
  public changed(): void {
    if (!this.checksRegistered) {
      this.checksRegistered = true;
      this.mesh._addDiagnostics(() => {
        const model = this.mesh.model;
        return model.spec.edges ? edgeDiagnostics(model, model.spec.edges) : [];
      });
    }
    this.mesh._touch();
  }
}

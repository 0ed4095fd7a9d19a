import { Chart } from 'cdk8s';
import type { IServiceAccount } from 'cdk8s-plus-28';
import { TrustmeshError } from '../errors';
import { DefaultAccess, MtlsMode } from './enums';
import type { Mesh } from './mesh';
import { MeshService, MeshServiceProps } from './mesh-service';
import { IMeshPeer, PeerConfig } from './peer';
import { NamespaceSpec } from '../model/mesh-spec';
import { assertDnsLabel } from '../model/names';
import { located } from '../private/located';
import { ensureDeclaredObjects, IstioObjectOwner } from './private/declared-objects';
import { ensureNamespaceNetworkPolicies } from './private/mirrored-network-policy';
import { ISTIO_OBJECTS } from '../render/istio/istio-objects';

/** Props of {@link MeshNamespace}. */
export interface MeshNamespaceProps {
  /**
   * mTLS mode for every workload of the namespace.
   * @default - inherited from the mesh
   */
  readonly mtls?: MtlsMode;
  /**
   * What happens to requests no ALLOW intention covers.
   * @default - the mesh's defaultAccess
   */
  readonly defaultAccess?: DefaultAccess;
}

/**
 * A Kubernetes namespace of the mesh. Its objects synthesize into one file,
 * `dist/<mesh>/<namespace>.k8s.yaml`. As a peer it stands for every identity of the namespace.
 */
export class MeshNamespace extends Chart implements IMeshPeer, IstioObjectOwner {
  public readonly mesh: Mesh;
  public readonly namespaceName: string;
  public readonly mtls?: MtlsMode;
  public readonly defaultAccess?: DefaultAccess;
  /** @internal the ServiceAccounts reference workloads emitted here, by name (one object per name). */
  public readonly _serviceAccounts = new Map<string, IServiceAccount>();
  private readonly _services = new Map<string, MeshService>();

  public constructor(mesh: Mesh, name: string, props: MeshNamespaceProps = {}) {
    // Checked before the construct exists: a duplicate id would otherwise surface as a generic
    // constructs error instead of a coded one.
    super(mesh, checkNamespaceName(mesh, name), { namespace: name, disableResourceNameHashes: true });
    this.mesh = mesh;
    this.namespaceName = name;
    this.mtls = props.mtls;
    this.defaultAccess = props.defaultAccess;
    mesh._addNamespace(this);
    this._ensureObjects();
  }

  /** Declares a service in this namespace. */
  public addService(name: string, props: MeshServiceProps = {}): MeshService {
    return new MeshService(this, name, props);
  }

  /** A service of this namespace by name. @throws TrustmeshError TM_UNKNOWN_SERVICE */
  public service(name: string): MeshService {
    const s = this._services.get(name);
    if (!s) {
      throw new TrustmeshError('TM_UNKNOWN_SERVICE', `namespace ${this.namespaceName} has no service "${name}"`, {
        value: name, allowed: [...this._services.keys()].sort().join(', ') || 'no services declared yet',
      });
    }
    return s;
  }

  /** Services declared in this namespace (a copy). */
  public get services(): MeshService[] {
    return [...this._services.values()];
  }

  /** @internal whether a service of that name is declared here (checked before a new one is created). */
  public _hasService(name: string): boolean {
    return this._services.has(name);
  }

  /** @internal registers a new service here and with the mesh. */
  public _registerService(service: MeshService): void {
    this._services.set(service.name, service);
    this.mesh._addService(service);
  }

  /** @internal creates the namespace's PeerAuthentication and default-deny policy when its props call for them. */
  public _ensureObjects(): void {
    ensureDeclaredObjects(this.mesh, ISTIO_OBJECTS.namespace, this._toSpec(), (model) => model.namespace(this.namespaceName), () => this);
    ensureNamespaceNetworkPolicies(this);
  }

  /** @internal */
  public _toPeerConfig(): PeerConfig {
    return { peer: { kind: 'namespace', namespace: this.namespaceName }, issuers: [] };
  }

  /** @internal */
  public _toSpec(): NamespaceSpec {
    return {
      name: this.namespaceName,
      ...(this.mtls ? { mtls: this.mtls } : {}),
      ...(this.defaultAccess ? { defaultAccess: this.defaultAccess } : {}),
    };
  }
}

function checkNamespaceName(mesh: Mesh, name: string): string {
  located(mesh, () => {
    assertDnsLabel(name, 'namespace name');
    if (name === mesh.rootNamespace) {
      throw new TrustmeshError('TM_ROOT_NAMESPACE_RESERVED',
        `"${name}" is the mesh's root namespace: policies there apply to every namespace`, {
          fix: 'declare workloads in their own namespaces; reference root-namespace workloads (gateways) with MeshService.fromAttributes',
        });
    }
    if (mesh._hasNamespace(name)) {
      throw new TrustmeshError('TM_DUPLICATE_NAMESPACE', `namespace "${name}" is declared twice in mesh "${mesh.meshName}"`, {
        fix: 'declare it once and reuse the MeshNamespace (mesh.namespace(name))',
      });
    }
  });
  return name;
}

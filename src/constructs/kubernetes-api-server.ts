import { TrustmeshError } from '../errors';
import type { Mesh } from './mesh';
import { MeshService } from './mesh-service';
import { PlaintextExceptionSpec } from '../model/egress';
import { assertPortNumber } from '../model/service-port';
import { located } from '../private/located';

/**
 * A destination that clients must reach without Istio's mTLS: its DestinationRule says
 * `tls.mode: DISABLE` for exactly that host. Implemented by {@link KubernetesApiServer} and by
 * {@link MeshService} (for services declared `inMesh: false`).
 */
export interface IPlaintextDestination {
  /** @internal the exception for this mesh, or `undefined` when the destination already emits it. */
  _toPlaintextException(mesh: Mesh): PlaintextExceptionSpec | undefined;
}

/** Options of {@link KubernetesApiServer.inCluster}. */
export interface KubernetesApiServerOptions {
  /**
   * Port of the `kubernetes` Service.
   * @default 443
   */
  readonly port?: number;
}

/**
 * The Kubernetes API server as a destination: `kubernetes.default.svc.<clusterDomain>` on 443. It
 * runs without a sidecar and clients speak TLS to it themselves; with mesh-wide mTLS settings in a
 * DestinationRule, sidecars would wrap that in Istio mTLS the API server cannot terminate.
 *
 * @see https://istio.io/latest/docs/ops/common-problems/network-issues/
 * @example mesh.plaintextTo(KubernetesApiServer.inCluster())
 */
export class KubernetesApiServer implements IPlaintextDestination {
  /** The API server behind the `kubernetes` Service of the `default` namespace. */
  public static inCluster(options: KubernetesApiServerOptions = {}): KubernetesApiServer {
    const port = options.port ?? 443;
    assertPortNumber(port, 'API server port');
    return new KubernetesApiServer(port);
  }

  private constructor(public readonly port: number) {}

  /** The host name in a mesh (`kubernetes.default.svc.<clusterDomain>`). */
  public hostIn(mesh: Mesh): string {
    return `kubernetes.default.svc.${mesh.clusterDomain}`;
  }

  /** @internal */
  public _toPlaintextException(mesh: Mesh): PlaintextExceptionSpec {
    return {
      name: 'kubernetes-api-server-plaintext',
      host: this.hostIn(mesh),
      port: this.port,
      namespace: mesh.rootNamespace,
      reason: 'the Kubernetes API server has no sidecar; clients speak TLS to it themselves',
    };
  }
}

/** A declared service needs no exception of its own: out of the mesh, it emits `<svc>-plaintext` itself. */
function assertPlaintextService(mesh: Mesh, service: MeshService): void {
  if (service.mesh !== mesh) {
    throw new TrustmeshError('TM_UNKNOWN_SERVICE', `${service.namespace}/${service.name} belongs to mesh "${service.mesh.meshName}"`);
  }
  if (service.inMesh) {
    throw new TrustmeshError('TM_PLAINTEXT_TO_MESH_SERVICE',
      `${service.namespace}/${service.name} runs with a sidecar: a DISABLE DestinationRule would send it plaintext, which its STRICT or PERMISSIVE mTLS treats as an unauthenticated caller (STRICT refuses every connection, Kiali KIA0207/KIA0208)`, {
        fix: 'declare the service with inMesh: false if it really has no sidecar; its <service>-plaintext DestinationRule is emitted with it',
      });
  }
}

/** @internal registers a plaintext exception (its DestinationRule is created by the mesh). */
export function declarePlaintextException(mesh: Mesh, destination: IPlaintextDestination | MeshService): void {
  located(mesh, () => {
    if (destination instanceof MeshService) {
      assertPlaintextService(mesh, destination);
      return;
    }
    const spec = destination._toPlaintextException(mesh);
    if (!spec) return;
    mesh._edges.addPlaintextException(spec);
  });
}

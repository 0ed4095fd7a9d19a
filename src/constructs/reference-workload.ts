import { Construct } from 'constructs';
import type { MeshService } from './mesh-service';

/**
 * Options for a service's reference workload (ServiceAccount, Service, Deployment with the Istio
 * sidecar). Placeholder: being built for the reference-workload issue.
 */
export interface ReferenceWorkloadOptions {
  /** Application container image. */
  readonly image?: string;
}

/** A service's reference workload. Placeholder: being built for the reference-workload issue. */
export class ReferenceWorkload extends Construct {
  /**
   * @internal Creates the reference workload of a service when the mesh or the service opts in.
   */
  public static _forService(_service: MeshService, _meshDefaults: ReferenceWorkloadOptions | undefined,
    _own: ReferenceWorkloadOptions | undefined): ReferenceWorkload | undefined {
    return undefined;
  }
}

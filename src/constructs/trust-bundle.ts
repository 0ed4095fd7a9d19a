import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { TrustmeshError } from '../errors';
import { Certificate } from '../pki/certificate';
import { validateNamespace, validateSubdomainName } from '../pki/names';
import { joinPem } from '../pki/pem';

/** Props of {@link TrustBundle}. */
export interface TrustBundleProps {
  /** Every root to trust, in order. */
  readonly roots: readonly Certificate[];
  /**
   * ConfigMap name.
   *
   * Not `istio-ca-root-cert`: istiod's namespace controller owns ConfigMaps of that name in every
   * namespace and rewrites them from its own CA, so a copy applied from Git would be overwritten
   * (and re-applied, and overwritten) in a loop. A different name with the same shape gives
   * consumers outside the mesh (VMs, clients of MUTUAL gateways, monitoring) a reviewed copy of the
   * bundle without fighting istiod.
   * @default 'trustmesh-ca-root-cert'
   */
  readonly name?: string;
  /**
   * Namespace.
   * @default 'istio-system'
   */
  readonly namespace?: string;
}

/**
 * The public trust bundle as a ConfigMap in the shape of Istio's `istio-ca-root-cert` (data key
 * `root-cert.pem`), holding every currently trusted root: one normally, two while a root
 * rotation is under way. Reviewable: it holds certificates only.
 */
export class TrustBundle extends Construct {
  /** The ConfigMap name. */
  public readonly configMapName: string;
  /** The ConfigMap namespace. */
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: TrustBundleProps) {
    super(scope, id);
    if (props.roots.length === 0) {
      throw new TrustmeshError('TM_CA_NO_ROOT', 'a trust bundle needs at least one root certificate', {
        location: { constructPath: this.node.path },
      });
    }
    this.configMapName = validateSubdomainName(props.name ?? 'trustmesh-ca-root-cert', 'ConfigMap name');
    this.namespace = validateNamespace(props.namespace ?? 'istio-system');
    new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name: this.configMapName, namespace: this.namespace },
      data: { 'root-cert.pem': joinPem(props.roots.map((r) => r.pem)) },
    });
  }
}

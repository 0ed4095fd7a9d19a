import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SecretChart } from './secret-chart';
import { base64 } from './tls-secret';
import { IssuedCertificate } from '../pki/issued-certificate';
import { validateNamespace, validateSubdomainName } from '../pki/names';

/** Props of {@link PluginCaSecret}. */
export interface PluginCaSecretProps {
  /** The cluster intermediate with its key (signed by the root at the end of its issuers). */
  readonly intermediate: IssuedCertificate;
  /** `root-cert.pem`: every trusted root (both of them during a root rotation). */
  readonly trustBundlePem: string;
  /**
   * Namespace of istiod.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Secret name. istiod reads `cacerts`; change it only for tooling that copies it there.
   * @default 'cacerts'
   */
  readonly name?: string;
}

/**
 * Istio's plug-in CA Secret (`cacerts`, type Opaque) with `ca-cert.pem`, `ca-key.pem`,
 * `root-cert.pem` and `cert-chain.pem` (intermediate + root), as the Istio plug-in CA task creates
 * it with `kubectl create secret generic cacerts --from-file=…`.
 *
 * istiod reads it only when it starts (istio/istio#22993): after applying a changed `cacerts`,
 * restart istiod.
 *
 * Must be created inside a {@link SecretChart}.
 *
 * @see https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/
 */
export class PluginCaSecret extends Construct {
  /** The Secret name. */
  public readonly secretName: string;
  /** The Secret namespace. */
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: PluginCaSecretProps) {
    super(scope, id);
    if (!SecretChart.isSecretChart(Chart.of(this))) {
      throw new TypeError(`PluginCaSecret ${this.node.path} holds a private key and must be created inside a SecretChart (written to the secrets directory, never to dist/)`);
    }
    this.secretName = validateSubdomainName(props.name ?? 'cacerts', 'Secret name');
    this.namespace = validateNamespace(props.namespace ?? 'istio-system');
    const intermediate = props.intermediate;
    new k8s.KubeSecret(this, 'Resource', {
      metadata: { name: this.secretName, namespace: this.namespace },
      type: 'Opaque',
      data: {
        'ca-cert.pem': base64(intermediate.certificate.pem),
        'ca-key.pem': base64(intermediate.privateKey.revealPem()),
        'cert-chain.pem': base64(intermediate.fullChainPem()),
        'root-cert.pem': base64(props.trustBundlePem),
      },
    });
  }
}

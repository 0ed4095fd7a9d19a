import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SecretChart } from './secret-chart';
import { Certificate } from '../pki/certificate';
import { IssuedCertificate } from '../pki/issued-certificate';
import { validateNamespace, validateSubdomainName } from '../pki/names';
import { joinPem } from '../pki/pem';

/** Props of {@link TlsSecret}. */
export interface TlsSecretProps {
  /** Secret name: what a Gateway's `tls.credentialName` (or a DestinationRule's) refers to. */
  readonly name: string;
  /** Namespace; for a Gateway, the namespace of the gateway deployment. */
  readonly namespace: string;
  /** The certificate and key; `tls.crt` holds it and its intermediates (not the root). */
  readonly credential: IssuedCertificate;
  /**
   * CA certificates to put in `ca.crt`: for a MUTUAL gateway, the roots client certificates must
   * chain to; for a DestinationRule, the roots the server must chain to.
   * @default - no `ca.crt` (enough for SIMPLE TLS)
   */
  readonly caCertificates?: readonly Certificate[];
}

/**
 * A `kubernetes.io/tls` Secret with `tls.crt`, `tls.key` and optionally `ca.crt`, the layout Istio
 * reads for gateway `credentialName` (SIMPLE and MUTUAL) and DestinationRule `credentialName`.
 *
 * It holds a private key, so it must be created inside a {@link SecretChart}, which
 * {@link TrustmeshApp} writes to the git-ignored secrets directory.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/
 * @example
 * new TlsSecret(secrets, 'juice-shop', { name: 'juice-shop-credential', namespace: 'istio-system', credential });
 */
export class TlsSecret extends Construct {
  /** The Secret name. */
  public readonly secretName: string;
  /** The Secret namespace. */
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: TlsSecretProps) {
    super(scope, id);
    if (!SecretChart.isSecretChart(Chart.of(this))) {
      throw new TypeError(`TlsSecret ${this.node.path} holds a private key and must be created inside a SecretChart (written to the secrets directory, never to dist/)`);
    }
    this.secretName = validateSubdomainName(props.name, 'Secret name');
    this.namespace = validateNamespace(props.namespace);
    const data: Record<string, string> = {
      'tls.crt': base64(props.credential.chainPem()),
      'tls.key': base64(props.credential.privateKey.revealPem()),
    };
    if (props.caCertificates && props.caCertificates.length > 0) {
      data['ca.crt'] = base64(joinPem(props.caCertificates.map((c) => c.pem)));
    }
    new k8s.KubeSecret(this, 'Resource', {
      metadata: { name: this.secretName, namespace: this.namespace },
      type: 'kubernetes.io/tls',
      data,
    });
  }
}

/** @internal */
export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

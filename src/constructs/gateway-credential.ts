import { TrustmeshError } from '../errors';
import type { CertificateAuthority } from './certificate-authority';
import { issuedCredential, issuedSecret } from './private/issued-credential';
import { GatewayCredentialSpec } from '../model/ingress-gateway';
import { formatIstioVersion, isLegacyTarget, IstioVersion } from '../model/istio-version';
import { validateSubdomainName } from '../pki/names';
import { LEGACY_GATEWAY_CERTS } from '../render/istio-legacy/gateway';

/** Options of {@link GatewayCredential.fromCa}. */
export interface GatewayCredentialFromCaOptions {
  /**
   * Secret name, what the Gateway's `credentialName` refers to.
   *
   * On a legacy target (Istio 1.0–1.4) the gateway reads the certificate files the 1.x ingress
   * gateway mounts, so the Secret is always `istio-ingressgateway-certs` (docs/legacy-target.md):
   * leave this unset there; another name is refused (`TM_GATEWAY_LEGACY_SECRET_NAME`).
   * @default - the credential name; `istio-ingressgateway-certs` on a legacy target
   */
  readonly secretName?: string;
  /**
   * Put the trust bundle into `ca.crt`, so MUTUAL and OPTIONAL_MUTUAL servers verify client
   * certificates issued by this CA (`trustmesh ca issue client`). On a legacy target the bundle
   * goes into a second Secret, `istio-ingressgateway-ca-certs` (`ca.crt`), which the 1.x gateway
   * mounts for MUTUAL.
   * @default false - server certificate only (SIMPLE)
   */
  readonly verifyClients?: boolean;
}

/** Options of {@link GatewayCredential.fromSecretName}. */
export interface ExistingGatewayCredentialOptions {
  /**
   * Whether the Secret carries a CA bundle for client certificates (`ca.crt`, `cacert`, or a
   * `<name>-cacert` Secret), as MUTUAL and OPTIONAL_MUTUAL servers need.
   * @default false
   */
  readonly clientCa?: boolean;
}

/**
 * The certificate a gateway server presents: a `kubernetes.io/tls` Secret in the gateway
 * workload's namespace, named by the server's `credentialName`. Either issued by the mesh CA
 * (`trustmesh ca issue gateway`) and emitted into the secrets output when a gateway uses it, or a
 * Secret managed elsewhere (cert-manager, an existing cluster), referenced by name.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/
 * @example
 * const ca = mesh.useCertificateAuthority(await KeyStore.at('.trustmesh/ca').load());
 * const credential = GatewayCredential.fromCa(ca, 'juice-shop', { secretName: 'juice-shop-credential' });
 * const existing = GatewayCredential.fromSecretName('shop-tls');
 */
export class GatewayCredential {
  /**
   * A credential issued from the key store (`trustmesh ca issue gateway --name <credential> --host …
   * --cluster <the mesh's cluster>`), emitted by `ca` into the secrets output of its cluster. On a
   * legacy target (Istio 1.0–1.4) it is emitted as the Secrets the 1.x ingress gateway mounts
   * (`istio-ingressgateway-certs`, and `istio-ingressgateway-ca-certs` with `verifyClients`).
   * @throws TrustmeshError `TM_CA_UNKNOWN_CREDENTIAL` (not issued yet), `TM_GATEWAY_CREDENTIAL_KIND`, `TM_GATEWAY_CREDENTIAL_WRONG_CLUSTER`;
   *   when a server uses it on a legacy target with another explicit `secretName`, `TM_GATEWAY_LEGACY_SECRET_NAME`
   */
  public static fromCa(ca: CertificateAuthority, credential: string, options: GatewayCredentialFromCaOptions = {}): GatewayCredential {
    const found = issuedCredential(ca, credential, 'gateway', 'trustmesh ca issue gateway');
    if (!ca.clusters.includes(found.cluster)) {
      throw new TrustmeshError('TM_GATEWAY_CREDENTIAL_WRONG_CLUSTER',
        `credential "${found.name}" was issued under cluster ${found.cluster}, but this CA emits cluster ${ca.clusters.join(', ')}`, {
          value: found.cluster,
          allowed: ca.clusters.join(', '),
          fix: `issue one for this cluster: \`trustmesh ca issue gateway --name <name> --host … --cluster ${ca.clusters[0]}\``,
        });
    }
    const verifyClients = options.verifyClients ?? false;
    const secret = issuedSecret(ca, found, options.secretName, verifyClients);
    return new GatewayCredential(secret.secretName, 'ca', verifyClients, found.credential.certificate.dnsNames, secret.emit);
  }

  /** A Secret in the gateway's namespace that trustmesh does not emit (cert-manager, created by hand). */
  public static fromSecretName(secretName: string, options: ExistingGatewayCredentialOptions = {}): GatewayCredential {
    const name = validateSubdomainName(secretName, 'Secret name');
    return new GatewayCredential(name, 'existing', options.clientCa ?? false, undefined, (_namespace, gatewayTarget) => {
      // A 1.x gateway reads the mounted Secret's files whatever the Gateway says: another name would be ignored silently.
      if (gatewayTarget !== undefined && isLegacyTarget(gatewayTarget) && name !== LEGACY_GATEWAY_CERTS.secret) {
        throw new TrustmeshError('TM_GATEWAY_LEGACY_SECRET_NAME',
          `Secret "${name}" is not what the Istio ${formatIstioVersion(gatewayTarget)} ingress gateway reads: it mounts its certificate from Secret ${LEGACY_GATEWAY_CERTS.secret}`, {
            value: name,
            allowed: LEGACY_GATEWAY_CERTS.secret,
            fix: `GatewayCredential.fromSecretName('${LEGACY_GATEWAY_CERTS.secret}') (that Secret, with tls.crt and tls.key, in the gateway's namespace), or GatewayCredential.fromCa(...) to have the CA issue it`,
          });
      }
      return name;
    });
  }

  /**
   * The Secret name (`credentialName`). A CA credential used on a legacy target (Istio 1.0–1.4) is
   * emitted as `istio-ingressgateway-certs` instead (see {@link GatewayCredentialFromCaOptions.secretName}).
   */
  public readonly secretName: string;
  /** Whether the Secret carries a CA bundle for client certificates. */
  public readonly clientCa: boolean;

  private constructor(
    secretName: string,
    private readonly origin: GatewayCredentialSpec['origin'],
    clientCa: boolean,
    private readonly dnsNames: readonly string[] | undefined,
    private readonly emit: (namespace: string, gatewayTarget?: IstioVersion) => string,
  ) {
    this.secretName = secretName;
    this.clientCa = clientCa;
  }

  /**
   * @internal Emits the Secret into `namespace` (once) and describes it for the model;
   * `gatewayTarget` is the Istio release of the gateway's mesh (legacy targets use the mounted Secrets).
   */
  public _bind(namespace: string, gatewayTarget?: IstioVersion): GatewayCredentialSpec {
    const secretName = this.emit(namespace, gatewayTarget);
    return {
      secretName,
      namespace,
      origin: this.origin,
      clientCa: this.clientCa,
      ...(this.dnsNames ? { dnsNames: [...this.dnsNames] } : {}),
    };
  }
}

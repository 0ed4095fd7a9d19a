import { TrustmeshError } from '../errors';
import type { CertificateAuthority } from './certificate-authority';
import { GatewayCredentialSpec } from '../model/ingress-gateway';
import { CredentialKind } from '../pki/ca-material';
import { validateSubdomainName } from '../pki/names';

/** Options of {@link GatewayCredential.fromCa}. */
export interface GatewayCredentialFromCaOptions {
  /**
   * Secret name, what the Gateway's `credentialName` refers to.
   * @default - the credential name
   */
  readonly secretName?: string;
  /**
   * Put the trust bundle into `ca.crt`, so MUTUAL and OPTIONAL_MUTUAL servers verify client
   * certificates issued by this CA (`trustmesh ca issue client`).
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
   * --cluster <the mesh's cluster>`), emitted by `ca` into the secrets output of its cluster.
   * @throws TrustmeshError `TM_CA_UNKNOWN_CREDENTIAL` (not issued yet), `TM_GATEWAY_CREDENTIAL_KIND`, `TM_GATEWAY_CREDENTIAL_WRONG_CLUSTER`
   */
  public static fromCa(ca: CertificateAuthority, credential: string, options: GatewayCredentialFromCaOptions = {}): GatewayCredential {
    const found = ca.material.credential(credential);
    assertKind(found.name, found.kind, 'gateway', 'trustmesh ca issue gateway');
    if (!ca.clusters.includes(found.cluster)) {
      throw new TrustmeshError('TM_GATEWAY_CREDENTIAL_WRONG_CLUSTER',
        `credential "${found.name}" was issued under cluster ${found.cluster}, but this CA emits cluster ${ca.clusters.join(', ')}`, {
          value: found.cluster,
          allowed: ca.clusters.join(', '),
          fix: `issue one for this cluster: \`trustmesh ca issue gateway --name <name> --host … --cluster ${ca.clusters[0]}\``,
        });
    }
    const secretName = validateSubdomainName(options.secretName ?? found.name, 'Secret name');
    // Emitted once per namespace for this value; create the credential once and share it.
    const emitted = new Set<string>();
    return new GatewayCredential(secretName, 'ca', options.verifyClients ?? false, found.credential.certificate.dnsNames, (namespace) => {
      if (emitted.has(namespace)) return;
      emitted.add(namespace);
      ca.addGatewayCredential(found.name, { secretName, namespace, verifyClients: options.verifyClients ?? false });
    });
  }

  /** A Secret in the gateway's namespace that trustmesh does not emit (cert-manager, created by hand). */
  public static fromSecretName(secretName: string, options: ExistingGatewayCredentialOptions = {}): GatewayCredential {
    return new GatewayCredential(validateSubdomainName(secretName, 'Secret name'), 'existing', options.clientCa ?? false, undefined, () => undefined);
  }

  /** The Secret name (`credentialName`). */
  public readonly secretName: string;
  /** Whether the Secret carries a CA bundle for client certificates. */
  public readonly clientCa: boolean;

  private constructor(
    secretName: string,
    private readonly origin: GatewayCredentialSpec['origin'],
    clientCa: boolean,
    private readonly dnsNames: readonly string[] | undefined,
    private readonly emit: (namespace: string) => void,
  ) {
    this.secretName = secretName;
    this.clientCa = clientCa;
  }

  /** @internal Emits the Secret into `namespace` (once) and describes it for the model. */
  public _bind(namespace: string): GatewayCredentialSpec {
    this.emit(namespace);
    return {
      secretName: this.secretName,
      namespace,
      origin: this.origin,
      clientCa: this.clientCa,
      ...(this.dnsNames ? { dnsNames: [...this.dnsNames] } : {}),
    };
  }
}

/** @internal */
export function assertKind(name: string, kind: CredentialKind, expected: CredentialKind, command: string): void {
  if (kind === expected) return;
  throw new TrustmeshError(expected === 'gateway' ? 'TM_GATEWAY_CREDENTIAL_KIND' : 'TM_CLIENT_CREDENTIAL_KIND',
    `credential "${name}" is a ${kind} certificate, not a ${expected} certificate`, {
      value: kind, allowed: expected, fix: `issue a ${expected} credential: \`${command} --name …\``,
    });
}

import type { CertificateAuthority } from './certificate-authority';
import { issuedCredential, issuedSecret } from './private/issued-credential';
import { validateSubdomainName } from '../pki/names';

/** Options of {@link ClientCredential.fromCa}. */
export interface ClientCredentialFromCaOptions {
  /** @default - the credential name */
  readonly secretName?: string;
}

/**
 * The client certificate a workload presents to an external service that requires mTLS: a
 * `kubernetes.io/tls` Secret in the clients' namespace whose `ca.crt` verifies the server.
 * @example ClientCredential.fromCa(ca, 'partner-client') // after `trustmesh ca issue client --name partner-client`
 */
export class ClientCredential {
  /**
   * A client credential from the key store (`trustmesh ca issue client --name <credential>`),
   * emitted with the mesh's trust bundle as `ca.crt` (the server's certificate must chain to it:
   * issue it with `trustmesh ca issue gateway --host <external host>`).
   * @throws TrustmeshError `TM_CA_UNKNOWN_CREDENTIAL`, `TM_CLIENT_CREDENTIAL_KIND`
   */
  public static fromCa(ca: CertificateAuthority, credential: string, options: ClientCredentialFromCaOptions = {}): ClientCredential {
    const found = issuedCredential(ca, credential, 'client', 'trustmesh ca issue client');
    const secret = issuedSecret(ca, found, options.secretName, true);
    return new ClientCredential(secret.secretName, secret.emit);
  }

  /** A Secret managed elsewhere, in the clients' namespace, with `tls.crt`, `tls.key` and `ca.crt`. */
  public static fromSecretName(secretName: string): ClientCredential {
    return new ClientCredential(validateSubdomainName(secretName, 'Secret name'), () => undefined);
  }

  private constructor(public readonly secretName: string, private readonly emit: (namespace: string) => void) {}

  /** @internal emits the Secret into the clients' namespace (once). */
  public _bind(namespace: string): string {
    this.emit(namespace);
    return this.secretName;
  }
}

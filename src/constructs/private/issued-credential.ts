import { TrustmeshError } from '../../errors';
import { CredentialKind, CredentialMaterial } from '../../pki/ca-material';
import { validateSubdomainName } from '../../pki/names';
import type { CertificateAuthority } from '../certificate-authority';

/**
 * A credential issued from the key store, checked to be of the kind the caller needs.
 * @throws TrustmeshError `TM_CA_UNKNOWN_CREDENTIAL`, `TM_GATEWAY_CREDENTIAL_KIND`, `TM_CLIENT_CREDENTIAL_KIND`
 */
export function issuedCredential(ca: CertificateAuthority, name: string, expected: CredentialKind, command: string): CredentialMaterial {
  const found = ca.material.credential(name);
  if (found.kind !== expected) {
    throw new TrustmeshError(expected === 'gateway' ? 'TM_GATEWAY_CREDENTIAL_KIND' : 'TM_CLIENT_CREDENTIAL_KIND',
      `credential "${found.name}" is a ${found.kind} certificate, not a ${expected} certificate`, {
        value: found.kind, allowed: expected, fix: `issue a ${expected} credential: \`${command} --name …\``,
      });
  }
  return found;
}

/** The Secret of an issued credential: its validated name, and how it gets into a namespace. */
export interface IssuedSecret {
  readonly secretName: string;
  /** Has the CA emit the Secret into `namespace`, the first time the credential is used there. */
  readonly emit: (namespace: string) => void;
}

/**
 * The Secret `ca` emits for an issued credential, named `secretName` (default: the credential's
 * name). Emitted once per namespace for this value; create the credential once and share it.
 */
export function issuedSecret(ca: CertificateAuthority, credential: CredentialMaterial, secretName: string | undefined,
  verifyClients: boolean): IssuedSecret {
  const name = validateSubdomainName(secretName ?? credential.name, 'Secret name');
  const emitted = new Set<string>();
  return {
    secretName: name,
    emit: (namespace) => {
      if (emitted.has(namespace)) return;
      emitted.add(namespace);
      ca.addGatewayCredential(credential.name, { secretName: name, namespace, verifyClients });
    },
  };
}

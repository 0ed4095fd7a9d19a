import { TrustmeshError } from '../../errors';
import { formatIstioVersion, isLegacyTarget, IstioVersion } from '../../model/istio-version';
import { CredentialKind, CredentialMaterial } from '../../pki/ca-material';
import { validateSubdomainName } from '../../pki/names';
import { LEGACY_GATEWAY_CERTS } from '../../render/istio-legacy/gateway';
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
  /**
   * Has the CA emit the Secret into `namespace`, the first time the credential is used there, and
   * returns the name it has there. On a legacy gateway target (`gatewayTarget` before Istio 1.5),
   * that is the Secret the 1.x ingress gateway mounts (`istio-ingressgateway-certs`, plus
   * `istio-ingressgateway-ca-certs` when it verifies clients).
   * @throws TrustmeshError `TM_GATEWAY_LEGACY_SECRET_NAME` when an explicit other name was asked for on a legacy target
   */
  readonly emit: (namespace: string, gatewayTarget?: IstioVersion) => string;
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
    emit: (namespace, gatewayTarget) => {
      const mounted = gatewayTarget !== undefined && isLegacyTarget(gatewayTarget);
      if (mounted && secretName !== undefined && name !== LEGACY_GATEWAY_CERTS.secret) {
        throw new TrustmeshError('TM_GATEWAY_LEGACY_SECRET_NAME',
          `credential "${credential.name}" names Secret "${name}", but the Istio ${formatIstioVersion(gatewayTarget)} ingress gateway reads its certificate from the mounted Secret ${LEGACY_GATEWAY_CERTS.secret}`, {
            value: name,
            allowed: LEGACY_GATEWAY_CERTS.secret,
            fix: `drop secretName: on Istio 1.0–1.4 targets the CA emits ${LEGACY_GATEWAY_CERTS.secret}`
              + `${verifyClients ? ` and ${LEGACY_GATEWAY_CERTS.caSecret}` : ''} in the gateway's namespace`,
          });
      }
      const emittedName = mounted ? LEGACY_GATEWAY_CERTS.secret : name;
      if (emitted.has(namespace)) return emittedName;
      emitted.add(namespace);
      if (mounted) {
        ca._addMountedGatewayCredential(credential.name, { namespace, verifyClients });
      } else {
        ca.addGatewayCredential(credential.name, { secretName: name, namespace, verifyClients });
      }
      return emittedName;
    },
  };
}

/**
 * PeerAuthentication mTLS modes. `UNSET` is deliberately absent: the model always states a mode
 * or inherits by leaving the override out.
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

/** The mode Istio applies when nothing is configured at any level. */
export const ISTIO_DEFAULT_MTLS: MtlsMode = 'PERMISSIVE';

/**
 * Resolves the effective mode for one workload port from the most specific override down to the
 * mesh default, as Istio composes mesh → namespace → workload → port.
 */
export function resolveMtls(levels: { mesh?: MtlsMode; namespace?: MtlsMode; service?: MtlsMode; port?: MtlsMode }): MtlsMode {
  return levels.port ?? levels.service ?? levels.namespace ?? levels.mesh ?? ISTIO_DEFAULT_MTLS;
}

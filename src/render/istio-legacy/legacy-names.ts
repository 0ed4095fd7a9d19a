/**
 * The names of the objects the legacy target (Istio 1.0–1.4) emits: stable, readable, derived from
 * the service names only.
 *
 * @module
 */

/** Names of legacy objects. */
export const LegacyNames = {
  /** MeshPolicy, namespace Policy, ClusterRbacConfig / RbacConfig: Istio requires `default`. */
  default: 'default',
  /** The mesh-wide `*.local` ISTIO_MUTUAL DestinationRule in the root namespace. */
  meshMtlsDestinationRule: 'default',
  /** A namespace's client DestinationRule (`*.<namespace>.svc.<domain>`). */
  namespaceClientTls: 'client-tls',
  /** A service's authentication Policy (peers and origins). */
  servicePolicy: (service: string): string => `${service}-authn`,
  /** The authentication Policy of one port with its own mTLS mode. */
  portPolicy: (service: string, port: number): string => `${service}-port-${port}-authn`,
  /** The DestinationRule that tells clients how to reach a service whose mTLS differs from the mesh's. */
  clientTlsDestinationRule: (service: string): string => `${service}-client-tls`,
  /** The i-th (1-based) ServiceRole of a service: `<service>-allow`, then `<service>-allow-2` … */
  serviceRole: (service: string, index: number): string => (index === 1 ? `${service}-allow` : `${service}-allow-${index}`),
  /** A service's Istio 1.4 AuthorizationPolicy (`legacyAuthorization: AUTHORIZATION_POLICY`), named as on 1.5+. */
  authorizationPolicy: (service: string): string => `${service}-allow`,
  /** The binding of a ServiceRole. */
  serviceRoleBinding: (role: string): string => `${role}-binding`,
} as const;

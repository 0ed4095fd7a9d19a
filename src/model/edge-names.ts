import { Enforcement, IntentionAction } from './intention';
import { ObjectNames } from './object-names';

/**
 * Stable, readable names of the edge objects (gateways, routes, egress, telemetry). Like
 * {@link ObjectNames} they are part of the output contract and are never hashed.
 */
export const EdgeObjectNames = {
  /** The Gateway: `<gateway>-gateway`. */
  gateway: (gateway: string): string => `${gateway}-gateway`,
  /** The gateway workload's AuthorizationPolicy per action: `<gateway>-gateway-allow`, … */
  gatewayPolicy: (gateway: string, action: IntentionAction, enforcement: Enforcement): string =>
    ObjectNames.policy(`${gateway}-gateway`, action, enforcement),
  /** The DENY policy that makes a token mandatory at the gateway. */
  gatewayRequireJwt: (gateway: string): string => `${gateway}-gateway-require-jwt`,
  /** The gateway workload's RequestAuthentication. */
  gatewayRequestAuthentication: (gateway: string): string => `${gateway}-gateway-jwt`,
  /** The VirtualService binding a service to a gateway, in the service's namespace: `<service>-<gateway>-route`. */
  route: (service: string, gateway: string): string => `${service}-${gateway}-route`,
  /** The selector-less Sidecar of the root namespace (mesh default) or of one namespace. */
  egressSidecar: 'default',
  /** TLS origination towards an external host (SIMPLE): `<external>-tls`. */
  egressTls: (external: string): string => `${external}-tls`,
  /** Client-certificate origination for one client workload: `<external>-<client>-mtls`. */
  egressMutualTls: (external: string, client: string): string => `${external}-${client}-mtls`,
  /** Mesh-wide access logging (root namespace) or one namespace's. */
  accessLogging: (namespace: string | undefined): string => (namespace === undefined ? 'mesh-access-logging' : 'access-logging'),
} as const;

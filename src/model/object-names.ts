import { Enforcement, IntentionAction } from './intention';

/**
 * Stable, readable object names. They are part of the output contract: reviewers and the semantic
 * diff key on them, and renaming one shows up as a delete plus an add in `kubectl apply`.
 */
export const ObjectNames = {
  /** PeerAuthentication for the mesh (in the root namespace) and for a namespace. */
  defaultPeerAuthentication: 'default',
  /** Allow-nothing AuthorizationPolicy of a default-deny namespace. */
  defaultDeny: 'default-deny',
  /** `<service>-allow`, `<service>-deny`, `<service>-audit`, with `-dry-run` for observed-only intentions. */
  policy: (service: string, action: IntentionAction, enforcement: Enforcement): string =>
    `${service}-${action.toLowerCase()}${enforcement === 'DRY_RUN' ? '-dry-run' : ''}`,
  /** The DENY policy that makes a JWT mandatory. */
  requireJwt: (service: string): string => `${service}-require-jwt`,
  /** The workload's RequestAuthentication. */
  requestAuthentication: (service: string): string => `${service}-jwt`,
  /** The workload-level PeerAuthentication. */
  servicePeerAuthentication: (service: string): string => `${service}-mtls`,
  /** The client-side DestinationRule towards a service outside the mesh. */
  plaintextDestinationRule: (service: string): string => `${service}-plaintext`,
} as const;

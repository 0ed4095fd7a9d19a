/**
 * Peer principals as Istio writes them for authorization: the SPIFFE ID of the client
 * certificate without `spiffe://`, canonically `<trust-domain>/ns/<namespace>/sa/<service-account>`.
 *
 * @see https://istio.io/latest/docs/reference/config/security/conditions/
 * @module
 */

/** The canonical principal of a service account, e.g. `cluster.local/ns/shop/sa/orders`. */
export function formatPrincipal(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** The namespace a principal names (its first `/ns/<namespace>/` segment), or undefined. */
export function principalNamespace(principal: string): string | undefined {
  return /\/ns\/([^/]+)\//.exec(principal)?.[1];
}

/** A principal of the canonical form, split into its parts. */
export interface CanonicalPrincipal {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

const CANONICAL = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** The parts of a canonical `<trust-domain>/ns/<namespace>/sa/<service-account>` principal; undefined for any other shape. */
export function parseCanonicalPrincipal(principal: string): CanonicalPrincipal | undefined {
  const m = CANONICAL.exec(principal);
  return m ? { trustDomain: m[1], namespace: m[2], serviceAccount: m[3] } : undefined;
}

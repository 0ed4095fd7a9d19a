/**
 * Peer principals as Istio writes them for authorization: the SPIFFE ID of the client
 * certificate without `spiffe://`, canonically `<trust-domain>/ns/<namespace>/sa/<service-account>`.
 *
 * @see https://istio.io/latest/docs/reference/config/security/conditions/
 * @module
 */

/** The namespace a principal names (its first `/ns/<namespace>/` segment), or undefined. */
export function principalNamespace(principal: string): string | undefined {
  return /\/ns\/([^/]+)\//.exec(principal)?.[1];
}

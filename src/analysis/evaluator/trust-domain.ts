/**
 * Trust-domain aliasing of principals in authorization policies, as istiod does before generating
 * Envoy config (`pilot/pkg/security/trustdomain/bundle.go` `ReplaceTrustDomainAliases`).
 *
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-trust_domain_aliases
 * @module
 */
import { compileStringPattern } from '../../semantics/string-match';

/** The mesh's local trust domain spelling that always means "this mesh". */
export const CLUSTER_LOCAL = 'cluster.local';

/**
 * Expands one `principals` value: a `<td>/ns/<ns>/sa/<sa>` principal whose trust domain is
 * `cluster.local`, the mesh trust domain or one of its aliases becomes one principal per trust
 * domain in `[trustDomain, ...aliases]`. Principals not of that five-part shape, with a `*` trust
 * domain, or with a foreign trust domain are kept as written.
 */
export function expandTrustDomainAliases(principal: string, trustDomain: string, aliases: readonly string[]): string[] {
  const parts = principal.split('/');
  if (parts.length !== 5 || parts[0] === '*') return [principal];
  const bundle = [trustDomain, ...aliases];
  const td = parts[0];
  const known = td === CLUSTER_LOCAL || bundle.some((b) => td === b || b === '*' || compileStringPattern(b).test(td) && b.includes('*'));
  if (!known) return [principal];
  const out: string[] = [];
  for (const t of bundle) {
    // A wildcard trust domain in the policy ("*local") that matches an entry is kept as written.
    const candidate = td.startsWith('*') && t.endsWith(td.slice(1)) ? principal : [t, ...parts.slice(1)].join('/');
    if (!out.includes(candidate)) out.push(candidate);
  }
  return out;
}

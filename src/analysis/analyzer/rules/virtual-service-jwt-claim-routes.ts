/**
 * `TM_VIRTUAL_SERVICE_JWT_CLAIM_WITHOUT_REQUEST_AUTHN` (error, istioctl `IST0149`
 * JwtClaimBasedRoutingWithoutRequestAuthN, `virtualservice.JWTClaimRouteAnalyzer`): a
 * VirtualService routes on a JWT claim (`headers` or `withoutHeaders` key
 * `@request.auth.claims.<name>` or `@request.auth.claims[<name>]`) on a gateway whose pods no
 * RequestAuthentication selects (one in the root namespace or in the pod's namespace). The gateway
 * never validates the token, so the claims are never available and the match never applies.
 *
 * Reported on the VirtualService at the first claim header, once per gateway, naming its pods.
 * Judged on the gateway workloads of the input (pods, or pod templates of Deployments and the like).
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0149/
 * @see https://istio.io/latest/docs/tasks/security/authentication/jwt-route/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { workloadIndex } from './selector-index';
import { httpRoutes, list, virtualServiceGateways } from './virtual-service-routes';
import { Diagnostic } from '../../../errors';
import { asRecord } from '../../../private/records';
import { selectorMatches } from '../../../semantics/labels';
import { IstioResource } from '../../config/istio-config';
import { gatewaySelector } from '../../config/workload-resources';
import { FieldPath, fieldString } from '../../config/yaml-source';

const CHECK: AnalyzerCheck = {
  code: 'TM_VIRTUAL_SERVICE_JWT_CLAIM_WITHOUT_REQUEST_AUTHN',
  severity: 'error',
  upstreamCode: 'IST0149',
  title: 'a VirtualService routes on JWT claims at a gateway no RequestAuthentication validates tokens for',
};

const CLAIM_PREFIX = '@request.auth.claims';

/** The rule. */
export const virtualServiceJwtClaimRoutesRule: AnalyzerRule = {
  name: 'virtual-service-jwt-claim-routes',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    const { config } = context;
    const gateways = new Map<string, IstioResource>();
    for (const gw of config.gateways) gateways.set(`${gw.metadata.namespace}/${gw.metadata.name}`, gw);
    const root = context.mesh.rootNamespace;
    for (const vs of config.virtualServices) {
      const claim = firstClaimHeader(vs);
      if (!claim) continue;
      for (const { name } of virtualServiceGateways(vs)) {
        if (name === 'mesh') continue;
        const full = name.includes('/') ? name : `${vs.metadata.namespace}/${name}`;
        const gw = gateways.get(full);
        if (!gw) continue;
        const pods = workloadIndex(context.inventory.workloads).select(gatewaySelector(gw));
        const unauthenticated = pods.filter((pod) => !config.requestAuthentications.some((ra) =>
          (ra.metadata.namespace === root || ra.metadata.namespace === pod.metadata.namespace)
          && selectorMatches(ra.spec.selector?.matchLabels ?? {}, pod.podLabels)));
        if (unauthenticated.length === 0) continue;
        const names = unauthenticated.map((p) => `${p.kind} ${p.metadata.namespace}/${p.metadata.name}`);
        out.push(finding(CHECK, vs, claim.path,
          `${objectRef(vs)}: ${fieldString(claim.path)} routes on the JWT claim ${claim.key}, but no RequestAuthentication applies to the pods of gateway ${full} (${names.slice(0, 3).join(', ')}${names.length > 3 ? `, and ${names.length - 3} more` : ''}); the gateway never validates the token, so the claim is never available and the match never applies`,
          `Apply a RequestAuthentication selecting the gateway pods (in namespace ${unauthenticated[0].metadata.namespace} or ${root}) with the issuer of the token.`));
      }
    }
    return out;
  },
};

/** The first `headers` / `withoutHeaders` key of an HTTP match that names a JWT claim, and where it is. */
function firstClaimHeader(vs: IstioResource): { readonly key: string; readonly path: FieldPath } | undefined {
  for (const { route, index } of httpRoutes(vs)) {
    const matches = list(route.match);
    for (let m = 0; m < matches.length; m++) {
      for (const field of ['headers', 'withoutHeaders']) {
        for (const key of Object.keys(asRecord(asRecord(matches[m])[field]))) {
          if (isClaimHeader(key)) return { key, path: ['spec', 'http', index, 'match', m, field, key] };
        }
      }
    }
  }
  return undefined;
}

/** istio `jwt.ToRoutingClaim(key).Match`: `@request.auth.claims.a[.b]` or `@request.auth.claims[a][b]`. */
function isClaimHeader(key: string): boolean {
  if (!key.toLowerCase().startsWith(CLAIM_PREFIX)) return false;
  const rest = key.slice(CLAIM_PREFIX.length);
  return (rest.startsWith('.') && rest.length > 1) || (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2);
}

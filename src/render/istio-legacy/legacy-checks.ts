/**
 * What the legacy APIs (Istio 1.0–1.4) cannot say, checked on one declaration — an intention, a
 * JWT requirement, an issuer — so the declaring verb refuses it at its construct path, before it
 * is recorded. Each refusal is TM_VERSION_UNSUPPORTED_FEATURE naming the minimum release. The
 * renderers call the same checks (a model built without the constructs gets the same answer).
 *
 * @module
 */
import { assertLegacySupports, legacyCannotExpress } from './legacy-errors';
import { TrustmeshError } from '../../errors';
import { IntentionSpec, JwtRequirementSpec } from '../../model/intention';
import { formatIstioVersion, IstioFeature, isLegacyTarget, IstioVersion } from '../../model/istio-version';
import { JwtIssuerSpec } from '../../model/jwt-issuer';
import { LegacyAuthorization } from '../../model/mesh-spec';

const LEGACY_AUTHORIZATIONS: readonly LegacyAuthorization[] = ['RBAC', 'AUTHORIZATION_POLICY'];

/**
 * The mesh's `legacyAuthorization`, resolved for its target: `RBAC` (the default) or
 * `AUTHORIZATION_POLICY` on 1.0–1.4, `undefined` from 1.5 on (AuthorizationPolicy is then the only
 * API rendered, so asking for it changes nothing).
 *
 * @throws TrustmeshError TM_VERSION_UNSUPPORTED_FEATURE for `AUTHORIZATION_POLICY` before 1.4 (the
 *   API arrived in 1.4) and for `RBAC` from 1.5 on (trustmesh renders `rbac.istio.io` for the legacy
 *   target only; Istio 1.6 removed it); TM_MESH_CONFIG_INVALID for a value that is neither
 */
export function checkLegacyAuthorization(version: IstioVersion, value: string | undefined): LegacyAuthorization | undefined {
  if (value !== undefined && !(LEGACY_AUTHORIZATIONS as readonly string[]).includes(value)) {
    throw new TrustmeshError('TM_MESH_CONFIG_INVALID', `legacyAuthorization "${value}" is not an authorization API of the legacy target`, {
      value, allowed: LEGACY_AUTHORIZATIONS.join(', '), fix: 'use LegacyAuthorization.RBAC or LegacyAuthorization.AUTHORIZATION_POLICY',
    });
  }
  if (!isLegacyTarget(version)) {
    if (value === 'RBAC') {
      throw new TrustmeshError('TM_VERSION_UNSUPPORTED_FEATURE',
        `legacyAuthorization RBAC renders rbac.istio.io, which trustmesh emits for Istio 1.0–1.4 only, but the mesh targets Istio ${formatIstioVersion(version)}`, {
          value: formatIstioVersion(version),
          allowed: 'istioVersion <= 1.4',
          fix: 'drop legacyAuthorization (from 1.5 on intentions are AuthorizationPolicies) or target Istio 1.4 or earlier',
        });
    }
    return undefined;
  }
  if (value === 'AUTHORIZATION_POLICY') {
    assertLegacySupports(version, IstioFeature.AUTHORIZATION_POLICY_ALLOW, 'legacyAuthorization AUTHORIZATION_POLICY');
  }
  return (value ?? 'RBAC') as LegacyAuthorization;
}

/** @throws TrustmeshError TM_VERSION_UNSUPPORTED_FEATURE for an intention a legacy target cannot hold. */
export function assertLegacyIntention(version: IstioVersion, intention: IntentionSpec, authorization: LegacyAuthorization = 'RBAC'): void {
  if (!isLegacyTarget(version)) return;
  const where = `intention towards ${intention.destination.namespace}/${intention.destination.name}`;
  const policy = authorization === 'AUTHORIZATION_POLICY';
  if (intention.action === 'DENY') assertLegacySupports(version, IstioFeature.DENY_ACTION, where);
  if (intention.action === 'AUDIT') assertLegacySupports(version, IstioFeature.AUDIT_ACTION, where);
  if (intention.enforcement === 'DRY_RUN') assertLegacySupports(version, IstioFeature.DRY_RUN, where);
  const m = intention.match;
  const fields: [string, readonly unknown[] | undefined][] = [
    ['notPorts', m.notPorts], ['notMethods', m.notMethods], ['notPaths', m.notPaths],
  ];
  for (const [name, list] of fields) {
    if (!list || list.length === 0) continue;
    // Istio 1.4's AuthorizationPolicy Operation has hosts, ports, methods and paths only (authorization.proto 1.4.10).
    if (policy) legacyCannotExpress(version, `AuthorizationPolicy ${name} (Istio 1.4's AuthorizationPolicy has no negated fields)`, `${where} (${name})`);
    assertLegacySupports(version, IstioFeature.RBAC_NOT_FIELDS, `${where} (${name})`);
  }
  if ((m.hosts ?? []).length + (m.notHosts ?? []).length > 0) {
    // rbac.istio.io AccessRule hosts compare the Host header case-sensitively; intentions (and
    // AuthorizationPolicy) compare host names case-insensitively.
    legacyCannotExpress(version, 'hosts and notHosts (case-insensitive host matching)', where);
  }
  for (const h of m.headers ?? []) {
    if (h.notValues && h.notValues.length > 0) legacyCannotExpress(version, `header "${h.name}" notValues (rbac.istio.io constraints have no negation)`, where);
  }
  const peer = intention.peer;
  if (peer.kind === 'service' && !peer.inMesh) {
    // v1 recognizes it as "no principal" (notPrincipals: ['*']) from its addresses; an RBAC
    // subject cannot say "no principal", and source.ip alone would also admit mesh callers.
    legacyCannotExpress(version, `a caller without a mesh identity (${peer.namespace}/${peer.name}: notPrincipals)`, where);
  }
  if (peer.kind === 'ipBlocks' && peer.remote) assertLegacySupports(version, IstioFeature.REMOTE_IP_BLOCKS, where);
  for (const claim of intention.endUser?.claims ?? []) {
    if (claim.claim.length !== 1) {
      legacyCannotExpress(version, `the nested claim [${claim.claim.join('][')}] (rbac.istio.io properties name top-level claims only)`, where);
    }
  }
}

/** @throws TrustmeshError TM_VERSION_UNSUPPORTED_FEATURE for path exceptions before trigger rules (1.1). */
export function assertLegacyJwtRequirement(version: IstioVersion, requirement: JwtRequirementSpec, where: string): void {
  if (!isLegacyTarget(version)) return;
  if (requirement.exceptPaths.length > 0) assertLegacySupports(version, IstioFeature.JWT_TRIGGER_RULES, where);
  if (requirement.enforcement === 'DRY_RUN') assertLegacySupports(version, IstioFeature.DRY_RUN, where);
}

/** @throws TrustmeshError TM_VERSION_UNSUPPORTED_FEATURE for issuer settings the legacy `origins[].jwt` lacks. */
export function assertLegacyIssuer(version: IstioVersion, issuer: JwtIssuerSpec): void {
  if (!isLegacyTarget(version)) return;
  const where = `issuer "${issuer.issuer}"`;
  if (issuer.jwks !== undefined) assertLegacySupports(version, IstioFeature.INLINE_JWKS, where);
  if (issuer.fromHeaders.some((h) => h.prefix !== undefined && !(h.name.toLowerCase() === 'authorization' && h.prefix === 'Bearer '))) {
    legacyCannotExpress(version, 'a token header with a custom prefix (legacy jwtHeaders take the whole header value)', where);
  }
  if (issuer.outputPayloadToHeader !== undefined) legacyCannotExpress(version, 'outputPayloadToHeader', where);
}

import { IstioManifest, sortedStrings } from './manifest';
import { istioApiVersion } from '../../model/api-version';
import { JwtIssuerSpec } from '../../model/jwt-issuer';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';
import { ObjectNames } from '../../model/object-names';

/**
 * The workload's RequestAuthentication: one `jwtRules` entry per issuer its intentions name,
 * sorted by issuer; `undefined` when none does (then the workload ignores tokens).
 * @see https://istio.io/latest/docs/reference/config/security/request_authentication/
 */
export function renderRequestAuthentication(model: MeshModel, service: ServiceSpec): IstioManifest | undefined {
  return requestAuthentication(model, service.namespace, ObjectNames.requestAuthentication(service.name), service.labels, model.issuersFor(service));
}

/** A RequestAuthentication selecting the pods with `labels`, one jwtRule per issuer; `undefined` without issuers. */
export function requestAuthentication(model: MeshModel, namespace: string, name: string, labels: Readonly<Record<string, string>>,
  issuers: readonly JwtIssuerSpec[]): IstioManifest | undefined {
  if (issuers.length === 0) return undefined;
  return {
    apiVersion: istioApiVersion('RequestAuthentication', model.spec.istioVersion),
    kind: 'RequestAuthentication',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { ...labels } },
      jwtRules: issuers.map(renderJwtRule),
    },
  };
}

/** One `jwtRules[]` entry. */
export function renderJwtRule(issuer: JwtIssuerSpec): Record<string, unknown> {
  const rule: Record<string, unknown> = { issuer: issuer.issuer };
  if (issuer.jwksUri !== undefined) rule.jwksUri = issuer.jwksUri;
  if (issuer.jwks !== undefined) rule.jwks = issuer.jwks;
  if (issuer.audiences.length > 0) rule.audiences = sortedStrings(issuer.audiences);
  if (issuer.fromHeaders.length > 0) {
    rule.fromHeaders = [...issuer.fromHeaders]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((h) => (h.prefix !== undefined ? { name: h.name, prefix: h.prefix } : { name: h.name }));
  }
  if (issuer.fromParams.length > 0) rule.fromParams = sortedStrings(issuer.fromParams);
  if (issuer.fromCookies.length > 0) rule.fromCookies = sortedStrings(issuer.fromCookies);
  if (issuer.forwardOriginalToken) rule.forwardOriginalToken = true;
  if (issuer.outputPayloadToHeader !== undefined) rule.outputPayloadToHeader = issuer.outputPayloadToHeader;
  return rule;
}

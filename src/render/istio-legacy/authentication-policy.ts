/**
 * `authentication.istio.io/v1alpha1` MeshPolicy and Policy: the legacy form of mTLS
 * (PeerAuthentication) and end-user JWT (RequestAuthentication) together. Istio 1.x picks one
 * policy per workload port — a port-targeted Policy, else a service-targeted one, else the
 * namespace's `default`, else the MeshPolicy — so a service's Policy repeats everything that
 * applies to it (peers and origins).
 *
 * @module
 */
import { assertLegacySupports, legacyCannotExpress } from './legacy-errors';
import { LegacyNames } from './legacy-names';
import { istioApiVersion } from '../../model/api-version';
import { IntentionSpec } from '../../model/intention';
import { IstioFeature } from '../../model/istio-version';
import { JwtIssuerSpec } from '../../model/jwt-issuer';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';
import { MtlsMode, resolveMtls } from '../../model/mtls';
import { isHttpProtocol } from '../../model/service-port';
import { IstioManifest, sortedStrings } from '../istio/manifest';

/** The `peers` of a mode: STRICT and PERMISSIVE mTLS, none for plaintext. */
function peers(mode: MtlsMode): Record<string, unknown> {
  return mode === 'DISABLE' ? {} : { peers: [{ mtls: { mode } }] };
}

/** Mesh-wide mTLS: MeshPolicy `default` (cluster-scoped). Always emitted, so the mode is explicit. */
export function renderMeshPolicy(model: MeshModel): IstioManifest {
  return {
    apiVersion: istioApiVersion('MeshPolicy', model.spec.istioVersion),
    kind: 'MeshPolicy',
    metadata: { name: LegacyNames.default, namespace: '' },
    spec: { ...peers(model.spec.mtls) },
  };
}

/** Namespace-wide mTLS: Policy `default` without targets (Istio's naming rule); `undefined` when the namespace inherits. */
export function renderNamespacePolicy(model: MeshModel, namespace: string): IstioManifest | undefined {
  const mode = model.namespace(namespace)?.mtls;
  if (!mode) return undefined;
  return policy(model, namespace, LegacyNames.default, peers(mode));
}

/**
 * True when a service needs its own Policy: its own mTLS mode, or end-user tokens to verify — on
 * the ports that do not have their own Policy (a port with its own mode, or a non-HTTP port of a
 * service that verifies tokens, gets {@link renderPortPolicy}; the service's Policy lists the other
 * ports, so no two Policies target one port and the choice between them never depends on Istio's
 * precedence).
 */
export function needsServicePolicy(model: MeshModel, service: ServiceSpec): boolean {
  const tokens = verifiesTokens(service, model.intentionsFor(service));
  return (service.mtls !== undefined || tokens) && !allPortsExcepted(service, tokens);
}

/** True when the service has end-user tokens to verify (`requireJwt` or end-user intentions). */
export function verifiesTokens(service: ServiceSpec, intentions: readonly IntentionSpec[]): boolean {
  return service.jwtRequirement !== undefined || intentions.some((i) => i.endUser !== undefined);
}

function allPortsExcepted(service: ServiceSpec, tokens: boolean): boolean {
  return service.ports.length > 0 && service.ports.every((p) => ownPolicy(p, tokens));
}

/**
 * Whether a port gets its own Policy: it has its own mode, or the service verifies tokens and the
 * port is not HTTP — 1.x applies origins to HTTP only, so that port's Policy carries none (what
 * `trustmesh convert` turns into a DENY of requests without a token would deny TCP there).
 */
function ownPolicy(port: ServiceSpec['ports'][number], tokens: boolean): boolean {
  return port.mtls !== undefined || (tokens && !isHttpProtocol(port.protocol));
}

/** The service's mode without port overrides (mesh → namespace → service). */
export function serviceMtls(model: MeshModel, service: ServiceSpec): MtlsMode {
  return resolveMtls({ mesh: model.spec.mtls, namespace: model.namespace(service.namespace)?.mtls, service: service.mtls });
}

/** The service-targeted Policy (peers and origins); `undefined` when the namespace's or mesh's policy applies unchanged. */
export function renderServicePolicy(model: MeshModel, service: ServiceSpec): IstioManifest | undefined {
  if (!needsServicePolicy(model, service)) return undefined;
  const tokens = verifiesTokens(service, model.intentionsFor(service));
  const excepted = exceptionPorts(service, tokens);
  const ports = service.ports.filter((p) => !ownPolicy(p, tokens)).map((p) => p.port).sort((a, b) => a - b);
  const target = excepted.length > 0 ? { name: service.name, ports: ports.map((number) => ({ number })) } : { name: service.name };
  return policy(model, service.namespace, LegacyNames.servicePolicy(service.name), {
    targets: [target],
    ...peers(serviceMtls(model, service)),
    ...origins(model, service),
  });
}

/** The ports with their own Policy (own mode, or not HTTP on a service that verifies tokens), by Service port. */
export function exceptionPorts(service: ServiceSpec, tokens: boolean): number[] {
  return service.ports.filter((p) => ownPolicy(p, tokens)).map((p) => p.port).sort((a, b) => a - b);
}

/** The Policy of one port with its own Policy: a port target, the port's peers and, on HTTP, the service's origins. */
export function renderPortPolicy(model: MeshModel, service: ServiceSpec, port: number): IstioManifest | undefined {
  const spec = service.ports.find((p) => p.port === port);
  if (!spec || !ownPolicy(spec, verifiesTokens(service, model.intentionsFor(service)))) return undefined;
  return policy(model, service.namespace, LegacyNames.portPolicy(service.name, port), {
    targets: [{ name: service.name, ports: [{ number: port }] }],
    ...peers(spec.mtls ?? serviceMtls(model, service)),
    ...(isHttpProtocol(spec.protocol) ? origins(model, service) : binding(origins(model, service))),
  });
}

/**
 * `origins` for the issuers the service accepts. Without a `requireJwt`, a token is optional
 * (`originIsOptional`); `exceptPaths` become every origin's `triggerRules.excludedPaths` (1.1+).
 * `principalBinding: USE_ORIGIN` when an intention to the service names an end user (only then is
 * `request.auth.principal` the token's `iss/sub`; under USE_PEER it is the peer's principal), or
 * none names a mesh identity, as Istio Succinctly binds the fruits API. The binding never changes
 * `source.principal`, so peer subjects match the peer under either (docs/legacy.md).
 */
function origins(model: MeshModel, service: ServiceSpec): Record<string, unknown> {
  const issuers = model.issuersFor(service);
  if (issuers.length === 0) return {};
  const where = `service ${service.namespace}/${service.name}`;
  const requirement = service.jwtRequirement;
  const extra = requirement ? issuers.filter((i) => !requirement.issuers.includes(i.issuer)).map((i) => i.issuer) : [];
  if (extra.length > 0) {
    // A legacy Policy's origins are all accepted and one is required: it cannot require a token
    // from some issuers while accepting others only for end-user intentions.
    legacyCannotExpress(model.spec.istioVersion, `end-user intentions naming issuers that requireJwt does not list (${extra.join(', ')})`, where);
  }
  const excluded = requirement ? requirement.exceptPaths.map(stringMatch) : [];
  if (excluded.length > 0) assertLegacySupports(model.spec.istioVersion, IstioFeature.JWT_TRIGGER_RULES, where);
  const triggerRules = excluded.length > 0 ? { triggerRules: [{ excludedPaths: excluded }] } : {};
  const list = issuers.map((issuer) => ({ jwt: { ...jwt(model, issuer, where), ...triggerRules } }));
  const intentions = model.intentionsFor(service);
  const byPeer = intentions.some((i) => i.peer.kind === 'service' || i.peer.kind === 'anyMeshIdentity' || i.peer.kind === 'namespace');
  const byEndUser = intentions.some((i) => i.endUser !== undefined);
  return {
    origins: list,
    ...(requirement ? {} : { originIsOptional: true }),
    ...(byPeer && !byEndUser ? {} : { principalBinding: 'USE_ORIGIN' }),
  };
}

/** The `principalBinding` of a service's origins alone: a non-HTTP port keeps the service's binding, so every port of the service binds alike. */
function binding(spec: Record<string, unknown>): Record<string, unknown> {
  return spec.principalBinding !== undefined ? { principalBinding: spec.principalBinding } : {};
}

function jwt(model: MeshModel, issuer: JwtIssuerSpec, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = { issuer: issuer.issuer };
  if (issuer.jwksUri !== undefined) out.jwksUri = issuer.jwksUri;
  if (issuer.jwks !== undefined) {
    assertLegacySupports(model.spec.istioVersion, IstioFeature.INLINE_JWKS, `${where}, issuer "${issuer.issuer}"`);
    out.jwks = issuer.jwks;
  }
  if (issuer.audiences.length > 0) out.audiences = sortedStrings(issuer.audiences);
  if (issuer.fromHeaders.some((h) => h.prefix !== undefined && !(h.name.toLowerCase() === 'authorization' && h.prefix === 'Bearer '))) {
    legacyCannotExpress(model.spec.istioVersion, 'a token header with a custom prefix (jwtHeaders take the whole header value)', `${where}, issuer "${issuer.issuer}"`);
  }
  if (issuer.outputPayloadToHeader !== undefined) {
    legacyCannotExpress(model.spec.istioVersion, 'outputPayloadToHeader', `${where}, issuer "${issuer.issuer}"`);
  }
  if (issuer.fromHeaders.length > 0) out.jwtHeaders = sortedStrings(issuer.fromHeaders.map((h) => h.name));
  if (issuer.fromParams.length > 0) out.jwtParams = sortedStrings(issuer.fromParams);
  return out;
}

/** A path pattern (`/x`, `/x*`, `*x`) as a legacy StringMatch. */
export function stringMatch(path: string): Record<string, string> {
  if (path === '*') return { prefix: '' };
  if (path.endsWith('*')) return { prefix: path.slice(0, -1) };
  if (path.startsWith('*')) return { suffix: path.slice(1) };
  return { exact: path };
}

function policy(model: MeshModel, namespace: string, name: string, spec: Record<string, unknown>): IstioManifest {
  return { apiVersion: istioApiVersion('Policy', model.spec.istioVersion), kind: 'Policy', metadata: { name, namespace }, spec };
}

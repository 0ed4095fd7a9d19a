import { Diagnostic, TrustmeshError } from '../errors';

/** A target Istio minor version, e.g. 1.30. Patch levels are accepted and ignored. */
export interface IstioVersion {
  readonly major: number;
  readonly minor: number;
}

/**
 * The oldest Istio release trustmesh renders for. Releases before {@link FIRST_V1BETA1_SECURITY}
 * get the legacy APIs (`authentication.istio.io` and `rbac.istio.io` v1alpha1, networking v1alpha3;
 * see docs/legacy-target.md).
 */
export const MIN_ISTIO_VERSION: IstioVersion = { major: 1, minor: 0 };
/** The first release with `security.istio.io/v1beta1` PeerAuthentication, RequestAuthentication and ALLOW/DENY policies. */
export const FIRST_V1BETA1_SECURITY: IstioVersion = { major: 1, minor: 5 };
/** The Istio release whose CRDs are bundled for validation. */
export const DEFAULT_ISTIO_VERSION: IstioVersion = { major: 1, minor: 30 };

/**
 * Parses "1.30", "1.30.3" or "v1.22".
 * @throws TrustmeshError TM_INVALID_ISTIO_VERSION
 */
export function parseIstioVersion(text: string): IstioVersion {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:-[0-9A-Za-z.-]+)?$/.exec(text.trim());
  const version = m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
  if (!version || version.major !== 1) {
    throw new TrustmeshError('TM_INVALID_ISTIO_VERSION', 'target Istio version is not a valid Istio 1.x version', {
      value: text,
      allowed: `a version such as "1.30" or "1.22.3", from ${formatIstioVersion(MIN_ISTIO_VERSION)} on`,
    });
  }
  return version;
}

/**
 * A warning when the target is newer than every release trustmesh knows (the bundled CRDs'): its
 * API versions are assumed to be those of the newest known release, and its new fields and
 * rules are neither offered nor checked.
 */
export function unknownIstioVersionDiagnostics(version: IstioVersion): Diagnostic[] {
  if (compareIstioVersions(version, DEFAULT_ISTIO_VERSION) <= 0) return [];
  const known = formatIstioVersion(DEFAULT_ISTIO_VERSION);
  return [{
    code: 'TM_ISTIO_VERSION_UNKNOWN',
    severity: 'warning',
    message: `target Istio ${formatIstioVersion(version)} is newer than the newest release trustmesh knows (${known}): the output uses ${known}'s API versions and is validated against the bundled Istio ${known} CRDs, so what ${formatIstioVersion(version)} added or changed is not checked`,
    fix: `target "${known}" until trustmesh knows ${formatIstioVersion(version)}, or check the output with \`trustmesh analyze --crds <the CRDs of ${formatIstioVersion(version)}>\``,
  }];
}

/**
 * True for a target before Istio 1.5, which gets the legacy APIs: `authentication.istio.io` Policy
 * and MeshPolicy, `rbac.istio.io` (Cluster)RbacConfig, ServiceRole and ServiceRoleBinding.
 */
export function isLegacyTarget(version: IstioVersion): boolean {
  return compareIstioVersions(version, FIRST_V1BETA1_SECURITY) < 0;
}

export function formatIstioVersion(v: IstioVersion): string {
  return `${v.major}.${v.minor}`;
}

export function compareIstioVersions(a: IstioVersion, b: IstioVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** Features whose availability depends on the target Istio release (from istio/api release tags). */
export const IstioFeature = {
  AUDIT_ACTION: { since: { major: 1, minor: 8 }, what: 'AuthorizationPolicy action AUDIT' },
  REMOTE_IP_BLOCKS: { since: { major: 1, minor: 8 }, what: 'remoteIpBlocks (source IPs behind trusted proxies)' },
  DRY_RUN: { since: { major: 1, minor: 10 }, what: 'dry-run authorization policies (istio.io/dry-run annotation)' },
  JWT_FROM_COOKIES: { since: { major: 1, minor: 22 }, what: 'RequestAuthentication fromCookies' },
  PATH_TEMPLATES: { since: { major: 1, minor: 22 }, what: 'path templates {*} and {**} in AuthorizationPolicy paths' },
  SECURITY_V1: { since: { major: 1, minor: 22 }, what: 'security.istio.io/v1 for all security kinds' },
  NETWORKING_V1: { since: { major: 1, minor: 22 }, what: 'networking.istio.io/v1' },
  SERVICE_ACCOUNTS: { since: { major: 1, minor: 25 }, what: 'AuthorizationPolicy source serviceAccounts' },
  // istio/istio#27629 (merged 2020-09, released in 1.8): targetPort for DNS ServiceEntries.
  SERVICE_ENTRY_TARGET_PORT: { since: { major: 1, minor: 8 }, what: 'ServiceEntry port targetPort (TLS origination from a plain-HTTP port)' },
  // Telemetry API access logging (telemetry.istio.io/v1alpha1 accessLogging).
  TELEMETRY_ACCESS_LOGGING: { since: { major: 1, minor: 12 }, what: 'access logging through the Telemetry API' },
  // istio/api#2110 and istio/istio#36655 (merged 2021-12/2022-01, released in 1.13).
  ACCESS_LOG_FILTER: { since: { major: 1, minor: 13 }, what: 'Telemetry accessLogging filter expressions' },
  // istio/api#2207 (merged 2022-03, released in 1.14): sidecars honour DestinationRule credentialName with a workloadSelector.
  DESTINATION_RULE_WORKLOAD_SELECTOR: { since: { major: 1, minor: 14 }, what: 'DestinationRule workloadSelector (client certificates from credentialName in sidecars)' },
  // istio/api#2820 (merged 2023-06, released in 1.19).
  GATEWAY_OPTIONAL_MUTUAL: { since: { major: 1, minor: 19 }, what: 'Gateway TLS mode OPTIONAL_MUTUAL' },
  TELEMETRY_V1: { since: { major: 1, minor: 22 }, what: 'telemetry.istio.io/v1' },
  // Legacy target (docs/legacy-target.md), from the protos at istio/api tags 1.0.0 … 1.4.10.
  // rbac.proto 1.1.0 added AccessRule hosts/notHosts, notPaths, notMethods, ports/notPorts and
  // Subject names/namespaces/ips and their not-forms; policy.proto 1.1.0 added Jwt.trigger_rules.
  RBAC_NOT_FIELDS: { since: { major: 1, minor: 1 }, what: 'ServiceRole ports, hosts and negated fields (notPaths, notMethods, notPorts, notHosts)' },
  JWT_TRIGGER_RULES: { since: { major: 1, minor: 1 }, what: 'JWT exceptions by path (authentication Policy triggerRules.excludedPaths)' },
  CLUSTER_RBAC_CONFIG: { since: { major: 1, minor: 1 }, what: 'ClusterRbacConfig (1.0 has the namespaced RbacConfig)' },
  // networking.istio.io Sidecar: istio/api 1.1.0.
  SIDECAR: { since: { major: 1, minor: 1 }, what: 'the Sidecar resource (egress scoping)' },
  // Gateway credentialName (SDS at the ingress gateway): istio/api 1.1.0.
  GATEWAY_CREDENTIAL_NAME: { since: { major: 1, minor: 1 }, what: 'Gateway credentialName (certificates delivered by SDS)' },
  // policy.proto 1.2.0 added Jwt.jwks (inline key set).
  INLINE_JWKS: { since: { major: 1, minor: 2 }, what: 'inline JWKS (authentication Policy origins jwt.jwks)' },
  // security.istio.io/v1beta1 AuthorizationPolicy (ALLOW only) beside RBAC: Istio 1.4.
  AUTHORIZATION_POLICY_ALLOW: { since: { major: 1, minor: 4 }, what: 'security.istio.io/v1beta1 AuthorizationPolicy (ALLOW)' },
  // action DENY, PeerAuthentication and RequestAuthentication: Istio 1.5.
  DENY_ACTION: { since: { major: 1, minor: 5 }, what: 'AuthorizationPolicy action DENY' },
  EXCLUDE_PATHS_WITH_ISSUER_LIST: { since: { major: 1, minor: 5 }, what: 'JWT exceptions by path when several issuers are accepted' },
} as const;

/** One entry of {@link IstioFeature}. */
export type IstioFeatureInfo = typeof IstioFeature[keyof typeof IstioFeature];

export function supports(version: IstioVersion, feature: IstioFeatureInfo): boolean {
  return compareIstioVersions(version, feature.since) >= 0;
}

/**
 * @throws TrustmeshError TM_VERSION_UNSUPPORTED_FEATURE naming the minimum version
 */
export function assertSupports(version: IstioVersion, feature: IstioFeatureInfo): void {
  if (supports(version, feature)) return;
  throw new TrustmeshError('TM_VERSION_UNSUPPORTED_FEATURE',
    `${feature.what} needs Istio ${formatIstioVersion(feature.since)} or later, but the mesh targets Istio ${formatIstioVersion(version)}`, {
      value: formatIstioVersion(version),
      allowed: `istioVersion >= ${formatIstioVersion(feature.since)}`,
      fix: `raise the mesh's istioVersion to "${formatIstioVersion(feature.since)}" or drop the feature`,
    });
}

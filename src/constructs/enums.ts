/**
 * mTLS mode of a PeerAuthentication.
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/#PeerAuthentication-MutualTLS-Mode
 */
export enum MtlsMode {
  /** Only mTLS connections are accepted; plaintext clients are refused at the connection. */
  STRICT = 'STRICT',
  /** mTLS and plaintext are both accepted (migration mode; plaintext callers have no identity). */
  PERMISSIVE = 'PERMISSIVE',
  /** Connections are not tunnelled through mTLS. */
  DISABLE = 'DISABLE',
}

/** What happens to a request no ALLOW intention covers. */
export enum DefaultAccess {
  /** Allow-nothing: only requests an ALLOW intention covers reach the workload (zero trust). */
  DENY = 'DENY',
  /** Workloads without ALLOW intentions accept every request that is not denied. */
  ALLOW = 'ALLOW',
}

/**
 * How a mesh targeting Istio 1.4 renders its ALLOW intentions (see {@link MeshProps.legacyAuthorization}).
 * 1.4 is the only 1.x release that serves both APIs; 1.0–1.3 have RBAC only, 1.5+ AuthorizationPolicy.
 */
export enum LegacyAuthorization {
  /**
   * `rbac.istio.io/v1alpha1`: ClusterRbacConfig `default` plus a ServiceRole and ServiceRoleBinding
   * per distinct access rule — the API of the whole 1.x line, which `trustmesh convert` reads.
   */
  RBAC = 'RBAC',
  /**
   * `security.istio.io/v1beta1` AuthorizationPolicy as Istio 1.4 knew it: ALLOW only (no `action`),
   * no negated fields; an allow-nothing policy per default-deny namespace, no ClusterRbacConfig.
   * Needs Istio 1.4.
   */
  AUTHORIZATION_POLICY = 'AUTHORIZATION_POLICY',
}

/** Whether an intention is enforced or only observed. */
export enum Enforcement {
  /** Applied. */
  ENFORCE = 'ENFORCE',
  /**
   * Istio dry-run (`istio.io/dry-run: "true"`): logged and counted as it would apply, never
   * enforced. Needs Istio 1.10.
   * @see https://istio.io/latest/docs/tasks/security/authorization/authz-dry-run/
   */
  DRY_RUN = 'DRY_RUN',
}

/** HTTP methods. Istio compares them case-sensitively; gRPC calls are always POST. */
export enum HttpMethod {
  GET = 'GET',
  HEAD = 'HEAD',
  POST = 'POST',
  PUT = 'PUT',
  PATCH = 'PATCH',
  DELETE = 'DELETE',
  OPTIONS = 'OPTIONS',
  CONNECT = 'CONNECT',
  TRACE = 'TRACE',
}

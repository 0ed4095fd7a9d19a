/**
 * Access logging through the Telemetry API, as plain model data.
 *
 * @see https://istio.io/latest/docs/reference/config/telemetry/#AccessLogging
 * @see https://istio.io/latest/docs/tasks/observability/logs/telemetry-api/
 * @module
 */

/** One Telemetry object that turns on access logs for the mesh or a namespace. */
export interface AccessLoggingSpec {
  /** `undefined`: mesh-wide (root namespace); else the namespace. */
  readonly namespace?: string;
  /** MeshConfig `extensionProviders` name; `envoy` is built in (stdout). */
  readonly provider: string;
  /** CEL expression; only matching requests are logged. */
  readonly filter?: string;
}

/** The MeshConfig `extensionProviders` name of the trustmesh access-log format. */
export const TRUSTMESH_ACCESS_LOG_PROVIDER = 'trustmesh-access-log';

/**
 * The trustmesh access-log format: Istio's JSON fields plus what `trustmesh replay` needs to
 * decide a request without guessing — the caller's SPIFFE ID, the logging pod and its service
 * account, and the JWT payload the JWT filter verified (Istio stores it in the filter's dynamic
 * metadata under the issuer). `trustmesh` marks the format (its version).
 *
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-EnvoyFileAccessLogProvider
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#command-operators
 */
export const TRUSTMESH_ACCESS_LOG_LABELS: Readonly<Record<string, string>> = {
  trustmesh: '1',
  start_time: '%START_TIME%',
  method: '%REQ(:METHOD)%',
  path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  protocol: '%PROTOCOL%',
  authority: '%REQ(:AUTHORITY)%',
  response_code: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  response_code_details: '%RESPONSE_CODE_DETAILS%',
  connection_termination_details: '%CONNECTION_TERMINATION_DETAILS%',
  upstream_cluster: '%UPSTREAM_CLUSTER_RAW%',
  upstream_host: '%UPSTREAM_HOST%',
  downstream_local_address: '%DOWNSTREAM_LOCAL_ADDRESS%',
  downstream_remote_address: '%DOWNSTREAM_REMOTE_ADDRESS%',
  requested_server_name: '%REQUESTED_SERVER_NAME%',
  peer_uri_san: '%DOWNSTREAM_PEER_URI_SAN%',
  pod_name: '%ENVIRONMENT(POD_NAME)%',
  pod_namespace: '%ENVIRONMENT(POD_NAMESPACE)%',
  service_account: '%ENVIRONMENT(SERVICE_ACCOUNT)%',
  jwt: '%DYNAMIC_METADATA(envoy.filters.http.jwt_authn)%',
};

/**
 * The MeshConfig `extensionProviders` entry that writes the trustmesh format to the proxy's
 * stdout; add it to your MeshConfig (trustmesh does not emit MeshConfig).
 */
export function trustmeshAccessLogProvider(): Record<string, unknown> {
  return {
    name: TRUSTMESH_ACCESS_LOG_PROVIDER,
    envoyFileAccessLog: { path: '/dev/stdout', logFormat: { labels: { ...TRUSTMESH_ACCESS_LOG_LABELS } } },
  };
}

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

import { TrustmeshError, TrustmeshUsageError } from '../errors';
import type { Mesh } from './mesh';
import type { MeshNamespace } from './mesh-namespace';
import { AccessLoggingSpec, TRUSTMESH_ACCESS_LOG_PROVIDER, trustmeshAccessLogProvider } from '../model/access-logging';
import { assertSupports, IstioFeature } from '../model/istio-version';
import { located } from '../private/located';

/**
 * Which requests are written to the access log: a CEL expression over Envoy's request and
 * response attributes.
 * @see https://istio.io/latest/docs/tasks/observability/logs/telemetry-api/
 * @see https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/advanced/attributes
 * @example AccessLogFilter.errors(), AccessLogFilter.expression('response.code == 403')
 */
export class AccessLogFilter {
  /** Responses with status 400 or above (denials included: 401, 403). */
  public static errors(): AccessLogFilter {
    return new AccessLogFilter('response.code >= 400');
  }

  /** Any CEL expression Istio accepts in `accessLogging[].filter.expression`. */
  public static expression(cel: string): AccessLogFilter {
    if (typeof cel !== 'string' || cel.trim() === '') {
      throw new TrustmeshError('TM_INVALID_FILTER', 'access log filter expression is empty', {
        allowed: 'a CEL expression such as "response.code >= 400"',
      });
    }
    return new AccessLogFilter(cel.trim());
  }

  private constructor(public readonly expression: string) {}
}

/**
 * What the access log records.
 * @see https://istio.io/latest/docs/tasks/observability/logs/access-log/
 */
export enum AccessLogFormat {
  /** The provider's own format (Istio's default TEXT or JSON for `envoy`). */
  PROVIDER = 'PROVIDER',
  /**
   * The trustmesh format, which `trustmesh replay` and `trustmesh learn` read without guessing: the
   * caller's SPIFFE ID, the logging pod and its service account, the verified JWT payload. Its
   * provider (`trustmesh-access-log`) must be defined in your MeshConfig `extensionProviders`:
   * {@link trustmeshAccessLogExtensionProvider} is the entry to add.
   */
  TRUSTMESH = 'TRUSTMESH',
}

/** The MeshConfig `extensionProviders` entry of the trustmesh format (add it to your IstioOperator / Helm values). */
export function trustmeshAccessLogExtensionProvider(): Record<string, unknown> {
  return trustmeshAccessLogProvider();
}

/** Options of {@link Mesh.enableAccessLogging}. */
export interface AccessLoggingOptions {
  /**
   * Namespaces to log (a Telemetry object in each).
   * @default - the whole mesh (a Telemetry object in the root namespace)
   */
  readonly namespaces?: MeshNamespace[];
  /**
   * Only log matching requests (Istio 1.13+).
   * @default - every request
   */
  readonly filter?: AccessLogFilter;
  /**
   * The MeshConfig `extensionProviders` entry that receives the log.
   * @default 'envoy' - the built-in provider (the proxy's stdout)
   */
  readonly provider?: string;
  /**
   * The format: with `AccessLogFormat.TRUSTMESH` the default provider is `trustmesh-access-log`,
   * whose MeshConfig entry {@link trustmeshAccessLogExtensionProvider} returns.
   * @default AccessLogFormat.PROVIDER
   */
  readonly format?: AccessLogFormat;
}

/** @internal registers access logging (its Telemetry objects are created by the mesh). */
export function declareAccessLogging(mesh: Mesh, options: AccessLoggingOptions): void {
  located(mesh, () => {
    assertSupports(mesh.istioVersion, IstioFeature.TELEMETRY_ACCESS_LOGGING);
    if (options.filter !== undefined && !(options.filter instanceof AccessLogFilter)) {
      throw new TrustmeshUsageError('filter must be created with AccessLogFilter.errors() or AccessLogFilter.expression(...)');
    }
    if (options.filter) assertSupports(mesh.istioVersion, IstioFeature.ACCESS_LOG_FILTER);
    if (options.format !== undefined && !Object.values(AccessLogFormat).includes(options.format)) {
      throw new TrustmeshUsageError('format must be AccessLogFormat.PROVIDER or AccessLogFormat.TRUSTMESH');
    }
    const provider = options.provider ?? (options.format === AccessLogFormat.TRUSTMESH ? TRUSTMESH_ACCESS_LOG_PROVIDER : 'envoy');
    if (typeof provider !== 'string' || !/^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(provider)) {
      throw new TrustmeshError('TM_INVALID_NAME', 'access log provider is not a MeshConfig extensionProviders name', { value: provider });
    }
    if (options.namespaces !== undefined && options.namespaces.length === 0) {
      throw new TrustmeshError('TM_EMPTY_MATCH_LIST', '"namespaces" is an empty list', { allowed: 'leave it out to log the whole mesh' });
    }
    const scopes: (string | undefined)[] = options.namespaces ? options.namespaces.map((ns) => {
      if (ns.mesh !== mesh) throw new TrustmeshError('TM_UNKNOWN_NAMESPACE', `namespace ${ns.namespaceName} belongs to another mesh`);
      return ns.namespaceName;
    }) : [undefined];
    for (const namespace of scopes) {
      const spec: AccessLoggingSpec = {
        ...(namespace !== undefined ? { namespace } : {}),
        provider,
        ...(options.filter ? { filter: options.filter.expression } : {}),
      };
      mesh._edges.addAccessLogging(spec);
    }
  });
}

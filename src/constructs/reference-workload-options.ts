import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { TrustmeshError, TrustmeshUsageError } from '../errors';
import type { MeshService } from './mesh-service';
import { SidecarInjection } from './sidecar-injection';
import { StandaloneIdentity } from './standalone-identity';
import { Container, ContainerPort, Probe } from '../model/pod-types';
import { assertPortNumber, isHttpProtocol } from '../model/service-port';

/**
 * An HTTP probe of the application container. With manual injection it is rewritten to
 * pilot-agent's `:15020/app-health/...` as Istio's injector does (the kubelet cannot reach the
 * application port directly under STRICT mTLS).
 */
export interface HttpProbeOptions {
  /** Request path, e.g. `/healthz`. */
  readonly path: string;
  /**
   * Container port to probe.
   * @default - the workload port of the service's first HTTP port, else of its first port
   */
  readonly port?: number;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 1 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
}

/** The application container's probes. */
export interface WorkloadProbes {
  /** @default - no readiness probe */
  readonly readiness?: HttpProbeOptions;
  /** @default - no liveness probe */
  readonly liveness?: HttpProbeOptions;
  /** @default - no startup probe */
  readonly startup?: HttpProbeOptions;
}

/**
 * Options for a service's reference workload: a ServiceAccount named for the identity its policies
 * use, a Service with protocol-named ports, and a Deployment (cdk8s-plus-28) running the
 * application with the Istio sidecar.
 *
 * Set mesh-wide with the Mesh prop `referenceWorkloads` and per service with the `workload` prop;
 * the service's options override the mesh's field by field (`env` maps are merged by name).
 */
export interface ReferenceWorkloadOptions {
  /**
   * Set to `false` on a service to leave it out when the mesh emits reference workloads.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Application container image. Required, from the mesh defaults or the service.
   * @default - none: synthesis fails with TM_WORKLOAD_IMAGE_MISSING
   */
  readonly image?: string;
  /**
   * Entrypoint override.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the image's arguments
   */
  readonly args?: string[];
  /** @default 1 */
  readonly replicas?: number;
  /**
   * Environment variables of the application container, emitted sorted by name.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Application container resources.
   * @default - requests cpu 100m and memory 128Mi, memory limit 256Mi
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * HTTP probes of the application container.
   * @default - none
   */
  readonly probes?: WorkloadProbes;
  /**
   * UID the application runs as. Never 1337: the proxy's UID bypasses traffic capture
   * (TM_APP_RUNS_AS_PROXY_UID, istioctl IST0144). Root is refused.
   * @default - the image's user; `runAsNonRoot` is enforced either way
   */
  readonly runAsUser?: number;
  /**
   * GID the application runs as.
   * @default - the image's group
   */
  readonly runAsGroup?: number;
  /**
   * Mount the root file system read-only (an emptyDir is mounted at `/tmp`).
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * How the sidecar gets into the pod. Ignored for services outside the mesh (their pods carry
   * `sidecar.istio.io/inject: "false"`), unless set on the service itself, which is an error.
   * @default SidecarInjection.auto()
   */
  readonly injection?: SidecarInjection;
  /**
   * An SVID issued ahead of time by trustmesh's CA, mounted from a `kubernetes.io/tls` Secret
   * (written to the secrets output, never to `dist/`). Per service only.
   * @default - the identity is issued by istiod at runtime
   */
  readonly identity?: StandaloneIdentity;
}

/** Application container resources when none are given. */
export const DEFAULT_APP_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
};

export function mergeWorkloadOptions(service: MeshService, mesh: ReferenceWorkloadOptions | undefined,
  own: ReferenceWorkloadOptions | undefined): ReferenceWorkloadOptions | undefined {
  if (!mesh && !own) return undefined;
  if (own?.enabled === false || (!own && mesh?.enabled === false)) return undefined;
  if (mesh?.identity) {
    throw new TrustmeshError('TM_IDENTITY_NOT_PER_SERVICE', 'a standalone identity names one service account, so it cannot be a mesh-wide default', {
      fix: 'set `identity` in the service\'s `workload` prop',
    });
  }
  if (!service.inMesh && own?.injection) {
    throw new TrustmeshError('TM_INJECTION_OUT_OF_MESH', `${service.namespace}/${service.name} is declared outside the mesh, so its workload runs without a sidecar`, {
      fix: 'remove `injection` from its workload, or set inMesh: true',
    });
  }
  return { ...mesh, ...own, env: { ...mesh?.env, ...own?.env } };
}

export interface CheckedWorkloadOptions {
  readonly image: string;
  readonly replicas: number;
  readonly env: [string, string][];
  readonly containerPorts: ContainerPort[];
  readonly probes: Pick<Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'>;
}

export function checkWorkloadOptions(service: MeshService, options: ReferenceWorkloadOptions): CheckedWorkloadOptions {
  const image = options.image;
  if (image === undefined || image === '') {
    throw new TrustmeshError('TM_WORKLOAD_IMAGE_MISSING', `the reference workload of ${service.namespace}/${service.name} has no image`, {
      fix: 'set `image` in the mesh\'s `referenceWorkloads` or in the service\'s `workload` prop',
    });
  }
  if (!/^\S+$/.test(image)) {
    throw new TrustmeshError('TM_INVALID_IMAGE', 'image is not an image reference', { value: image, allowed: 'an image reference without spaces' });
  }
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new TrustmeshError('TM_INVALID_REPLICAS', 'replicas must be a non-negative integer', { value: replicas });
  }
  for (const [what, id] of [['runAsUser', options.runAsUser], ['runAsGroup', options.runAsGroup]] as const) {
    if (id !== undefined && (!Number.isInteger(id) || id < 0 || id > 2147483647)) {
      throw new TrustmeshError('TM_INVALID_UID', `${what} must be an integer from 0 to 2147483647`, { value: id });
    }
  }
  if (options.runAsUser === 0) {
    throw new TrustmeshError('TM_WORKLOAD_RUNS_AS_ROOT', 'the reference workload runs non-root, so runAsUser cannot be 0', {
      value: 0, fix: 'pick a non-root UID such as 1000 (not 1337, the proxy\'s)',
    });
  }
  const env = Object.entries(options.env ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [name, value] of env) {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
      throw new TrustmeshError('TM_INVALID_ENV_NAME', 'environment variable name is not valid', {
        value: name, allowed: 'letters, digits, "_", "-" and "."; not starting with a digit',
      });
    }
    if (typeof value !== 'string') throw new TrustmeshUsageError(`env ${name} must be a string`);
  }
  if (options.identity !== undefined && !(options.identity instanceof StandaloneIdentity)) {
    throw new TrustmeshUsageError('identity must be created with StandaloneIdentity.fromIssuedCertificate(...) or StandaloneIdentity.fromPem(...)');
  }
  if (options.injection !== undefined && !(options.injection instanceof SidecarInjection)) {
    throw new TrustmeshUsageError('injection must be created with SidecarInjection.auto(...) or SidecarInjection.manual(...)');
  }

  // One container port per workload port; names only where Kubernetes accepts them (IANA_SVC_NAME).
  const containerPorts: ContainerPort[] = [];
  for (const p of service.ports) {
    if (containerPorts.some((c) => c.containerPort === p.targetPort)) continue;
    containerPorts.push({ ...(isIanaServiceName(p.name) ? { name: p.name } : {}), containerPort: p.targetPort });
  }
  const defaultPort = (service.ports.find((p) => isHttpProtocol(p.protocol)) ?? service.ports[0])?.targetPort;
  const probe = (kind: string, o: HttpProbeOptions | undefined): Probe | undefined => {
    if (!o) return undefined;
    const port = o.port ?? defaultPort;
    if (port === undefined) {
      throw new TrustmeshError('TM_PROBE_WITHOUT_PORT', `the ${kind} probe has no port and ${service.namespace}/${service.name} declares none`, {
        fix: 'give the probe a port, or declare the service\'s ports',
      });
    }
    assertPortNumber(port, `${kind} probe port`);
    if (typeof o.path !== 'string' || !o.path.startsWith('/')) {
      throw new TrustmeshError('TM_INVALID_PROBE', `the ${kind} probe path must start with "/"`, { value: o.path });
    }
    for (const [field, value] of Object.entries({
      initialDelaySeconds: o.initialDelaySeconds,
      periodSeconds: o.periodSeconds,
      timeoutSeconds: o.timeoutSeconds,
      failureThreshold: o.failureThreshold,
    })) {
      if (value !== undefined && (!Number.isInteger(value) || value < (field === 'initialDelaySeconds' ? 0 : 1))) {
        throw new TrustmeshError('TM_INVALID_PROBE', `the ${kind} probe's ${field} must be a positive integer`, { value });
      }
    }
    // Every field explicit, so the probe cdk8s-plus writes is exactly the one injection reads.
    return {
      httpGet: { path: o.path, port, scheme: 'HTTP' },
      ...(o.initialDelaySeconds !== undefined ? { initialDelaySeconds: o.initialDelaySeconds } : {}),
      periodSeconds: o.periodSeconds ?? 10,
      timeoutSeconds: o.timeoutSeconds ?? 1,
      failureThreshold: o.failureThreshold ?? 3,
    };
  };
  const readinessProbe = probe('readiness', options.probes?.readiness);
  const livenessProbe = probe('liveness', options.probes?.liveness);
  const startupProbe = probe('startup', options.probes?.startup);
  return {
    image,
    replicas,
    env,
    containerPorts,
    probes: {
      ...(readinessProbe ? { readinessProbe } : {}),
      ...(livenessProbe ? { livenessProbe } : {}),
      ...(startupProbe ? { startupProbe } : {}),
    },
  };
}

/** Kubernetes container port names: at most 15 characters, lower case, a letter, no `--`. */
function isIanaServiceName(name: string): boolean {
  return name.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

import { ResourceRequirements } from '../../model/pod-types';

/**
 * Ports and identities of the Istio sidecar (istio.io "Ports used by Istio" table).
 * @see https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio
 */
export const SidecarPorts = {
  /** Outbound capture (`-p`). */
  OUTBOUND_CAPTURE: 15001,
  /** Inbound capture (`-z`). */
  INBOUND_CAPTURE: 15006,
  /** Merged Prometheus metrics and the pilot-agent status/debug port; app probes are rewritten to it. */
  STATUS: 15020,
  /** Health checks (`/healthz/ready`). */
  HEALTH: 15021,
  /** Envoy Prometheus telemetry. */
  ENVOY_PROMETHEUS: 15090,
} as const;

/** The proxy's UID and GID. Traffic from this UID bypasses capture, so applications must not use it. */
export const PROXY_UID = 1337;

/** The audience of the projected token the proxy presents to istiod's CA (`global.sds.token.aud`). */
export const ISTIO_CA_AUDIENCE = 'istio-ca';

/** How inbound traffic is captured (`sidecar.istio.io/interceptionMode`). */
export type InterceptionModeName = 'REDIRECT' | 'TPROXY' | 'NONE';

/**
 * Cluster- and mesh-wide inputs of injection, i.e. what istiod's injector takes from its Helm values
 * and MeshConfig. Per-pod inputs (traffic, interception mode, native sidecar, proxy config) come
 * from the pod's annotations, as they do for the webhook.
 */
export interface SidecarSettings {
  /** `istio-proxy` and `istio-init` image, e.g. `docker.io/istio/proxyv2:1.30.0`. */
  readonly proxyImage: string;
  /** Native sidecar (an init container with `restartPolicy: Always`) unless the pod's annotation says otherwise. */
  readonly nativeSidecar: boolean;
  /** The Istio CNI plugin sets up redirection; the init container only validates it (`istio-validation`). */
  readonly cni: boolean;
  /** Mesh-wide `holdApplicationUntilProxyStarts` (MeshConfig `defaultConfig`); the pod's `proxy.istio.io/config` wins. */
  readonly holdApplicationUntilProxyStarts: boolean;
  /** Requests and limits of `istio-proxy` and `istio-init` (`global.proxy.resources`). */
  readonly proxyResources: ResourceRequirements;
  /** SPIFFE trust domain (`TRUST_DOMAIN`, and `ISTIO_META_MESH_ID` unless `meshId` is set). */
  readonly trustDomain: string;
  /** Cluster DNS domain (`--domain $(POD_NAMESPACE).svc.<clusterDomain>`). */
  readonly clusterDomain: string;
  /** Namespace of istiod (`CA_ADDR=istiod.<ns>.svc:15012`). */
  readonly istiodNamespace: string;
  /** `ISTIO_META_CLUSTER_ID` (`global.multiCluster.clusterName`). */
  readonly clusterId: string;
  /** `ISTIO_META_MESH_ID` (`global.meshID`); defaults to the trust domain as istiod does. */
  readonly meshId?: string;
  /** Control plane revision (`istio.io/rev`). */
  readonly revision: string;
  /**
   * A `kubernetes.io/tls` Secret backing the proxy's `workload-certs` volume (keys mapped to Istio's
   * file-mounted names), so the agent serves this SVID instead of requesting one from istiod.
   */
  readonly workloadCertsSecret?: string;
}

/** Chart defaults of `global.proxy.resources` (requests 100m/128Mi, limits 2 CPUs/1Gi). */
export const DEFAULT_PROXY_RESOURCES: ResourceRequirements = {
  limits: { cpu: '2', memory: '1Gi' },
  requests: { cpu: '100m', memory: '128Mi' },
};

/** The proxyv2 image Istio publishes for a release, e.g. `docker.io/istio/proxyv2:1.30.0`. */
export function defaultProxyImage(istioVersion: { readonly major: number; readonly minor: number }): string {
  return `docker.io/istio/proxyv2:${istioVersion.major}.${istioVersion.minor}.0`;
}

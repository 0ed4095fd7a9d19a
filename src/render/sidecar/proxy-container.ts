import { InterceptionModeName, PROXY_UID, SidecarPorts, SidecarSettings } from './sidecar-settings';
import { renderProxyVolumeMounts } from './volumes';
import { Container, EnvVar } from '../../model/pod-types';

/** The workload that owns the pod (`ISTIO_META_OWNER`, `ISTIO_META_WORKLOAD_NAME`). */
export interface WorkloadRef {
  /** `apps/v1`. */
  readonly apiVersion: string;
  /** `Deployment`. */
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

/** Per-pod inputs of the proxy container, resolved from the pod by {@link injectSidecar}. */
export interface ProxyContainerInput {
  readonly workload: WorkloadRef;
  /** App container names, in pod order (`ISTIO_META_APP_CONTAINERS`). */
  readonly appContainers: readonly Container[];
  readonly interceptionMode: InterceptionModeName;
  readonly native: boolean;
  readonly holdApplicationUntilProxyStarts: boolean;
  /** Effective ProxyConfig overrides (`PROXY_CONFIG`), canonical JSON. */
  readonly proxyConfigJson: string;
  /** `ISTIO_KUBE_APP_PROBERS`, when app probes were rewritten. */
  readonly appProbersJson?: string;
}

/**
 * The `istio-proxy` container: pilot-agent and Envoy, running as UID 1337 with a read-only root
 * file system, readiness and startup probes on the health port 15021, and the environment the
 * agent reads (identity, CA address, pod metadata, ports, mesh and trust domain).
 *
 * Native sidecars get `restartPolicy: Always` and a preStop drain; classic sidecars that hold the
 * application get a postStart `pilot-agent wait`.
 */
export function renderProxyContainer(input: ProxyContainerInput, settings: SidecarSettings): Container {
  const tproxy = input.interceptionMode === 'TPROXY';
  const lifecycle = input.native
    ? { preStop: { exec: { command: ['pilot-agent', 'request', `--debug-port=${SidecarPorts.STATUS}`, 'POST', 'drain'] } } }
    : input.holdApplicationUntilProxyStarts
      ? { postStart: { exec: { command: ['pilot-agent', 'wait'] } } }
      : undefined;
  return {
    name: 'istio-proxy',
    image: settings.proxyImage,
    ...(input.native ? { restartPolicy: 'Always' } : {}),
    args: [
      'proxy', 'sidecar',
      '--domain', `$(POD_NAMESPACE).svc.${settings.clusterDomain}`,
      '--proxyLogLevel=warning',
      '--proxyComponentLogLevel=misc:error',
      '--log_output_level=default:info',
    ],
    ...(lifecycle ? { lifecycle } : {}),
    env: proxyEnv(input, settings),
    ports: [{ containerPort: SidecarPorts.ENVOY_PROMETHEUS, name: 'http-envoy-prom', protocol: 'TCP' }],
    readinessProbe: {
      httpGet: { path: '/healthz/ready', port: SidecarPorts.HEALTH },
      periodSeconds: 15,
      timeoutSeconds: 3,
      failureThreshold: 4,
    },
    startupProbe: {
      httpGet: { path: '/healthz/ready', port: SidecarPorts.HEALTH },
      periodSeconds: 1,
      timeoutSeconds: 3,
      failureThreshold: 600,
    },
    resources: settings.proxyResources,
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: tproxy ? { add: ['NET_ADMIN'], drop: ['ALL'] } : { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: PROXY_UID,
      runAsNonRoot: !tproxy,
      runAsUser: tproxy ? 0 : PROXY_UID,
    },
    volumeMounts: renderProxyVolumeMounts(),
  };
}

function proxyEnv(input: ProxyContainerInput, settings: SidecarSettings): EnvVar[] {
  const field = (name: string, fieldPath: string): EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
  const resource = (name: string, res: string): EnvVar => ({ name, valueFrom: { resourceFieldRef: { resource: res } } });
  const { workload } = input;
  const env: EnvVar[] = [
    { name: 'PILOT_CERT_PROVIDER', value: 'istiod' },
    { name: 'CA_ADDR', value: `istiod.${settings.istiodNamespace}.svc:15012` },
    field('POD_NAME', 'metadata.name'),
    field('POD_NAMESPACE', 'metadata.namespace'),
    field('INSTANCE_IP', 'status.podIP'),
    field('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
    field('HOST_IP', 'status.hostIP'),
    resource('ISTIO_CPU_LIMIT', 'limits.cpu'),
    { name: 'PROXY_CONFIG', value: `${input.proxyConfigJson}\n` },
    { name: 'ISTIO_META_POD_PORTS', value: podPortsJson(input.appContainers) },
    { name: 'ISTIO_META_APP_CONTAINERS', value: input.appContainers.map((c) => c.name).join(',') },
    resource('GOMEMLIMIT', 'limits.memory'),
    { name: 'ISTIO_META_CLUSTER_ID', value: settings.clusterId },
    field('ISTIO_META_NODE_NAME', 'spec.nodeName'),
    { name: 'ISTIO_META_INTERCEPTION_MODE', value: input.interceptionMode },
    { name: 'ISTIO_META_WORKLOAD_NAME', value: workload.name },
    { name: 'ISTIO_META_OWNER', value: `kubernetes://apis/${workload.apiVersion}/namespaces/${workload.namespace}/${workload.kind.toLowerCase()}s/${workload.name}` },
    { name: 'ISTIO_META_MESH_ID', value: settings.meshId ?? settings.trustDomain },
    { name: 'TRUST_DOMAIN', value: settings.trustDomain },
  ];
  if (input.appProbersJson !== undefined) env.push({ name: 'ISTIO_KUBE_APP_PROBERS', value: input.appProbersJson });
  return env;
}

/**
 * `ISTIO_META_POD_PORTS`: every app container port as compact JSON (Go field order: name,
 * containerPort, protocol), one per line, in the template's layout.
 */
function podPortsJson(containers: readonly Container[]): string {
  const entries = containers.flatMap((c) => c.ports ?? []).map((p) => JSON.stringify({
    ...(p.name ? { name: p.name } : {}),
    containerPort: p.containerPort,
    ...(p.protocol ? { protocol: p.protocol } : {}),
  }));
  return ['[', ...entries.map((e, i) => `    ${i === 0 ? '' : ','}${e}`), ']'].join('\n');
}

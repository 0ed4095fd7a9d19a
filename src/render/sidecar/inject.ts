import { IstioPodKeys } from './annotations';
import { appProbersJson, rewriteAppProbes } from './app-probes';
import { renderInitContainer } from './init-container';
import { renderProxyContainer, WorkloadRef } from './proxy-container';
import { SidecarPorts, SidecarSettings } from './sidecar-settings';
import { excludedInboundPorts, interceptionModeOf } from './traffic';
import { renderSidecarVolumes } from './volumes';
import { TrustmeshError } from '../../errors';
import { Container, PodTemplate, Volume } from '../../model/pod-types';
import { sortKeys } from '../../private/sort-keys';

/** The parts of a pod injection reads. */
export interface InjectionInput {
  readonly workload: WorkloadRef;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Application containers, in pod order. */
  readonly appContainers: readonly Container[];
}

/** What injection adds to or changes in a pod. */
export interface Injection {
  /** Labels to add (existing labels win). */
  readonly labels: Readonly<Record<string, string>>;
  /** Annotations to add (existing annotations win, except `sidecar.istio.io/status`). */
  readonly annotations: Readonly<Record<string, string>>;
  /** Init containers to put before the pod's own: `istio-init`/`istio-validation`, then the native `istio-proxy`. */
  readonly initContainers: readonly Container[];
  /** The classic `istio-proxy` container and where it goes (first when it holds the application). */
  readonly proxy?: { readonly container: Container; readonly position: 'first' | 'last' };
  /** The app containers with probes rewritten to the agent. */
  readonly appContainers: readonly Container[];
  /** Volumes to append. */
  readonly volumes: readonly Volume[];
}

/**
 * Renders what Istio's injector (`istioctl kube-inject`, or the webhook) adds to a pod, for the
 * pinned release the settings describe. Per-pod choices come from the pod's annotations, as for the
 * webhook: `sidecar.istio.io/nativeSidecar`, `sidecar.istio.io/interceptionMode`, the
 * `traffic.sidecar.istio.io/*` ranges and ports, and `proxy.istio.io/config`
 * (`holdApplicationUntilProxyStarts`).
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#manual-sidecar-injection
 */
export function renderInjection(input: InjectionInput, settings: SidecarSettings): Injection {
  const { annotations } = input;
  const nativeAnnotation = annotations[IstioPodKeys.NATIVE_SIDECAR];
  const native = nativeAnnotation === undefined ? settings.nativeSidecar : nativeAnnotation !== 'false';
  const mode = interceptionModeOf(annotations);
  const proxyConfig = effectiveProxyConfig(annotations[IstioPodKeys.PROXY_CONFIG], settings);
  const hold = proxyConfig.holdApplicationUntilProxyStarts === true;
  const probes = rewriteAppProbes(input.appContainers);
  const proxy = renderProxyContainer({
    workload: input.workload,
    appContainers: input.appContainers,
    interceptionMode: mode,
    native,
    // The template holds the app only for classic sidecars; native ones start before app containers anyway.
    holdApplicationUntilProxyStarts: hold && !native,
    proxyConfigJson: JSON.stringify(proxyConfig),
    ...(Object.keys(probes.probers).length > 0 ? { appProbersJson: appProbersJson(probes.probers) } : {}),
  }, settings);

  // With interceptionMode NONE nothing is captured, so there is nothing to set up or validate.
  const init = mode === 'NONE' ? [] : [renderInitContainer(annotations, settings)];
  const initContainers = native ? [...init, proxy] : init;
  const volumes = renderSidecarVolumes({ workloadCertsSecret: settings.workloadCertsSecret });
  const firstApp = input.appContainers[0]?.name;

  const status = {
    initContainers: initContainers.length > 0 ? initContainers.map((c) => c.name) : null,
    containers: native ? null : [proxy.name],
    volumes: volumes.map((v) => v.name),
    imagePullSecrets: null,
    revision: settings.revision,
  };
  const added: Record<string, string> = {
    [IstioPodKeys.REVISION]: settings.revision,
    ...(firstApp ? { [IstioPodKeys.DEFAULT_CONTAINER]: firstApp, [IstioPodKeys.DEFAULT_LOGS_CONTAINER]: firstApp } : {}),
    'prometheus.io/path': '/stats/prometheus',
    'prometheus.io/port': String(SidecarPorts.STATUS),
    'prometheus.io/scrape': 'true',
    ...(settings.cni ? cniAnnotations(annotations, mode) : {}),
  };
  const labels = input.labels;
  return {
    labels: {
      [IstioPodKeys.TLS_MODE]: 'istio',
      [IstioPodKeys.CANONICAL_NAME]: labels[IstioPodKeys.CANONICAL_NAME] ?? labels['app.kubernetes.io/name'] ?? labels.app ?? input.workload.name,
      [IstioPodKeys.CANONICAL_REVISION]: labels[IstioPodKeys.CANONICAL_REVISION] ?? labels['app.kubernetes.io/version'] ?? labels.version ?? 'latest',
    },
    annotations: { ...sortKeys(added), [IstioPodKeys.STATUS]: JSON.stringify(status) },
    initContainers,
    ...(native ? {} : { proxy: { container: proxy, position: hold ? 'first' as const : 'last' as const } }),
    appContainers: probes.containers,
    volumes,
  };
}

/**
 * `istioctl kube-inject` as a pure function: the pod template with the sidecar injected. Pods that
 * already carry `sidecar.istio.io/status` are returned unchanged, as the webhook skips them.
 */
export function injectSidecar(pod: PodTemplate, workload: WorkloadRef, settings: SidecarSettings): PodTemplate {
  const annotations = pod.metadata.annotations ?? {};
  if (IstioPodKeys.STATUS in annotations) return pod;
  const labels = pod.metadata.labels ?? {};
  const injection = renderInjection({ workload, labels, annotations, appContainers: pod.spec.containers }, settings);
  const apps = injection.appContainers;
  const containers = !injection.proxy ? apps
    : injection.proxy.position === 'first' ? [injection.proxy.container, ...apps] : [...apps, injection.proxy.container];
  return {
    metadata: {
      ...pod.metadata,
      labels: sortKeys({ ...injection.labels, ...labels }),
      annotations: sortKeys({ ...injection.annotations, ...withoutStatus(annotations) }),
    },
    spec: {
      ...pod.spec,
      containers,
      initContainers: [...injection.initContainers, ...(pod.spec.initContainers ?? [])],
      volumes: [...(pod.spec.volumes ?? []), ...injection.volumes],
    },
  };
}

/**
 * The ProxyConfig the pod runs with: mesh-wide defaults overlaid with the pod's
 * `proxy.istio.io/config` (JSON; Istio also accepts YAML there, trustmesh writes JSON).
 */
function effectiveProxyConfig(annotation: string | undefined, settings: SidecarSettings): Record<string, unknown> {
  const config: Record<string, unknown> = settings.holdApplicationUntilProxyStarts ? { holdApplicationUntilProxyStarts: true } : {};
  if (annotation !== undefined && annotation.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(annotation);
    } catch (e) {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new TrustmeshError('TM_INVALID_PROXY_CONFIG', `annotation ${IstioPodKeys.PROXY_CONFIG} is not a JSON object`, {
        value: annotation, allowed: 'a JSON object such as {"holdApplicationUntilProxyStarts":true}',
      });
    }
    Object.assign(config, parsed);
  }
  return sortKeys(config);
}

/** The annotations the template copies onto the pod for the CNI plugin, which reads them there. */
function cniAnnotations(annotations: Readonly<Record<string, string>>, mode: string): Record<string, string> {
  const out: Record<string, string> = {
    [IstioPodKeys.INTERCEPTION_MODE]: mode,
    [IstioPodKeys.INCLUDE_OUTBOUND_IP_RANGES]: annotations[IstioPodKeys.INCLUDE_OUTBOUND_IP_RANGES] ?? '*',
    [IstioPodKeys.INCLUDE_INBOUND_PORTS]: annotations[IstioPodKeys.INCLUDE_INBOUND_PORTS] ?? '*',
  };
  const excludedRanges = annotations[IstioPodKeys.EXCLUDE_OUTBOUND_IP_RANGES];
  if (excludedRanges) out[IstioPodKeys.EXCLUDE_OUTBOUND_IP_RANGES] = excludedRanges;
  out[IstioPodKeys.EXCLUDE_INBOUND_PORTS] = excludedInboundPorts(annotations);
  for (const key of [IstioPodKeys.INCLUDE_OUTBOUND_PORTS, IstioPodKeys.EXCLUDE_OUTBOUND_PORTS, IstioPodKeys.KUBEVIRT_INTERFACES,
    IstioPodKeys.REROUTE_VIRTUAL_INTERFACES, IstioPodKeys.EXCLUDE_INTERFACES]) {
    if (key in annotations) out[key] = annotations[key];
  }
  return out;
}

function withoutStatus(annotations: Readonly<Record<string, string>>): Record<string, string> {
  const { [IstioPodKeys.STATUS]: _status, ...rest } = annotations;
  return rest;
}

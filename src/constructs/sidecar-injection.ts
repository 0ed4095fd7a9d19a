import { TrustmeshError } from '../errors';
import { parseIpBlock } from '../model/ip-block';
import { assertPortNumber } from '../model/service-port';
import { TrafficSettings } from '../render/sidecar/traffic';

/**
 * How the sidecar captures inbound traffic (`sidecar.istio.io/interceptionMode`).
 * @see https://istio.io/latest/docs/reference/config/annotations/#SidecarInterceptionMode
 */
export enum InterceptionMode {
  /** iptables REDIRECT (NAT); the source address seen by the app is the proxy's. */
  REDIRECT = 'REDIRECT',
  /** iptables TPROXY: keeps source addresses; the proxy needs NET_ADMIN and runs as root. */
  TPROXY = 'TPROXY',
  /** No capture: the app must address the proxy explicitly. */
  NONE = 'NONE',
}

/**
 * Which traffic the sidecar captures, written as `traffic.sidecar.istio.io/*` annotations (and, for
 * manual injection, mapped to `istio-iptables` arguments). Traffic that bypasses the sidecar has no
 * mTLS and no policy: exclude only what must bypass it, such as the Kubernetes API server.
 *
 * @see https://istio.io/latest/docs/reference/config/annotations/
 * @example
 * // the API server is reached directly, not through the sidecar
 * { excludeOutboundPorts: [443] }
 */
export interface SidecarTrafficOptions {
  /** @default InterceptionMode.REDIRECT */
  readonly interceptionMode?: InterceptionMode;
  /**
   * Outbound destinations to capture (CIDRs, or `*`).
   * @default - all (`*`)
   */
  readonly includeOutboundIpRanges?: string[];
  /**
   * Outbound destinations that bypass the sidecar (CIDRs), e.g. the API server's address.
   * @default - none
   */
  readonly excludeOutboundIpRanges?: string[];
  /**
   * Inbound ports to capture.
   * @default - all (`*`)
   */
  readonly includeInboundPorts?: number[];
  /**
   * Inbound ports that bypass the sidecar: no mTLS and no authorization on them.
   * @default - none besides the sidecar's own ports
   */
  readonly excludeInboundPorts?: number[];
  /**
   * Outbound ports to capture regardless of the IP ranges.
   * @default - none
   */
  readonly includeOutboundPorts?: number[];
  /**
   * Outbound ports that bypass the sidecar, e.g. `443` for the Kubernetes API server.
   * @default - none
   */
  readonly excludeOutboundPorts?: number[];
  /**
   * Network interfaces whose traffic is never captured.
   * @default - none
   */
  readonly excludeInterfaces?: string[];
  /**
   * Virtual interfaces whose inbound traffic is treated as outbound (KubeVirt VMs).
   * @default - none
   */
  readonly rerouteVirtualInterfaces?: string[];
}

/** Options shared by both injection modes. */
export interface SidecarInjectionOptions {
  /**
   * Traffic capture settings.
   * @default - capture everything except the sidecar's own ports
   */
  readonly traffic?: SidecarTrafficOptions;
  /**
   * Start the application only once the proxy is ready (`proxy.istio.io/config`
   * `holdApplicationUntilProxyStarts`), so that its first calls do not fail.
   * @default false
   */
  readonly holdApplicationUntilProxyStarts?: boolean;
  /**
   * Run `istio-proxy` as a native sidecar (an init container with `restartPolicy: Always`, Kubernetes
   * 1.29+) rather than a regular container.
   * @default - automatic injection: istiod decides (native when every kubelet supports it);
   *   manual injection: native
   */
  readonly nativeSidecar?: boolean;
}

/** Options of {@link SidecarInjection.manual}. */
export interface ManualInjectionOptions extends SidecarInjectionOptions {
  /**
   * The cluster runs the Istio CNI plugin: the init container is `istio-validation` (non-root, no
   * capabilities) instead of `istio-init`.
   * @default false
   */
  readonly cni?: boolean;
  /**
   * Image of `istio-proxy` and the init container.
   * @default - `docker.io/istio/proxyv2:<mesh istioVersion>.0`
   */
  readonly proxyImage?: string;
  /**
   * Resources of `istio-proxy` and the init container, as quantity strings.
   * @default - Istio's chart defaults: requests cpu 100m, memory 128Mi; limits cpu 2, memory 1Gi
   */
  readonly proxyResources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  /**
   * Namespace of istiod (`CA_ADDR`).
   * @default - the mesh's root namespace
   */
  readonly istiodNamespace?: string;
  /**
   * `ISTIO_META_CLUSTER_ID` (Helm `global.multiCluster.clusterName`).
   * @default 'Kubernetes'
   */
  readonly clusterId?: string;
  /**
   * Control plane revision (`istio.io/rev`).
   * @default 'default'
   */
  readonly revision?: string;
}

/** Which kind of injection a {@link SidecarInjection} is. */
export type SidecarInjectionMode = 'auto' | 'manual';

/**
 * How the Istio sidecar gets into a reference workload's pods.
 *
 * @example
 * SidecarInjection.auto({ holdApplicationUntilProxyStarts: true, traffic: { excludeOutboundPorts: [443] } })
 * SidecarInjection.manual({ cni: true })
 */
export class SidecarInjection {
  /**
   * Istio's webhook injects the sidecar when the pod is created: the pod carries the label
   * `sidecar.istio.io/inject: "true"` and the annotations for the options.
   * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#automatic-sidecar-injection
   */
  public static auto(options: SidecarInjectionOptions = {}): SidecarInjection {
    return new SidecarInjection('auto', options);
  }

  /**
   * The Deployment already holds what `istioctl kube-inject` produces for the mesh's pinned Istio
   * version (init container, `istio-proxy`, volumes, rewritten probes), so it runs without the
   * injection webhook and a reviewer sees the whole pod.
   * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#manual-sidecar-injection
   */
  public static manual(options: ManualInjectionOptions = {}): SidecarInjection {
    return new SidecarInjection('manual', options);
  }

  public readonly mode: SidecarInjectionMode;
  /** @internal */
  public readonly _options: ManualInjectionOptions;

  private constructor(mode: SidecarInjectionMode, options: ManualInjectionOptions) {
    validateTraffic(options.traffic ?? {});
    if (options.proxyImage !== undefined && !/^\S+$/.test(options.proxyImage)) {
      throw new TrustmeshError('TM_INVALID_IMAGE', 'proxyImage is not an image reference', {
        value: options.proxyImage, allowed: 'an image reference without spaces, e.g. docker.io/istio/proxyv2:1.30.0',
      });
    }
    this.mode = mode;
    this._options = { ...options };
  }

  /** @internal the traffic options as renderer settings. */
  public _traffic(): TrafficSettings {
    const t = this._options.traffic ?? {};
    return {
      ...(t.interceptionMode ? { interceptionMode: t.interceptionMode } : {}),
      ...(t.includeOutboundIpRanges ? { includeOutboundIpRanges: [...t.includeOutboundIpRanges] } : {}),
      ...(t.excludeOutboundIpRanges ? { excludeOutboundIpRanges: [...t.excludeOutboundIpRanges] } : {}),
      ...(t.includeInboundPorts ? { includeInboundPorts: [...t.includeInboundPorts] } : {}),
      ...(t.excludeInboundPorts ? { excludeInboundPorts: [...t.excludeInboundPorts] } : {}),
      ...(t.includeOutboundPorts ? { includeOutboundPorts: [...t.includeOutboundPorts] } : {}),
      ...(t.excludeOutboundPorts ? { excludeOutboundPorts: [...t.excludeOutboundPorts] } : {}),
      ...(t.excludeInterfaces ? { excludeInterfaces: [...t.excludeInterfaces] } : {}),
      ...(t.rerouteVirtualInterfaces ? { rerouteVirtualInterfaces: [...t.rerouteVirtualInterfaces] } : {}),
    };
  }
}

function validateTraffic(t: SidecarTrafficOptions): void {
  for (const range of [...(t.includeOutboundIpRanges ?? []), ...(t.excludeOutboundIpRanges ?? [])]) {
    if (range !== '*') parseIpBlock(range);
  }
  for (const [what, ports] of [
    ['includeInboundPorts', t.includeInboundPorts], ['excludeInboundPorts', t.excludeInboundPorts],
    ['includeOutboundPorts', t.includeOutboundPorts], ['excludeOutboundPorts', t.excludeOutboundPorts],
  ] as const) {
    for (const p of ports ?? []) assertPortNumber(p, `traffic ${what} entry`);
  }
  for (const name of [...(t.excludeInterfaces ?? []), ...(t.rerouteVirtualInterfaces ?? [])]) {
    if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(name)) {
      throw new TrustmeshError('TM_INVALID_INTERFACE', 'network interface name is not valid', {
        value: name, allowed: '1 to 15 letters, digits, ".", "_", ":" or "-" (e.g. eth1)',
      });
    }
  }
}

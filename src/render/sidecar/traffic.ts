import { IstioPodKeys } from './annotations';
import { InterceptionModeName, PROXY_UID, SidecarPorts } from './sidecar-settings';
import { sortKeys } from '../../private/sort-keys';

/**
 * Which traffic the sidecar captures: the `traffic.sidecar.istio.io/*` annotations as data. Every
 * field left out keeps Istio's default (capture everything, except the sidecar's own ports).
 */
export interface TrafficSettings {
  /** `sidecar.istio.io/interceptionMode`. Default REDIRECT. */
  readonly interceptionMode?: InterceptionModeName;
  /** Outbound destinations to capture (CIDRs or `*`). Default `*`. */
  readonly includeOutboundIpRanges?: readonly string[];
  /** Outbound destinations that bypass the sidecar, e.g. the API server's address. */
  readonly excludeOutboundIpRanges?: readonly string[];
  /** Inbound ports to capture; `'*'` for all. Default `*`. */
  readonly includeInboundPorts?: readonly number[] | '*';
  /** Inbound ports that bypass the sidecar (no mTLS, no policy on them). */
  readonly excludeInboundPorts?: readonly number[];
  /** Outbound ports to capture in addition to the IP ranges. */
  readonly includeOutboundPorts?: readonly number[];
  /** Outbound ports that bypass the sidecar, e.g. 443 for the Kubernetes API server. */
  readonly excludeOutboundPorts?: readonly number[];
  /** Network interfaces whose traffic is never captured. */
  readonly excludeInterfaces?: readonly string[];
  /** Virtual interfaces whose inbound traffic is treated as outbound (KubeVirt). */
  readonly rerouteVirtualInterfaces?: readonly string[];
}

/**
 * The pod annotations for the traffic settings, only for fields that are set (sorted keys), so that
 * both automatic injection and {@link injectSidecar} read the same declaration.
 */
export function trafficAnnotations(traffic: TrafficSettings): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (key: string, values: readonly (string | number)[] | undefined): void => {
    if (values !== undefined && values.length > 0) out[key] = values.join(',');
  };
  if (traffic.interceptionMode !== undefined && traffic.interceptionMode !== 'REDIRECT') {
    out[IstioPodKeys.INTERCEPTION_MODE] = traffic.interceptionMode;
  }
  set(IstioPodKeys.INCLUDE_OUTBOUND_IP_RANGES, traffic.includeOutboundIpRanges);
  set(IstioPodKeys.EXCLUDE_OUTBOUND_IP_RANGES, traffic.excludeOutboundIpRanges);
  if (traffic.includeInboundPorts === '*') out[IstioPodKeys.INCLUDE_INBOUND_PORTS] = '*';
  else set(IstioPodKeys.INCLUDE_INBOUND_PORTS, traffic.includeInboundPorts);
  set(IstioPodKeys.EXCLUDE_INBOUND_PORTS, traffic.excludeInboundPorts);
  set(IstioPodKeys.INCLUDE_OUTBOUND_PORTS, traffic.includeOutboundPorts);
  set(IstioPodKeys.EXCLUDE_OUTBOUND_PORTS, traffic.excludeOutboundPorts);
  set(IstioPodKeys.EXCLUDE_INTERFACES, traffic.excludeInterfaces);
  set(IstioPodKeys.REROUTE_VIRTUAL_INTERFACES, traffic.rerouteVirtualInterfaces);
  return sortKeys(out);
}

/** The interception mode a pod's annotations select (the injector's default is REDIRECT). */
export function interceptionModeOf(annotations: Readonly<Record<string, string>>): InterceptionModeName {
  const mode = annotations[IstioPodKeys.INTERCEPTION_MODE];
  return mode === 'TPROXY' || mode === 'NONE' ? mode : 'REDIRECT';
}

/**
 * `istio-iptables` arguments of the init container, mapped from the pod's traffic annotations the
 * way the injection template does (`-i` include outbound CIDRs, `-x` exclude outbound CIDRs,
 * `-b` include inbound ports, `-d` exclude inbound ports, `-q`/`-o` include/exclude outbound ports,
 * `-k` reroute virtual interfaces, `-c` exclude interfaces, `-m` interception mode).
 *
 * The sidecar's own ports are always excluded inbound: `15090,15021` then the user's exclusions,
 * then the status port 15020 (the template's `excludeInboundPort`).
 *
 * @see https://github.com/istio/istio/blob/master/manifests/charts/istio-control/istio-discovery/files/injection-template.yaml
 */
export function istioIptablesArgs(annotations: Readonly<Record<string, string>>, options: { readonly cni: boolean }): string[] {
  const get = (key: string, fallback: string): string => annotations[key] ?? fallback;
  const args = [
    'istio-iptables',
    '-p', String(SidecarPorts.OUTBOUND_CAPTURE),
    '-z', String(SidecarPorts.INBOUND_CAPTURE),
    '-u', String(PROXY_UID),
    '-m', interceptionModeOf(annotations),
    '-i', get(IstioPodKeys.INCLUDE_OUTBOUND_IP_RANGES, '*'),
    '-x', get(IstioPodKeys.EXCLUDE_OUTBOUND_IP_RANGES, ''),
    '-b', get(IstioPodKeys.INCLUDE_INBOUND_PORTS, '*'),
    '-d', `${SidecarPorts.ENVOY_PROMETHEUS},${SidecarPorts.HEALTH},${excludedInboundPorts(annotations)}`,
  ];
  if (IstioPodKeys.INCLUDE_OUTBOUND_PORTS in annotations) args.push('-q', annotations[IstioPodKeys.INCLUDE_OUTBOUND_PORTS]);
  if (IstioPodKeys.EXCLUDE_OUTBOUND_PORTS in annotations) args.push('-o', annotations[IstioPodKeys.EXCLUDE_OUTBOUND_PORTS]);
  const reroute = annotations[IstioPodKeys.REROUTE_VIRTUAL_INTERFACES] ?? annotations[IstioPodKeys.KUBEVIRT_INTERFACES];
  if (reroute !== undefined) args.push('-k', reroute);
  if (IstioPodKeys.EXCLUDE_INTERFACES in annotations) args.push('-c', annotations[IstioPodKeys.EXCLUDE_INTERFACES]);
  args.push('--log_output_level=default:info');
  if (options.cni) args.push('--run-validation', '--skip-rule-apply');
  return args;
}

/**
 * The user's excluded inbound ports followed by the status port, unless already listed (the
 * template's `excludeInboundPort` helper).
 */
export function excludedInboundPorts(annotations: Readonly<Record<string, string>>): string {
  const status = String(SidecarPorts.STATUS);
  const ports = (annotations[IstioPodKeys.EXCLUDE_INBOUND_PORTS] ?? '').split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  return ports.includes(status) ? ports.join(',') : [...ports, status].join(',');
}

/**
 * Pod labels and annotations Istio's injector reads or writes.
 * @see https://istio.io/latest/docs/reference/config/annotations/
 * @see https://istio.io/latest/docs/reference/config/labels/
 */
export const IstioPodKeys = {
  /** Label: opt the pod in (`"true"`) or out (`"false"`) of automatic injection. */
  INJECT: 'sidecar.istio.io/inject',
  /** Annotation: ProxyConfig overrides as JSON, e.g. `holdApplicationUntilProxyStarts`. */
  PROXY_CONFIG: 'proxy.istio.io/config',
  /** Annotation: `"true"`/`"false"` forces the native or classic sidecar. */
  NATIVE_SIDECAR: 'sidecar.istio.io/nativeSidecar',
  INTERCEPTION_MODE: 'sidecar.istio.io/interceptionMode',
  INCLUDE_OUTBOUND_IP_RANGES: 'traffic.sidecar.istio.io/includeOutboundIPRanges',
  EXCLUDE_OUTBOUND_IP_RANGES: 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
  INCLUDE_INBOUND_PORTS: 'traffic.sidecar.istio.io/includeInboundPorts',
  EXCLUDE_INBOUND_PORTS: 'traffic.sidecar.istio.io/excludeInboundPorts',
  INCLUDE_OUTBOUND_PORTS: 'traffic.sidecar.istio.io/includeOutboundPorts',
  EXCLUDE_OUTBOUND_PORTS: 'traffic.sidecar.istio.io/excludeOutboundPorts',
  EXCLUDE_INTERFACES: 'traffic.sidecar.istio.io/excludeInterfaces',
  /** Deprecated spelling of {@link IstioPodKeys.REROUTE_VIRTUAL_INTERFACES}; still honoured. */
  KUBEVIRT_INTERFACES: 'traffic.sidecar.istio.io/kubevirtInterfaces',
  REROUTE_VIRTUAL_INTERFACES: 'istio.io/reroute-virtual-interfaces',
  /** Written by injection: what was injected (the webhook skips pods that carry it). */
  STATUS: 'sidecar.istio.io/status',
  REVISION: 'istio.io/rev',
  TLS_MODE: 'security.istio.io/tlsMode',
  CANONICAL_NAME: 'service.istio.io/canonical-name',
  CANONICAL_REVISION: 'service.istio.io/canonical-revision',
  DEFAULT_CONTAINER: 'kubectl.kubernetes.io/default-container',
  DEFAULT_LOGS_CONTAINER: 'kubectl.kubernetes.io/default-logs-container',
} as const;

import { SidecarPorts } from './sidecar-settings';
import { Container, ContainerPort, HttpGetAction, Probe } from '../../model/pod-types';
import { sortKeys } from '../../private/sort-keys';

/** Which probe of a container, and the path suffix pilot-agent serves it under. */
const PROBE_KINDS = [
  { field: 'readinessProbe', suffix: 'readyz' },
  { field: 'livenessProbe', suffix: 'livez' },
  { field: 'startupProbe', suffix: 'startupz' },
] as const;

/** An application probe as pilot-agent runs it on the kubelet's behalf (`ISTIO_KUBE_APP_PROBERS`). */
interface AppProber {
  readonly httpGet?: HttpGetAction;
  readonly tcpSocket?: { readonly port: number };
  readonly timeoutSeconds?: number;
}

/** App containers with their probes rewritten, and what pilot-agent must probe instead. */
export interface RewrittenProbes {
  readonly containers: Container[];
  /** `/app-health/<container>/<kind>` → original prober; empty when nothing was rewritten. */
  readonly probers: Readonly<Record<string, AppProber>>;
}

/**
 * Rewrites HTTP and TCP probes of application containers to pilot-agent's status port, as the
 * injector does by default (`sidecar.istio.io/rewriteAppHTTPProbers`): with mTLS STRICT the kubelet
 * cannot reach the application port directly, so the kubelet asks `:15020/app-health/<c>/<kind>`
 * and the agent probes the application from inside the pod.
 *
 * Other probe fields (periods, thresholds, host, headers) are kept; an HTTPS probe becomes HTTP
 * towards the agent, which still probes the application over HTTPS. Named ports are resolved.
 *
 * @see https://istio.io/latest/docs/ops/configuration/mesh/app-health-check/
 */
export function rewriteAppProbes(containers: readonly Container[]): RewrittenProbes {
  const probers: Record<string, AppProber> = {};
  const rewritten = containers.map((container) => {
    let out: Container = container;
    for (const { field, suffix } of PROBE_KINDS) {
      const probe = container[field];
      if (!probe || (!probe.httpGet && !probe.tcpSocket)) continue;
      if (probe.httpGet && Number(probe.httpGet.port) === SidecarPorts.STATUS) continue;
      const path = `/app-health/${container.name}/${suffix}`;
      probers[path] = proberOf(probe, container.ports ?? []);
      out = { ...out, [field]: rewriteProbe(probe, path) };
    }
    return out;
  });
  return { containers: rewritten, probers: sortKeys(probers) };
}

/**
 * `ISTIO_KUBE_APP_PROBERS`: JSON with keys sorted and each prober's fields in the order Go marshals
 * them, as the injector writes it.
 */
export function appProbersJson(probers: Readonly<Record<string, AppProber>>): string {
  return JSON.stringify(probers);
}

function rewriteProbe(probe: Probe, path: string): Probe {
  const { tcpSocket: _tcp, httpGet, ...rest } = probe;
  const action: HttpGetAction = httpGet
    ? { ...httpGet, path, port: SidecarPorts.STATUS, ...(httpGet.scheme === 'HTTPS' ? { scheme: 'HTTP' } : {}) }
    : { path, port: SidecarPorts.STATUS };
  return { ...rest, httpGet: action };
}

function proberOf(probe: Probe, ports: readonly ContainerPort[]): AppProber {
  const timeout = probe.timeoutSeconds ? { timeoutSeconds: probe.timeoutSeconds } : {};
  if (probe.httpGet) {
    const { path, port, scheme, ...rest } = probe.httpGet;
    // Go field order of HTTPGetAction: path, port, host, scheme, httpHeaders.
    const httpGet: HttpGetAction = {
      ...(path ? { path } : {}),
      port: resolvePort(port, ports),
      ...rest,
      ...(scheme ? { scheme } : {}),
    };
    return { httpGet, ...timeout };
  }
  return { tcpSocket: { port: resolvePort(probe.tcpSocket?.port ?? 0, ports) }, ...timeout };
}

function resolvePort(port: number | string, ports: readonly ContainerPort[]): number {
  if (typeof port === 'number') return port;
  const named = ports.find((p) => p.name === port);
  return named ? named.containerPort : Number(port);
}

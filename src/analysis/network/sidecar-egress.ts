/**
 * Outbound restrictions of the source's sidecar: the Sidecar resource that applies to a pod, its
 * `outboundTrafficPolicy` and `egress[].hosts`, and the service registry (Services and
 * ServiceEntries). A source whose sidecar is `REGISTRY_ONLY` cannot reach a host outside the
 * registry, nor a registered host its Sidecar's `egress.hosts` does not import (Envoy's BlackHole
 * cluster); with `ALLOW_ANY` unknown hosts pass through.
 *
 * Sidecar selection, as istiod does it: a Sidecar of the pod's namespace whose `workloadSelector`
 * matches the pod, else the namespace's Sidecar without selector, else the root namespace's
 * Sidecar without selector. The mode: the Sidecar's `outboundTrafficPolicy.mode`; a present
 * `outboundTrafficPolicy` without `mode` is REGISTRY_ONLY (the enum's zero value); an absent one
 * inherits MeshConfig `outboundTrafficPolicy.mode` (default ALLOW_ANY).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/
 * @module
 */
import { NetworkPod } from './network-layer';
import { asRecord, isRecord, stringEntries } from '../../private/records';
import { selectorMatches } from '../../semantics/labels';
import { IstioConfig, IstioResource } from '../config/istio-config';
import { MeshConfig } from '../config/mesh-config';

/** `outboundTrafficPolicy.mode`. */
export type OutboundMode = 'ALLOW_ANY' | 'REGISTRY_ONLY';

/** The outbound setting of one pod. */
export interface OutboundSetting {
  readonly mode: OutboundMode;
  /** `namespace/name` of the Sidecar that decided, if any (else the MeshConfig). */
  readonly sidecar?: string;
}

/** Whether a source pod may open a connection to a host. */
export interface OutboundVerdict extends OutboundSetting {
  readonly allowed: boolean;
  /** `denied by Sidecar shop/default (outboundTrafficPolicy REGISTRY_ONLY: api.example.com is not in the service registry)`. */
  readonly explanation: string;
}

interface RegisteredHost {
  readonly host: string;
  readonly namespace: string;
}

/** The Sidecars, the registry and the mesh default of one config. */
export class OutboundLayer {
  /** Reads the Sidecars, Services and ServiceEntries of a config. */
  public static fromConfig(config: IstioConfig, mesh: MeshConfig): OutboundLayer {
    const otp = asRecord(asRecord(mesh.raw).outboundTrafficPolicy);
    const meshMode: OutboundMode = otp.mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY';
    const hosts: RegisteredHost[] = [];
    for (const s of config.services) {
      const { name, namespace } = s.metadata;
      for (const h of [`${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`]) hosts.push({ host: h, namespace });
    }
    for (const se of config.serviceEntries) {
      for (const h of Array.isArray(se.spec.hosts) ? se.spec.hosts : []) {
        if (typeof h === 'string') hosts.push({ host: h.toLowerCase(), namespace: se.metadata.namespace });
      }
    }
    return new OutboundLayer(config.sidecars, hosts, meshMode, mesh.rootNamespace);
  }

  private constructor(
    private readonly sidecars: readonly IstioResource[],
    private readonly registry: readonly RegisteredHost[],
    private readonly meshMode: OutboundMode,
    private readonly rootNamespace: string,
  ) {}

  /** True when no pod can be REGISTRY_ONLY: outbound never refuses anything. */
  public get empty(): boolean {
    return this.meshMode === 'ALLOW_ANY' && this.sidecars.every((s) => modeOf(s) !== 'REGISTRY_ONLY');
  }

  /** The Sidecar that applies to a pod, if any. */
  public sidecarFor(pod: NetworkPod): IstioResource | undefined {
    const inNs = this.sidecars.filter((s) => s.metadata.namespace === pod.namespace);
    const selected = inNs.find((s) => {
      const sel = selectorOf(s);
      return sel !== undefined && selectorMatches(sel, pod.labels);
    });
    return selected
      ?? inNs.find((s) => selectorOf(s) === undefined)
      ?? this.sidecars.find((s) => s.metadata.namespace === this.rootNamespace && selectorOf(s) === undefined);
  }

  /** The outbound mode of a pod, and the Sidecar it comes from. */
  public setting(pod: NetworkPod): OutboundSetting {
    const sc = this.sidecarFor(pod);
    const mode = sc ? modeOf(sc) : undefined;
    return mode && sc ? { mode, sidecar: ref(sc) } : { mode: this.meshMode, ...(sc ? { sidecar: ref(sc) } : {}) };
  }

  /** Whether the pod may connect to `host` (a DNS name, port stripped). */
  public decide(pod: NetworkPod, host: string): OutboundVerdict {
    const setting = this.setting(pod);
    const h = host.toLowerCase();
    const who = setting.sidecar ? `Sidecar ${setting.sidecar}` : 'the MeshConfig';
    if (setting.mode === 'ALLOW_ANY') return { ...setting, allowed: true, explanation: `outbound allowed: ${who} is ALLOW_ANY` };
    const registered = this.registry.filter((r) => hostMatches(r.host, h));
    if (registered.length === 0) {
      return { ...setting, allowed: false, explanation: `denied by ${who} (outboundTrafficPolicy REGISTRY_ONLY: ${h} is not in the service registry)` };
    }
    const sc = this.sidecarFor(pod);
    if (sc && !registered.some((r) => visible(sc, r, h))) {
      return { ...setting, allowed: false, explanation: `denied by ${who} (outboundTrafficPolicy REGISTRY_ONLY: ${h} is not in its egress.hosts)` };
    }
    return { ...setting, allowed: true, explanation: `outbound allowed: ${h} is in the service registry` };
  }
}

function ref(s: IstioResource): string {
  return `${s.metadata.namespace}/${s.metadata.name}`;
}

function selectorOf(s: IstioResource): Readonly<Record<string, string>> | undefined {
  const ws = s.spec.workloadSelector;
  if (!isRecord(ws)) return undefined;
  const labels = stringEntries(ws.labels);
  return Object.keys(labels).length > 0 ? labels : undefined;
}

function modeOf(s: IstioResource): OutboundMode | undefined {
  const otp = s.spec.outboundTrafficPolicy;
  if (otp === undefined || otp === null) return undefined;
  return asRecord(otp).mode === 'ALLOW_ANY' ? 'ALLOW_ANY' : 'REGISTRY_ONLY';
}

/** `*.example.com` covers `a.example.com`; `*` covers everything; else equality. */
function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/** Whether a Sidecar's `egress[].hosts` (`namespace/dnsName`) imports a registered host. No egress: everything. */
function visible(sc: IstioResource, r: RegisteredHost, host: string): boolean {
  const egress = Array.isArray(sc.spec.egress) ? sc.spec.egress : [];
  if (egress.length === 0) return true;
  for (const e of egress) {
    for (const entry of Array.isArray(asRecord(e).hosts) ? asRecord(e).hosts as unknown[] : []) {
      if (typeof entry !== 'string' || !entry.includes('/')) continue;
      const [ns, dns] = [entry.slice(0, entry.indexOf('/')), entry.slice(entry.indexOf('/') + 1).toLowerCase()];
      const nsOk = ns === '*' || (ns === '.' ? r.namespace === sc.metadata.namespace : ns === r.namespace);
      if (nsOk && (hostMatches(dns, host) || hostMatches(dns, r.host))) return true;
    }
  }
  return false;
}

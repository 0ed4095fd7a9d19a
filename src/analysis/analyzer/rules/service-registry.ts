/**
 * The hosts a namespace can route to — Kubernetes Services and ServiceEntries, each visible where
 * its `exportTo` says — looked up as istioctl's analyzers look them up
 * (`pkg/config/analysis/analyzers/util/service_lookup.go`): a Service is the host
 * `name.namespace.svc.cluster.local`, a short host is completed with the namespace of the object
 * naming it, and a wildcard ServiceEntry host (`*.example.com`) covers the names under it.
 *
 * Lookups are map reads (by scope and host); only wildcard ServiceEntries are scanned, and they
 * are few. Built once per analysis and shared by the rules.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Destination
 * @module
 */
import { asRecord, stringEntries } from '../../../private/records';
import { IstioConfig, LoadedObject } from '../../config/istio-config';

/** The cluster domain istioctl's analyzers assume (`svc.cluster.local`). */
export const CLUSTER_LOCAL_SUFFIX = 'svc.cluster.local';

const KUBERNETES_HOST = `kubernetes.default.${CLUSTER_LOCAL_SUFFIX}`;
const KUBERNETES_SERVICE: LoadedObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kubernetes', namespace: 'default', namespaceDefaulted: false, labels: {}, annotations: {} },
  body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default' } },
  source: { file: '<built-in>', line: 1, column: 1 },
  locate: () => ({ file: '<built-in>' }),
};

/** `exportTo` values with a meaning of their own. */
const EXPORT_ALL = '*';
const EXPORT_LOCAL = '.';

/** A port a host serves. */
export interface RegistryPort {
  readonly number: number;
  readonly name?: string;
  /** As written (`TCP`, `HTTP`, …); `''` when omitted. */
  readonly protocol: string;
}

/** A host of the registry: a Service, or one host of a ServiceEntry. */
export interface RegistryHost {
  readonly kind: 'Service' | 'ServiceEntry';
  readonly object: LoadedObject;
  /** The fully qualified host (a Service's `name.ns.svc.cluster.local`, a ServiceEntry host as written). */
  readonly host: string;
  readonly ports: readonly RegistryPort[];
  /** A ServiceEntry's `workloadSelector.labels`, a Service's `selector`; empty when none. */
  readonly selector: Readonly<Record<string, string>>;
}

/** `name.ns.svc.cluster.local` for a short name (no dot, no wildcard); other hosts unchanged. */
export function toFqdn(namespace: string, host: string): string {
  return host.startsWith('*') || host.includes('.') ? host : `${host}.${namespace}.${CLUSTER_LOCAL_SUFFIX}`;
}

/** The namespace of a Kubernetes service host (`name.ns.svc.cluster.local`), if it is one. */
export function serviceHostNamespace(fqdn: string): string | undefined {
  const m = /^(.+)\.([^.]+)\.svc\.cluster\.local$/.exec(fqdn);
  return m ? m[2] : undefined;
}

/** The `exportTo` list of a networking object's spec (strings only). */
export function exportToOf(spec: Readonly<Record<string, unknown>>): string[] {
  return Array.isArray(spec.exportTo) ? spec.exportTo.filter((e): e is string => typeof e === 'string') : [];
}

/** True when a Kubernetes host pattern matches a host (istio `host.Name.Matches`: either side may be a wildcard). */
export function hostsMatch(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/** Services and ServiceEntries by visibility scope and host. */
export class ServiceRegistry {
  private readonly exact = new Map<string, RegistryHost>();
  private readonly wildcards: { readonly scope: string; readonly suffix: string; readonly entry: RegistryHost }[] = [];

  public constructor(config: IstioConfig) {
    for (const se of config.serviceEntries) {
      const ns = se.metadata.namespace;
      const exportTo = exportToOf(se.spec);
      const scopes = exportTo.length === 0 || exportTo.includes(EXPORT_ALL) ? [EXPORT_ALL]
        : exportTo.map((e) => (e === EXPORT_LOCAL ? ns : e));
      const ports = serviceEntryPorts(se.spec.ports);
      const selector = stringEntries(asRecord(se.spec.workloadSelector).labels);
      for (const host of Array.isArray(se.spec.hosts) ? se.spec.hosts : []) {
        if (typeof host !== 'string') continue;
        const entry: RegistryHost = { kind: 'ServiceEntry', object: se, host, ports, selector };
        for (const scope of scopes) this.add(scope, toFqdn(ns, host), entry);
      }
    }
    for (const svc of config.services) {
      const ns = svc.metadata.namespace;
      const host = toFqdn(ns, svc.metadata.name);
      const entry: RegistryHost = {
        kind: 'Service',
        object: svc,
        host,
        ports: svc.ports.map((p) => ({ number: p.port, ...(p.name ? { name: p.name } : {}), protocol: p.protocol })),
        selector: svc.selector,
      };
      for (const scope of serviceScopes(svc.metadata.annotations['networking.istio.io/exportTo'], ns)) this.add(scope, host, entry);
    }
    // Every cluster has the API server's Service default/kubernetes (port 443), in the input or not.
    if (!this.exact.has(`${EXPORT_ALL}/${KUBERNETES_HOST}`)) {
      this.add(EXPORT_ALL, KUBERNETES_HOST, { kind: 'Service', object: KUBERNETES_SERVICE, host: KUBERNETES_HOST, ports: [{ number: 443, name: 'https', protocol: 'TCP' }], selector: {} });
    }
  }

  /**
   * The host a destination in `sourceNamespace` (exported to `exportTo`, the naming object's own
   * list) resolves to: exported to all, then to the object's scopes, then a wildcard ServiceEntry.
   */
  public lookup(sourceNamespace: string, exportTo: readonly string[], host: string): RegistryHost | undefined {
    const fqdn = toFqdn(sourceNamespace, host);
    const all = this.exact.get(`${EXPORT_ALL}/${fqdn}`);
    if (all) return all;
    const scopes = exportTo.length === 0 ? [sourceNamespace] : exportTo.map((e) => (e === EXPORT_LOCAL ? sourceNamespace : e));
    for (const scope of scopes) {
      const found = this.exact.get(`${scope}/${fqdn}`);
      if (found) return found;
    }
    const bare = host.startsWith('*') ? host.slice(1) : host;
    for (const w of this.wildcards) {
      if ((w.scope === EXPORT_ALL || w.scope === sourceNamespace) && bare.endsWith(w.suffix)) return w.entry;
    }
    return undefined;
  }

  /**
   * True when some host visible in the namespace matches a (possibly wildcard) host pattern.
   * Scans the registry: for wildcard patterns only, which are few.
   */
  public anyMatching(sourceNamespace: string, pattern: string): boolean {
    for (const [key, entry] of this.exact) {
      const slash = key.indexOf('/');
      const scope = key.slice(0, slash);
      if ((scope === EXPORT_ALL || scope === sourceNamespace) && hostsMatch(pattern, entry.host)) return true;
    }
    return this.wildcards.some((w) => (w.scope === EXPORT_ALL || w.scope === sourceNamespace) && hostsMatch(pattern, w.entry.host));
  }

  private add(scope: string, fqdn: string, entry: RegistryHost): void {
    this.exact.set(`${scope}/${fqdn}`, entry);
    if (fqdn.startsWith('*')) this.wildcards.push({ scope, suffix: fqdn.slice(1), entry });
  }
}

/** The scopes of a Service from its `networking.istio.io/exportTo` annotation (all namespaces when absent). */
function serviceScopes(annotation: string | undefined, namespace: string): string[] {
  if (annotation === undefined || annotation === '') return [EXPORT_ALL];
  return annotation.split(',').map((s) => s.trim()).map((s) => (s === EXPORT_LOCAL ? namespace : s));
}

/** The ports of a ServiceEntry as registry ports. */
function serviceEntryPorts(raw: unknown): RegistryPort[] {
  const out: RegistryPort[] = [];
  for (const p of Array.isArray(raw) ? raw : []) {
    const r = asRecord(p);
    if (typeof r.number !== 'number') continue;
    out.push({ number: r.number, ...(typeof r.name === 'string' ? { name: r.name } : {}), protocol: typeof r.protocol === 'string' ? r.protocol : '' });
  }
  return out;
}

const REGISTRIES = new WeakMap<IstioConfig, ServiceRegistry>();

/** The registry of a config, built once and shared by the rules of one analysis. */
export function serviceRegistry(config: IstioConfig): ServiceRegistry {
  let r = REGISTRIES.get(config);
  if (!r) REGISTRIES.set(config, (r = new ServiceRegistry(config)));
  return r;
}

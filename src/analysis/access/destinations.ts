/**
 * The columns of the access matrix: destination workloads.
 *
 * Per namespace: its workloads (Deployment, StatefulSet, …, WorkloadEntry) when the manifests have
 * any; else its Services (selector labels, target ports); else — for policy-only output such as
 * `dist/` — one column per distinct policy selector, plus `<ns>/*` ("any other workload") when a
 * namespace-wide policy applies there.
 *
 * Ports and protocols: container ports and Service target ports; the protocol comes from the
 * Service port's `appProtocol` or name prefix (Istio protocol selection); a port without one is
 * sniffed (`auto`: both HTTP and TCP requests are possible). Without any declared port, the
 * request space uses the ports the policies name plus "any other port".
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 * @module
 */
import { DeclaredPort } from './request-classes';
import { appendAll } from '../../private/arrays';
import { AccessProtocol } from '../../semantics/access-request';
import { selectorMatches } from '../../semantics/labels';
import { ObjectSource, ServiceResource, Workload, WorkloadSelector } from '../config/istio-config';
import { AnalysisContext } from '../evaluator/analysis-context';

/** Where a column comes from. */
export type MatrixDestinationKind = 'workload' | 'service' | 'selector' | 'namespace';

/** One column. */
export interface MatrixDestination {
  /** `ns/name` (workload, Service), `ns/app{k=v}` (selector), `ns/*` (other workloads). */
  readonly id: string;
  readonly kind: MatrixDestinationKind;
  readonly namespace: string;
  /** Pod labels the policies are selected with. */
  readonly labels: Readonly<Record<string, string>>;
  /** Declared ports; undefined when none is known. */
  readonly ports?: readonly DeclaredPort[];
  /** The workload's service account, when known (its identity as a source). */
  readonly serviceAccount?: string;
  /** Where the workload or Service is declared. */
  readonly source?: ObjectSource;
}

const HTTP_PROTOCOLS: ReadonlySet<string> = new Set(['http', 'http2', 'grpc', 'grpc-web', 'h2c', 'kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss']);
const TCP_PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'tls', 'https', 'mongo', 'mysql', 'redis']);

/** The filter chain of a Service port from its `appProtocol` or name (`http-web` → HTTP); `auto` when neither says. */
function servicePortProtocol(name: string | undefined, appProtocol: string | undefined): AccessProtocol | 'auto' {
  for (const candidate of [appProtocol, name?.split('-')[0], name]) {
    const p = candidate?.toLowerCase();
    if (p === undefined) continue;
    if (HTTP_PROTOCOLS.has(p)) return 'HTTP';
    if (TCP_PROTOCOLS.has(p)) return 'TCP';
  }
  return 'auto';
}

/** The columns of one version of the manifests, sorted by id. */
export function matrixDestinations(context: AnalysisContext): MatrixDestination[] {
  const { config, mesh } = context;
  const out: MatrixDestination[] = [];
  const workloadNamespaces = new Set(config.workloads.map((w) => w.metadata.namespace));
  const serviceNamespaces = new Set(config.services.map((s) => s.metadata.namespace));

  const servicesByNamespace = new Map<string, ServiceResource[]>();
  for (const s of config.services) {
    const list = servicesByNamespace.get(s.metadata.namespace);
    if (list) list.push(s);
    else servicesByNamespace.set(s.metadata.namespace, [s]);
  }
  const names = new Map<string, number>();
  for (const w of config.workloads) names.set(`${w.metadata.namespace}/${w.metadata.name}`, (names.get(`${w.metadata.namespace}/${w.metadata.name}`) ?? 0) + 1);
  for (const w of config.workloads) {
    const base = `${w.metadata.namespace}/${w.metadata.name}`;
    const ports = workloadPorts(w, servicesByNamespace.get(w.metadata.namespace) ?? []);
    out.push({
      id: (names.get(base) ?? 0) > 1 ? `${base} (${w.kind})` : base,
      kind: 'workload',
      namespace: w.metadata.namespace,
      labels: w.podLabels,
      ...(ports.length > 0 ? { ports } : {}),
      serviceAccount: w.serviceAccountName,
      source: w.source,
    });
  }
  for (const s of config.services) {
    const ns = s.metadata.namespace;
    if (workloadNamespaces.has(ns) || Object.keys(s.selector).length === 0) continue;
    const ports: DeclaredPort[] = s.ports
      .filter((p) => p.protocol.toUpperCase() !== 'UDP' && typeof p.targetPort === 'number')
      .map((p) => ({ port: p.targetPort as number, protocol: servicePortProtocol(p.name, p.appProtocol) }));
    out.push({
      id: `${ns}/${s.metadata.name}`,
      kind: 'service',
      namespace: ns,
      labels: s.selector,
      ...(ports.length > 0 ? { ports: dedupePorts(ports) } : {}),
      source: s.source,
    });
  }

  // Policy-only namespaces: one column per selector, and "any other workload".
  const selectors = new Map<string, MatrixDestination>();
  const wide = new Set<string>();
  const policyNamespaces = new Set<string>();
  const root = mesh.rootNamespace;
  // diff16: an object's spec is read only in a namespace without workloads or Services (few): most
  // objects are left out on their namespace alone.
  const consider = (ns: string, spec: { readonly selector?: WorkloadSelector; readonly targetRefs?: readonly unknown[] }): void => {
    if (workloadNamespaces.has(ns) || serviceNamespaces.has(ns) || (spec.targetRefs?.length ?? 0) > 0) return;
    policyNamespaces.add(ns);
    const labels = spec.selector?.matchLabels ?? {};
    if (Object.keys(labels).length === 0) {
      wide.add(ns);
      return;
    }
    const id = `${ns}/${labelsName(labels)}`;
    if (!selectors.has(id)) selectors.set(id, { id, kind: 'selector', namespace: ns, labels });
  };
  for (const p of config.authorizationPolicies) consider(p.metadata.namespace, p.spec);
  for (const p of config.requestAuthentications) consider(p.metadata.namespace, p.spec);
  // PeerAuthentications have no targetRefs: their selector alone counts.
  for (const p of config.peerAuthentications) consider(p.metadata.namespace, { selector: p.spec.selector });
  appendAll(out, selectors.values());
  const meshWide = wide.has(root);
  for (const ns of policyNamespaces) {
    if (ns === root) continue;
    if (wide.has(ns) || meshWide) out.push({ id: `${ns}/*`, kind: 'namespace', namespace: ns, labels: {} });
  }
  return out.sort((a, b) => compareIds(a.id, b.id));
}

/** `app` (or `app.kubernetes.io/name`) first, other labels in braces: `reviews{version=v1}`. */
function labelsName(labels: Readonly<Record<string, string>>): string {
  const appKey = labels.app !== undefined ? 'app' : labels['app.kubernetes.io/name'] !== undefined ? 'app.kubernetes.io/name' : undefined;
  const rest = Object.keys(labels).filter((k) => k !== appKey).sort().map((k) => `${k}=${labels[k]}`);
  if (appKey === undefined) return `{${rest.join(',')}}`;
  return rest.length > 0 ? `${labels[appKey]}{${rest.join(',')}}` : labels[appKey];
}

function workloadPorts(w: Workload, services: readonly ServiceResource[]): DeclaredPort[] {
  const ports = new Map<number, AccessProtocol | 'auto'>();
  for (const p of w.ports) {
    if (p.protocol.toUpperCase() === 'UDP' || p.protocol.toUpperCase() === 'SCTP') continue;
    ports.set(p.containerPort, 'auto');
  }
  for (const s of services) {
    if (s.metadata.namespace !== w.metadata.namespace || Object.keys(s.selector).length === 0 || !selectorMatches(s.selector, w.podLabels)) continue;
    for (const sp of s.ports) {
      if (sp.protocol.toUpperCase() === 'UDP') continue;
      const target = typeof sp.targetPort === 'number' ? sp.targetPort : w.ports.find((p) => p.name === sp.targetPort)?.containerPort;
      if (target === undefined) continue;
      const protocol = servicePortProtocol(sp.name, sp.appProtocol);
      const current = ports.get(target);
      if (current === undefined || current === 'auto') ports.set(target, protocol);
    }
  }
  return [...ports.entries()].map(([port, protocol]) => ({ port, protocol })).sort((a, b) => a.port - b.port);
}

function dedupePorts(ports: readonly DeclaredPort[]): DeclaredPort[] {
  const m = new Map<number, DeclaredPort>();
  for (const p of ports) if (!m.has(p.port) || m.get(p.port)?.protocol === 'auto') m.set(p.port, p);
  return [...m.values()].sort((a, b) => a.port - b.port);
}

/** Sorts `ns/x` ids by namespace, then name, with `ns/*` last in its namespace. */
export function compareIds(a: string, b: string): number {
  const ia = a.indexOf('/');
  const ib = b.indexOf('/');
  const na = ia < 0 ? a : a.slice(0, ia);
  const nb = ib < 0 ? b : b.slice(0, ib);
  if (na !== nb) return na < nb ? -1 : 1;
  const ra = ia < 0 ? '' : a.slice(ia + 1);
  const rb = ib < 0 ? '' : b.slice(ib + 1);
  if ((ra === '*') !== (rb === '*')) return ra === '*' ? 1 : -1;
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

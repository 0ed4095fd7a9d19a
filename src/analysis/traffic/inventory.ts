/**
 * The inventory that turns addresses and names in a log into workloads: pods (`kubectl get
 * pods,services -A -o yaml`, with `status.podIP(s)`), Services (selector, ports) and pod
 * templates (Deployments … as trustmesh synthesizes them). An address or name it cannot map, or
 * maps to several workloads, is an answer with a reason — never a guess.
 *
 * @module
 */
import { maxOf } from '../../private/arrays';
import { asRecord } from '../../private/records';
import { IstioConfig, ServiceResource, Workload } from '../config/istio-config';

/** A workload identity and the labels policies select it by. */
export interface InventoryWorkload {
  readonly namespace: string;
  /** Pod name, or the pod template's owner (`Deployment/payments`). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
}

/** A lookup result: the workload, or why there is none. */
export type Lookup<T> = { readonly found: T } | { readonly reason: string };

/** Pods by address and name, Services by name, pod templates by labels and service account. */
export class Inventory {
  /** Builds the inventory of loaded configs (the inventory file, and the policies' own workloads). */
  public static of(configs: readonly IstioConfig[]): Inventory {
    const inventory = new Inventory();
    for (const config of configs) {
      for (const w of config.workloads) inventory.addWorkload(w);
      for (const s of config.services) inventory.services.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
    }
    return inventory;
  }

  private readonly byIp = new Map<string, InventoryWorkload[]>();
  private readonly podsByName = new Map<string, InventoryWorkload[]>();
  private readonly templates: InventoryWorkload[] = [];
  private readonly services = new Map<string, ServiceResource>();

  private constructor() {}

  /** Pods known by address. */
  public get podCount(): number {
    return this.podsByName.size;
  }

  /** The pod with that address. */
  public podByIp(ip: string): Lookup<InventoryWorkload> {
    const pods = this.byIp.get(ip.toLowerCase()) ?? [];
    if (pods.length === 1) return { found: pods[0] };
    if (pods.length === 0) return { reason: `address ${ip} is not a pod of the inventory` };
    return { reason: `address ${ip} belongs to several pods of the inventory (${pods.map((p) => `${p.namespace}/${p.name}`).join(', ')})` };
  }

  /** The pod (or, failing that, the pod template) of that name. */
  public podByName(name: string, namespace?: string): Lookup<InventoryWorkload> {
    const pods = (this.podsByName.get(name) ?? []).filter((p) => namespace === undefined || p.namespace === namespace);
    if (pods.length === 1) return { found: pods[0] };
    if (pods.length > 1) return { reason: `pod name ${name} is in several namespaces (${pods.map((p) => p.namespace).join(', ')}); name the namespace` };
    // The workload of a pod name `<deployment>-<hash>-<id>`, or a Prometheus destination_workload.
    const templates = this.templates.filter((t) => (namespace === undefined || t.namespace === namespace)
      && (t.name === name || name.startsWith(`${t.name}-`)));
    const longest = maxOf(templates.map((t) => t.name.length), 0);
    const best = templates.filter((t) => t.name.length === longest);
    if (best.length === 1) return { found: best[0] };
    return { reason: best.length === 0 ? `pod ${namespace ? `${namespace}/` : ''}${name} is not in the inventory` : `pod ${name} matches several workloads of the inventory` };
  }

  /** The workload that runs as that service account in that namespace. */
  public workloadByServiceAccount(namespace: string, serviceAccount: string): Lookup<InventoryWorkload> {
    const all = [...this.templates, ...[...this.podsByName.values()].flat()]
      .filter((w) => w.namespace === namespace && w.serviceAccount === serviceAccount);
    const distinct = uniqueByLabels(all);
    if (distinct.length === 1) return { found: distinct[0] };
    return {
      reason: distinct.length === 0
        ? `no workload of the inventory runs as ${namespace}/${serviceAccount}`
        : `several workloads with different labels run as ${namespace}/${serviceAccount}`,
    };
  }

  /** The Service, and the workload its selector picks. */
  public serviceWorkload(namespace: string, name: string): Lookup<{ readonly service: ServiceResource; readonly workload: InventoryWorkload }> {
    const service = this.services.get(`${namespace}/${name}`);
    if (!service) return { reason: `Service ${namespace}/${name} is not in the inventory` };
    const selector = Object.entries(service.selector);
    if (selector.length === 0) return { reason: `Service ${namespace}/${name} has no selector` };
    const matches = uniqueByLabels([...this.templates, ...[...this.podsByName.values()].flat()]
      .filter((w) => w.namespace === namespace && selector.every(([k, v]) => w.labels[k] === v)));
    if (matches.length === 1) return { found: { service, workload: matches[0] } };
    if (matches.length === 0) {
      // Policies select pods by their labels; the selector's labels are all the inventory knows.
      return { reason: `no workload of the inventory matches the selector of Service ${namespace}/${name}` };
    }
    return { reason: `the selector of Service ${namespace}/${name} matches workloads with different labels or service accounts` };
  }

  private addWorkload(w: Workload): void {
    const entry: InventoryWorkload = {
      namespace: w.metadata.namespace,
      name: w.kind === 'Pod' ? w.metadata.name : w.metadata.name,
      labels: w.podLabels,
      serviceAccount: w.serviceAccountName,
    };
    if (w.kind !== 'Pod') {
      this.templates.push(entry);
      return;
    }
    push(this.podsByName, w.metadata.name, entry);
    const status = asRecord(w.body.status);
    const ips = new Set<string>();
    if (typeof status.podIP === 'string') ips.add(status.podIP.toLowerCase());
    if (Array.isArray(status.podIPs)) {
      for (const p of status.podIPs) {
        const ip = asRecord(p).ip;
        if (typeof ip === 'string') ips.add(ip.toLowerCase());
      }
    }
    // Host-network pods share the node's address: it identifies no workload.
    if (asRecord(w.body.spec).hostNetwork === true) return;
    for (const ip of ips) push(this.byIp, ip, entry);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Workloads that differ in labels or service account (replicas of one template count once). */
function uniqueByLabels(list: readonly InventoryWorkload[]): InventoryWorkload[] {
  const seen = new Map<string, InventoryWorkload>();
  for (const w of list) {
    const key = `${w.serviceAccount}|${JSON.stringify(Object.entries(w.labels).filter(([k]) => k !== 'pod-template-hash').sort())}`;
    if (!seen.has(key)) seen.set(key, w);
  }
  return [...seen.values()];
}

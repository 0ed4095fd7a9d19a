/**
 * Workloads (pod templates), Services and Istio WorkloadEntries reduced to what identity and
 * policy selection need. Lenient: fields of the wrong type are treated as absent.
 *
 * @module
 */
import { IstioResource, LoadedObject, ServicePort, ServiceResource, Workload, WorkloadKind, WorkloadPort } from './istio-config';

const POD_TEMPLATE_KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

/** The workload an object describes, or undefined when it is not a workload kind. */
export function toWorkload(obj: LoadedObject): Workload | undefined {
  const spec = rec(obj.body.spec);
  let podMeta: Record<string, unknown> = {};
  let podSpec: Record<string, unknown> = {};
  if (obj.kind === 'Pod') {
    podMeta = rec(obj.body.metadata);
    podSpec = spec;
  } else if (POD_TEMPLATE_KINDS.includes(obj.kind)) {
    const template = rec(spec.template);
    podMeta = rec(template.metadata);
    podSpec = rec(template.spec);
  } else if (obj.kind === 'CronJob') {
    const template = rec(rec(rec(spec.jobTemplate).spec).template);
    podMeta = rec(template.metadata);
    podSpec = rec(template.spec);
  } else if (obj.kind === 'WorkloadEntry' && obj.apiVersion.startsWith('networking.istio.io/')) {
    const ports: WorkloadPort[] = Object.entries(rec(spec.ports))
      .filter(([, v]) => typeof v === 'number')
      .map(([name, v]) => ({ name, containerPort: v as number, protocol: 'TCP' }));
    return {
      ...obj,
      kind: 'WorkloadEntry',
      podLabels: strMap(spec.labels),
      podAnnotations: {},
      serviceAccountName: typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '' ? spec.serviceAccount : 'default',
      ports,
    };
  } else {
    return undefined;
  }
  const sa = podSpec.serviceAccountName ?? podSpec.serviceAccount;
  const ports: WorkloadPort[] = [];
  for (const container of list(podSpec.containers)) {
    for (const p of list(rec(container).ports)) {
      const pr = rec(p);
      if (typeof pr.containerPort !== 'number') continue;
      ports.push({
        containerPort: pr.containerPort,
        ...(typeof pr.name === 'string' ? { name: pr.name } : {}),
        protocol: typeof pr.protocol === 'string' ? pr.protocol : 'TCP',
      });
    }
  }
  return {
    ...obj,
    kind: obj.kind as WorkloadKind,
    podLabels: strMap(podMeta.labels),
    podAnnotations: strMap(podMeta.annotations),
    serviceAccountName: typeof sa === 'string' && sa !== '' ? sa : 'default',
    ports,
  };
}

/** A typed Service. */
export function toService(obj: LoadedObject): ServiceResource {
  const spec = rec(obj.body.spec);
  const ports: ServicePort[] = [];
  for (const p of list(spec.ports)) {
    const pr = rec(p);
    if (typeof pr.port !== 'number') continue;
    const target = typeof pr.targetPort === 'number' || typeof pr.targetPort === 'string' ? pr.targetPort : pr.port;
    ports.push({
      ...(typeof pr.name === 'string' ? { name: pr.name } : {}),
      port: pr.port,
      targetPort: typeof target === 'string' && /^\d+$/.test(target) ? Number(target) : target,
      protocol: typeof pr.protocol === 'string' ? pr.protocol : 'TCP',
      ...(typeof pr.appProtocol === 'string' ? { appProtocol: pr.appProtocol } : {}),
    });
  }
  return {
    ...obj,
    kind: 'Service',
    selector: strMap(spec.selector),
    ports,
    type: typeof spec.type === 'string' ? spec.type : 'ClusterIP',
  };
}

/**
 * The pod labels a Gateway's `spec.selector` names (string values only). Gateway selectors match
 * pods in every namespace (istiod's default, PILOT_SCOPE_GATEWAY_TO_NAMESPACE=false).
 */
export function gatewaySelector(gateway: IstioResource): Record<string, string> {
  return strMap(gateway.spec.selector);
}

function rec(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

function list(x: unknown): readonly unknown[] {
  return Array.isArray(x) ? x : [];
}

function strMap(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(x))) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * Workloads (pod templates), Services and Istio WorkloadEntries reduced to what identity and
 * policy selection need. Lenient: fields of the wrong type are treated as absent.
 *
 * @module
 */
import { IstioResource, LoadedObject, ServicePort, ServiceResource, Workload, WorkloadKind, WorkloadPort } from './istio-config';
import { asRecord, stringEntries } from '../../private/records';

const POD_TEMPLATE_KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

/** The workload an object describes, or undefined when it is not a workload kind. */
export function toWorkload(obj: LoadedObject): Workload | undefined {
  const spec = asRecord(obj.body.spec);
  let podMeta: Readonly<Record<string, unknown>> = {};
  let podSpec: Readonly<Record<string, unknown>> = {};
  if (obj.kind === 'Pod') {
    podMeta = asRecord(obj.body.metadata);
    podSpec = spec;
  } else if (POD_TEMPLATE_KINDS.includes(obj.kind)) {
    const template = asRecord(spec.template);
    podMeta = asRecord(template.metadata);
    podSpec = asRecord(template.spec);
  } else if (obj.kind === 'CronJob') {
    const template = asRecord(asRecord(asRecord(spec.jobTemplate).spec).template);
    podMeta = asRecord(template.metadata);
    podSpec = asRecord(template.spec);
  } else if (obj.kind === 'WorkloadEntry' && obj.apiVersion.startsWith('networking.istio.io/')) {
    const ports: WorkloadPort[] = Object.entries(asRecord(spec.ports))
      .filter(([, v]) => typeof v === 'number')
      .map(([name, v]) => ({ name, containerPort: v as number, protocol: 'TCP' }));
    return {
      ...obj,
      kind: 'WorkloadEntry',
      podLabels: stringEntries(spec.labels),
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
    for (const p of list(asRecord(container).ports)) {
      const pr = asRecord(p);
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
    podLabels: stringEntries(podMeta.labels),
    podAnnotations: stringEntries(podMeta.annotations),
    serviceAccountName: typeof sa === 'string' && sa !== '' ? sa : 'default',
    ports,
  };
}

/** A typed Service. */
export function toService(obj: LoadedObject): ServiceResource {
  const spec = asRecord(obj.body.spec);
  const ports: ServicePort[] = [];
  for (const p of list(spec.ports)) {
    const pr = asRecord(p);
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
    selector: stringEntries(spec.selector),
    ports,
    type: typeof spec.type === 'string' ? spec.type : 'ClusterIP',
  };
}

/**
 * The pod labels a Gateway's `spec.selector` names (string values only). Gateway selectors match
 * pods in every namespace (istiod's default, PILOT_SCOPE_GATEWAY_TO_NAMESPACE=false).
 */
export function gatewaySelector(gateway: IstioResource): Record<string, string> {
  return stringEntries(gateway.spec.selector);
}

function list(x: unknown): readonly unknown[] {
  return Array.isArray(x) ? x : [];
}

/**
 * Services that select the same mesh Deployment (istioctl `deployment.MultiServiceAnalyzer`),
 * reported on the Deployment at `metadata.name`:
 *
 * - `TM_DEPLOYMENT_SERVICE_PROTOCOL_CONFLICT` (warning, `IST0116` DeploymentAssociatedToMultipleServices):
 *   Services of its namespace expose one port with different protocols (TCP and UDP); the
 *   sidecar builds one listener per port and cannot serve both.
 * - `TM_DEPLOYMENT_SERVICE_TARGET_PORT_CONFLICT` (warning, `IST0137` DeploymentConflictingPorts):
 *   one `targetPort` is reached through different Service ports; Istio requires Services selecting
 *   a workload with the same targetPort to use the same port.
 *
 * A Deployment is in the mesh as istioctl decides it: it has an `istio-proxy` container (also as a
 * native sidecar among `initContainers`, which istioctl misses), else the pod template's
 * `sidecar.istio.io/inject` label or annotation, else its Namespace object's
 * `istio-injection=enabled`. Waypoint Deployments are skipped. Services are matched through an
 * index of their selectors, not pairwise.
 *
 * @see https://istio.io/latest/docs/ops/deployment/application-requirements/
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0137/
 * @module
 */
import { ISTIOCTL_IGNORED_NAMESPACES } from './inventory';
import { hasProxyContainer } from './pod-spec';
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { SelectorIndex } from './selector-index';
import { Diagnostic } from '../../../errors';
import { ServiceResource, Workload } from '../../config/istio-config';

const PROTOCOLS: AnalyzerCheck = {
  code: 'TM_DEPLOYMENT_SERVICE_PROTOCOL_CONFLICT',
  severity: 'warning',
  upstreamCode: 'IST0116',
  title: 'Services selecting one mesh Deployment use one port with different protocols',
};
const TARGET_PORTS: AnalyzerCheck = {
  code: 'TM_DEPLOYMENT_SERVICE_TARGET_PORT_CONFLICT',
  severity: 'warning',
  upstreamCode: 'IST0137',
  title: 'Services selecting one mesh Deployment map one targetPort to different ports',
};

const INJECT = 'sidecar.istio.io/inject';

/** The rule family. */
export const deploymentServicesRule: AnalyzerRule = {
  name: 'deployment-services',
  checks: [PROTOCOLS, TARGET_PORTS],
  run(context) {
    const out: Diagnostic[] = [];
    const { config } = context;
    const services = new SelectorIndex<ServiceResource>();
    for (const s of config.services) services.add(s.metadata.namespace, s.selector, s);
    const injectedNs = new Map(config.namespaces.map((n) => [n.metadata.name, n.metadata.labels['istio-injection'] === 'enabled']));
    for (const d of config.workloads) {
      if (d.kind !== 'Deployment' || d.metadata.labels['gateway.istio.io/managed'] === 'istio.io-mesh-controller') continue;
      if (ISTIOCTL_IGNORED_NAMESPACES.has(d.metadata.namespace) || !inMesh(d, injectedNs)) continue;
      const matching = services.matching(d.metadata.namespace, d.podLabels);
      if (matching.length === 0) continue;
      const byPort = new Map<number, Map<string, string[]>>();
      const byTarget = new Map<string, Map<number, string>>();
      for (const svc of matching) {
        const name = `${svc.metadata.namespace}/${svc.metadata.name}`;
        for (const p of svc.ports) {
          const protocols = byPort.get(p.port) ?? new Map<string, string[]>();
          protocols.set(p.protocol, [...(protocols.get(p.protocol) ?? []), name]);
          byPort.set(p.port, protocols);
          const target = p.targetPort === 0 || p.targetPort === '' ? String(p.port) : String(p.targetPort);
          const ports = byTarget.get(target) ?? new Map<number, string>();
          ports.set(p.port, name);
          byTarget.set(target, ports);
        }
      }
      for (const [port, protocols] of byPort) {
        if (protocols.size < 2) continue;
        const names = [...protocols.values()].flat().sort();
        out.push(finding(PROTOCOLS, d, ['metadata', 'name'],
          `${objectRef(d)} is associated with multiple services using port ${port} but different protocols: [${names.join(' ')}] (${[...protocols.keys()].sort().join(', ')}); the sidecar serves one protocol per port`,
          `Use one protocol for port ${port} in every Service selecting the Deployment, or give the ports different numbers.`));
      }
      for (const [target, ports] of byTarget) {
        if (ports.size < 2) continue;
        const names = [...new Set(ports.values())].sort();
        const numbers = [...ports.keys()].sort((a, b) => a - b);
        out.push(finding(TARGET_PORTS, d, ['metadata', 'name'],
          `${objectRef(d)} is associated with multiple services [${names.join(' ')}] using targetPort "${target}" but different ports: [${numbers.join(' ')}]`,
          `Expose targetPort ${target} under one port number in every Service selecting the Deployment.`));
      }
    }
    return out;
  },
};

/** istioctl `DeploymentInMesh`, with native sidecars counted. */
function inMesh(d: Workload, injectedNamespaces: ReadonlyMap<string, boolean>): boolean {
  if (hasProxyContainer(d)) return true;
  const label = d.podLabels[INJECT];
  if (label !== undefined) return label === 'true';
  const annotation = d.podAnnotations[INJECT];
  if (annotation !== undefined) return annotation === 'true';
  return injectedNamespaces.get(d.metadata.namespace) ?? false;
}

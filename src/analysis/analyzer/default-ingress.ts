/**
 * The ingress gateway `istioctl analyze` assumes when it analyzes files (istioctl
 * `pkg/config/analysis/local/defaults.go`, added by `AddDefaultResources`): a pod labelled
 * `istio: ingressgateway` with an `istio-proxy` container, and the Service `istio-ingressgateway`
 * selecting it with ports 80, 443, 31400 and 15443, both in the Istio namespace. istioctl adds them
 * unless the MeshConfig's `ingressControllerMode` is `OFF`; the name follows `ingressService`.
 *
 * trustmesh assumes them only when asked (`analyze --assume-default-ingress`,
 * `AnalyzeOptions.assumeDefaultIngress`): they make Gateways with the default selector resolve to
 * pods in the root namespace, so credential Secrets are looked for there and the Service ports are
 * checked, as istioctl does — but they are an assumption about a cluster the input does not show.
 *
 * @module
 */
import { IstioConfig } from '../config/istio-config';
import { parseConfigText } from '../config/load-config';
import { MeshConfig } from '../config/mesh-config';

/** The file name the assumed objects carry; findings located there are not reported. */
export const ASSUMED_INGRESS_SOURCE = '<assumed default ingress gateway>';

/** The assumed pod and Service as a config, or undefined when the MeshConfig turns ingress off. */
export function defaultIngressGateway(mesh: MeshConfig): IstioConfig | undefined {
  const raw = mesh.raw ?? {};
  if (raw.ingressControllerMode === 'OFF') return undefined;
  const service = typeof raw.ingressService === 'string' && raw.ingressService !== '' ? raw.ingressService : 'istio-ingressgateway';
  const ns = mesh.rootNamespace;
  const ports = [['http2', 80], ['https', 443], ['tcp', 31400], ['tls', 15443]] as const;
  const text = [
    'apiVersion: v1',
    'kind: Pod',
    `metadata: {name: ${service}-dummypod, namespace: ${ns}, labels: {istio: ingressgateway}}`,
    'spec: {containers: [{name: istio-proxy}]}',
    '---',
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${service}, namespace: ${ns}}`,
    'spec:',
    '  selector: {istio: ingressgateway}',
    '  ports:',
    ...ports.map(([name, port]) => `  - {name: ${name}, port: ${port}, targetPort: ${port}, protocol: TCP}`),
  ].join('\n');
  return parseConfigText(text, ASSUMED_INGRESS_SOURCE);
}

/**
 * The pods behind an Istio Gateway and the Service in front of them (istioctl
 * `gateway.IngressGatewayPortAnalyzer`), reported on the Gateway:
 *
 * - `TM_GATEWAY_NO_WORKLOAD` (error, `IST0101` "Referenced selector not found"): no pod of the input
 *   matches the Gateway's `selector`, so no proxy serves its servers. A Gateway selector matches pods
 *   in every namespace, so only a complete inventory (`--inventory complete`) can tell; with
 *   `--assume-default-ingress` the ingress gateway istioctl assumes counts as a pod.
 * - `TM_GATEWAY_PORT_NOT_ON_SERVICE` (warning, `IST0162` GatewayPortNotDefinedOnService): a server
 *   port that no Service selecting the gateway pods exposes (as `port` or TCP `targetPort`): the
 *   gateway listens on it, but clients cannot reach it through the gateway Service.
 *
 * Unlike istioctl, a Service port without `protocol` counts as TCP (the API server's default).
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0162/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { SelectorIndex, workloadIndex } from './selector-index';
import { latest } from './workload-selector-conflicts';
import { Diagnostic } from '../../../errors';
import { asRecord } from '../../../private/records';
import { formatSelector } from '../../../semantics/labels';
import { IstioResource, ServiceResource } from '../../config/istio-config';
import { gatewaySelector } from '../../config/workload-resources';
import { FieldPath } from '../../config/yaml-source';

const NO_WORKLOAD: AnalyzerCheck = {
  code: 'TM_GATEWAY_NO_WORKLOAD',
  severity: 'error',
  upstreamCode: 'IST0101',
  title: 'no gateway pod matches a Gateway\'s selector',
};
const PORT_NOT_ON_SERVICE: AnalyzerCheck = {
  code: 'TM_GATEWAY_PORT_NOT_ON_SERVICE',
  severity: 'warning',
  upstreamCode: 'IST0162',
  title: 'a Gateway listens on a port the gateway pods\' Service does not expose',
};

/** The rule family. */
export const gatewayWorkloadsRule: AnalyzerRule = {
  name: 'gateway-workloads',
  checks: [NO_WORKLOAD, PORT_NOT_ON_SERVICE],
  run(context) {
    const out: Diagnostic[] = [];
    const { config, inventory } = context;
    if (config.gateways.length === 0 || inventory.mode === 'none') return out;
    const pods = workloadIndex(inventory.workloads);
    const services = new SelectorIndex<ServiceResource>();
    for (const s of config.services) services.add(s.metadata.namespace, s.selector, s);
    for (const gw of latest(config.gateways)) {
      const selector = gatewaySelector(gw);
      const selected = pods.select(selector);
      if (selected.length === 0) {
        if (inventory.mode !== 'complete') continue;
        out.push(finding(NO_WORKLOAD, gw, selectorPath(gw),
          `${objectRef(gw)}: spec.selector ${formatSelector(selector)} matches no pod in any namespace (Referenced selector not found; ${inventory.describe('workloads')}): no gateway proxy serves its servers`,
          'Fix the selector to the labels of the gateway pods (e.g. istio: ingressgateway), deploy the gateway, or pass --assume-default-ingress to assume istioctl\'s default istio-system/istio-ingressgateway.'));
        continue;
      }
      const exposed = new Set<number>();
      for (const pod of selected) {
        for (const svc of services.matching(pod.metadata.namespace, pod.podLabels)) {
          for (const p of svc.ports) {
            if (p.protocol.toUpperCase() !== 'TCP') continue;
            exposed.add(p.port);
            if (typeof p.targetPort === 'number' && p.targetPort !== 0) exposed.add(p.targetPort);
          }
        }
      }
      (Array.isArray(gw.spec.servers) ? gw.spec.servers : []).forEach((server, i) => {
        const port = asRecord(asRecord(server).port).number;
        if (typeof port !== 'number' || exposed.has(port)) return;
        out.push(finding(PORT_NOT_ON_SERVICE, gw, ['spec', 'servers', i, 'port', 'number'],
          `${objectRef(gw)}: the gateway is listening on a target port (port ${port}) that is not defined in the Service associated with its workload instances (pod selector ${formatSelector(selector)}); it cannot be reached through the gateway Service`,
          `Add port ${port} (as port or targetPort) to the gateway's Service, or use a port the Service exposes (${[...exposed].sort((a, b) => a - b).join(', ') || 'none'}).`));
      });
    }
    return out;
  },
};

function selectorPath(gw: IstioResource): FieldPath {
  const first = Object.keys(asRecord(gw.spec.selector))[0];
  return first === undefined ? ['spec'] : ['spec', 'selector', first];
}

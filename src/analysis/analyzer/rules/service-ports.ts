/**
 * Service port names and the protocol Istio reads from them (istioctl `service.PortNameAnalyzer`,
 * protocol selection as `pkg/config/kube` `ConvertProtocol`: `appProtocol`, else the port name up to
 * the first `-`, e.g. `http-web`; `grpc-web` as a whole; UDP ports as UDP; the well-known ports 25,
 * 53, 3306 and 27017 as TCP):
 *
 * - `TM_SERVICE_PORT_NAME_CONVENTION` (info, `IST0118` PortNameIsNotUnderNamingConvention): the
 *   protocol cannot be read from the port, so Istio sniffs it — which costs a timeout on
 *   server-first protocols and makes HTTP-only policy fields a guess.
 * - `TM_EXTERNAL_NAME_PORT_NAME` (warning, `IST0150` ExternalNameServiceTypeInvalidPortName): the same
 *   on an ExternalName Service, or a port named `tcp` there: the proxy may not forward its TCP
 *   traffic correctly.
 *
 * Control-plane Services (label `istio`, or `release: istio`) and the Services istiod generates for
 * gateways and waypoints (`gateway.istio.io/managed`) are skipped. Reported at `ports[i].port`.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0118/
 * @module
 */
import { ISTIOCTL_IGNORED_NAMESPACES } from './inventory';
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { asRecord } from '../../../private/records';
import { ServicePort } from '../../config/istio-config';

const CONVENTION: AnalyzerCheck = {
  code: 'TM_SERVICE_PORT_NAME_CONVENTION',
  severity: 'info',
  upstreamCode: 'IST0118',
  title: 'a Service port whose protocol Istio cannot read from its name or appProtocol',
};
const EXTERNAL_NAME: AnalyzerCheck = {
  code: 'TM_EXTERNAL_NAME_PORT_NAME',
  severity: 'warning',
  upstreamCode: 'IST0150',
  title: 'an ExternalName Service port whose name does not give the protocol (or is "tcp")',
};

const PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'grpc', 'http', 'http_proxy', 'http2', 'https', 'tls', 'mongo', 'redis', 'mysql']);
const WELL_KNOWN_TCP_PORTS: ReadonlySet<number> = new Set([25, 53, 3306, 27017]);
const MANAGED_BY_ISTIOD: ReadonlySet<string> = new Set(['istio.io-gateway-controller', 'istio.io-mesh-controller', 'istio.io-eastwest-controller']);

/** The rule family. */
export const servicePortsRule: AnalyzerRule = {
  name: 'service-ports',
  checks: [CONVENTION, EXTERNAL_NAME],
  run(context) {
    const out: Diagnostic[] = [];
    for (const svc of context.config.services) {
      if (ISTIOCTL_IGNORED_NAMESPACES.has(svc.metadata.namespace)) continue;
      const labels = svc.metadata.labels;
      if ('istio' in labels || labels.release === 'istio' || MANAGED_BY_ISTIOD.has(labels['gateway.istio.io/managed'] ?? '')) continue;
      const externalName = svc.type === 'ExternalName';
      (Array.isArray(asRecord(svc.body.spec).ports) ? asRecord(svc.body.spec).ports as unknown[] : []).forEach((raw, i) => {
        const port = servicePort(raw);
        if (!port || (protocolKnown(port) && !(externalName && port.name === 'tcp'))) return;
        const path = ['spec', 'ports', i, 'port'];
        const name = port.name ?? '';
        if (externalName) {
          out.push(finding(EXTERNAL_NAME, svc, path,
            `${objectRef(svc)}: port ${port.port} ${name ? `named "${name}"` : 'without a name'} of an ExternalName Service: the proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly`,
            'Name the port after its protocol other than plain "tcp" (e.g. "http-api", "https", "tls"), or set appProtocol.'));
        } else {
          out.push(finding(CONVENTION, svc, path,
            `${objectRef(svc)}: port name ${name ? `"${name}"` : '(none)'} (port: ${port.port}, targetPort: ${port.targetPort}) doesn't follow the naming convention of Istio ports, so Istio sniffs the protocol`,
            'Name the port <protocol>[-<suffix>] (http, http2, https, grpc, grpc-web, tcp, tls, mongo, mysql, redis) or set appProtocol.'));
        }
      });
    }
    return out;
  },
};

/** True when `ConvertProtocol` gives a protocol (not "unsupported"). */
export function protocolKnown(port: ServicePort): boolean {
  if (port.protocol.toUpperCase() === 'UDP') return true;
  let name = port.name ?? '';
  if (port.appProtocol !== undefined) {
    if (['kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss'].includes(port.appProtocol)) return true;
    name = port.appProtocol;
  }
  if (name.toLowerCase().startsWith('grpc-web')) return true;
  const cut = name.indexOf('-');
  const proto = (cut >= 0 ? name.slice(0, cut) : name).toLowerCase();
  return PROTOCOLS.has(proto) || WELL_KNOWN_TCP_PORTS.has(port.port);
}

function servicePort(raw: unknown): ServicePort | undefined {
  const p = asRecord(raw);
  if (typeof p.port !== 'number') return undefined;
  return {
    port: p.port,
    ...(typeof p.name === 'string' ? { name: p.name } : {}),
    targetPort: typeof p.targetPort === 'number' || typeof p.targetPort === 'string' ? p.targetPort : p.port,
    protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
    ...(typeof p.appProtocol === 'string' ? { appProtocol: p.appProtocol } : {}),
  };
}

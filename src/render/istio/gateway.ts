import { IstioManifest, sortedStrings } from './manifest';
import { istioApiVersion } from '../../model/api-version';
import { EdgeObjectNames } from '../../model/edge-names';
import { GatewayServerSpec, IngressGatewaySpec } from '../../model/ingress-gateway';
import { MeshModel } from '../../model/mesh-model';

/**
 * The Gateway of an ingress gateway: one `servers[]` entry per declared server, sorted by port and
 * name. Every TLS block states its `mode`: the enum's zero value is PASSTHROUGH, so a `tls` block
 * without it would silently stop terminating TLS. `minProtocolVersion` is written out too
 * (TLSV1_2 unless declared).
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/
 */
export function renderGateway(model: MeshModel, gateway: IngressGatewaySpec): IstioManifest {
  const servers = [...gateway.servers]
    .sort((a, b) => a.port - b.port || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(renderServer);
  return {
    apiVersion: istioApiVersion('Gateway', model.spec.istioVersion),
    kind: 'Gateway',
    metadata: { name: EdgeObjectNames.gateway(gateway.name), namespace: gateway.namespace },
    spec: { selector: { ...gateway.selector }, servers },
  };
}

function renderServer(server: GatewayServerSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    port: { number: server.port, name: server.name, protocol: server.protocol },
    hosts: sortedStrings(server.hosts),
  };
  if (server.protocol === 'HTTP') {
    // A plain HTTP server may only carry httpsRedirect; its mode is the zero value PASSTHROUGH,
    // which istiod's validation requires there. Written out so no reader has to know that.
    if (server.httpsRedirect) out.tls = { httpsRedirect: true, mode: 'PASSTHROUGH' };
    return out;
  }
  const tls = server.tls!;
  const block: Record<string, unknown> = { mode: tls.mode };
  if (tls.credentialName !== undefined) block.credentialName = tls.credentialName;
  if (tls.minProtocolVersion !== undefined) block.minProtocolVersion = tls.minProtocolVersion;
  if (tls.maxProtocolVersion !== undefined) block.maxProtocolVersion = tls.maxProtocolVersion;
  if (tls.subjectAltNames.length > 0) block.subjectAltNames = sortedStrings(tls.subjectAltNames);
  out.tls = block;
  return out;
}

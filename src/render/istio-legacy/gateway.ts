/**
 * The ingress Gateway of a legacy target (`networking.istio.io/v1alpha3`): certificates come from
 * the Secrets the default 1.x ingress gateway mounts — `istio-ingressgateway-certs` (`tls.crt`,
 * `tls.key`) and, for MUTUAL, `istio-ingressgateway-ca-certs` (`ca.crt`) in the gateway's namespace —
 * named by path (`serverCertificate`, `privateKey`, `caCertificates`), as Istio Succinctly shows.
 * SDS (`credentialName`) exists from 1.1 but needs an opt-in install setting in every 1.x release,
 * so the mounted files are what a 1.x gateway can always read. One mounted Secret holds one
 * certificate: every TLS server of the gateway must use the same credential.
 *
 * @module
 */
import { legacyCannotExpress } from './legacy-errors';
import { istioApiVersion } from '../../model/api-version';
import { EdgeObjectNames } from '../../model/edge-names';
import { GatewayServerSpec, IngressGatewaySpec } from '../../model/ingress-gateway';
import { IstioFeature, supports } from '../../model/istio-version';
import { MeshModel } from '../../model/mesh-model';
import { IstioManifest, sortedStrings } from '../istio/manifest';

/** The mount paths of the 1.x ingress gateway's certificate Secrets. */
export const LEGACY_GATEWAY_CERTS = {
  secret: 'istio-ingressgateway-certs',
  caSecret: 'istio-ingressgateway-ca-certs',
  serverCertificate: '/etc/istio/ingressgateway-certs/tls.crt',
  privateKey: '/etc/istio/ingressgateway-certs/tls.key',
  caCertificates: '/etc/istio/ingressgateway-ca-certs/ca.crt',
} as const;

/** The Gateway, servers sorted by port and name, TLS from the mounted certificate files. */
export function renderLegacyGateway(model: MeshModel, gateway: IngressGatewaySpec): IstioManifest {
  const credentials = sortedStrings(gateway.servers.flatMap((s) => (s.tls?.credentialName ? [s.tls.credentialName] : [])));
  if (credentials.length > 1) {
    legacyCannotExpress(model.spec.istioVersion, `TLS servers with different certificates (${credentials.join(', ')}): the 1.x gateway mounts one certificate Secret`,
      `gateway ${gateway.namespace}/${gateway.name}`);
  }
  const servers = [...gateway.servers]
    .sort((a, b) => a.port - b.port || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((s) => renderServer(model, s));
  return {
    apiVersion: istioApiVersion('Gateway', model.spec.istioVersion),
    kind: 'Gateway',
    metadata: { name: EdgeObjectNames.gateway(gateway.name), namespace: gateway.namespace },
    spec: { selector: { ...gateway.selector }, servers },
  };
}

function renderServer(model: MeshModel, server: GatewayServerSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    port: { number: server.port, name: server.name, protocol: server.protocol },
    hosts: sortedStrings(server.hosts),
  };
  if (server.protocol === 'HTTP') {
    if (server.httpsRedirect) out.tls = { httpsRedirect: true, mode: 'PASSTHROUGH' };
    return out;
  }
  const tls = server.tls!;
  const block: Record<string, unknown> = { mode: tls.mode };
  if (tls.mode !== 'PASSTHROUGH') {
    block.serverCertificate = LEGACY_GATEWAY_CERTS.serverCertificate;
    block.privateKey = LEGACY_GATEWAY_CERTS.privateKey;
  }
  if (tls.mode === 'MUTUAL') block.caCertificates = LEGACY_GATEWAY_CERTS.caCertificates;
  // TLS protocol bounds: istio/api 1.1.0 gateway.proto.
  if (supports(model.spec.istioVersion, IstioFeature.GATEWAY_CREDENTIAL_NAME)) {
    if (tls.minProtocolVersion !== undefined) block.minProtocolVersion = tls.minProtocolVersion;
    if (tls.maxProtocolVersion !== undefined) block.maxProtocolVersion = tls.maxProtocolVersion;
  }
  if (tls.subjectAltNames.length > 0) block.subjectAltNames = sortedStrings(tls.subjectAltNames);
  out.tls = block;
  return out;
}

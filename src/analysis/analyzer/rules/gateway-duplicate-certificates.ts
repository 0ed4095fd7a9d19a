/**
 * `TM_GATEWAY_DUPLICATE_CERTIFICATE` (warning, istioctl `IST0138` GatewayDuplicateCertificate,
 * `gateway.CertificateAnalyzer`): two Gateways on the same gateway pods serve TLS with the same
 * certificate (the same `credentialName`, or the same `serverCertificate` and `privateKey` files).
 * Browsers reuse an HTTP/2 connection for every host the certificate covers, so a request for the
 * second Gateway's host can arrive on the first Gateway's filter chain and get a 404
 * (envoyproxy/envoy#6767).
 *
 * As istioctl: another Gateway counts when its selector contains every label of this Gateway's
 * selector (an empty selector: every Gateway). Reported on each Gateway with such a partner, once
 * per partner, at `metadata.name`. Servers are grouped by certificate first, so only Gateways
 * sharing one are compared.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0138/
 * @see https://istio.io/latest/docs/ops/common-problems/network-issues/#404-errors-occur-when-multiple-gateways-configured-with-same-tls-certificate
 * @module
 */
import { gatewayServers } from './gateway-servers';
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { latest } from './workload-selector-conflicts';
import { Diagnostic } from '../../../errors';
import { IstioResource } from '../../config/istio-config';
import { gatewaySelector } from '../../config/workload-resources';

const CHECK: AnalyzerCheck = {
  code: 'TM_GATEWAY_DUPLICATE_CERTIFICATE',
  severity: 'warning',
  upstreamCode: 'IST0138',
  title: 'two Gateways on the same pods use the same TLS certificate',
};

/** The rule. */
export const gatewayDuplicateCertificatesRule: AnalyzerRule = {
  name: 'gateway-duplicate-certificates',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    const byCertificate = new Map<string, IstioResource[]>();
    for (const s of gatewayServers(latest(context.config.gateways))) {
      const key = certificateKey(s.tls);
      if (key === undefined) continue;
      const list = byCertificate.get(key) ?? [];
      if (!list.includes(s.gateway)) list.push(s.gateway);
      byCertificate.set(key, list);
    }
    const reported = new Set<string>();
    for (const [key, gateways] of byCertificate) {
      if (gateways.length < 2) continue;
      for (const current of gateways) {
        const selector = gatewaySelector(current);
        for (const other of gateways) {
          if (other === current || !containsSelector(gatewaySelector(other), selector)) continue;
          const pair = `${name(current)}\u0000${name(other)}`;
          if (reported.has(pair)) continue;
          reported.add(pair);
          out.push(finding(CHECK, current, ['metadata', 'name'],
            `${objectRef(current)}: duplicate certificate in multiple gateways [${name(current)} ${name(other)}] (${key.startsWith('credential:') ? `credentialName ${key.slice('credential:'.length)}` : 'the same serverCertificate and privateKey'}) may cause 404s if clients re-use HTTP2 connections`,
            'Serve the hosts of both Gateways from one Gateway (one server per certificate), or give each Gateway its own certificate.'));
        }
      }
    }
    return out;
  },
};

/** What identifies a server's certificate: its credentialName, else its certificate and key files. */
function certificateKey(tls: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!tls) return undefined;
  if (typeof tls.credentialName === 'string' && tls.credentialName !== '') return `credential:${tls.credentialName}`;
  if (typeof tls.serverCertificate === 'string' && tls.serverCertificate !== '' && typeof tls.privateKey === 'string' && tls.privateKey !== '') {
    return `files:${tls.serverCertificate}\u0000${tls.privateKey}`;
  }
  return undefined;
}

/** istioctl `selectorSubset`: every label of `inner` is in `outer` with the same value. */
function containsSelector(outer: Readonly<Record<string, string>>, inner: Readonly<Record<string, string>>): boolean {
  return Object.keys(inner).every((k) => outer[k] === inner[k]);
}

function name(gw: IstioResource): string {
  return `${gw.metadata.namespace}/${gw.metadata.name}`;
}

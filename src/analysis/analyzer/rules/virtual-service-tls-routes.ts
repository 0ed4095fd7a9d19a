/**
 * VirtualService TLS routes (`spec.tls[].match[]`), the webhook's `validateTLSRoute` /
 * `validateSniHost` checks (istioctl `IST0106` SchemaValidationError when run through analyze):
 *
 * - `TM_VIRTUAL_SERVICE_SNI_OUTSIDE_HOSTS` (error): an `sniHosts` entry that is not a subset of any
 *   of the VirtualService's `hosts` ("SNI host is not a compatible subset of any of the virtual
 *   service hosts"): the API server rejects the object.
 * - `TM_VIRTUAL_SERVICE_TLS_WITHOUT_SNI` (error): a TLS match without `sniHosts` ("TLS match must
 *   have at least one SNI host").
 *
 * A wildcard host covers the names under it (`*.example.com` covers `a.example.com` and
 * `*.a.example.com`); `*` covers everything. Delegate VirtualServices (no hosts) cannot have TLS
 * routes at all and are reported the same way.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#TLSMatchAttributes
 * @module
 */
import { bareHost } from './gateway-servers';
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { asRecord } from '../../../private/records';
import { gatewayHostCovers } from '../../../semantics/host-match';

const SNI_OUTSIDE: AnalyzerCheck = {
  code: 'TM_VIRTUAL_SERVICE_SNI_OUTSIDE_HOSTS',
  severity: 'error',
  upstreamCode: 'IST0106',
  title: 'a VirtualService TLS route matches an SNI host outside its hosts',
};
const NO_SNI: AnalyzerCheck = {
  code: 'TM_VIRTUAL_SERVICE_TLS_WITHOUT_SNI',
  severity: 'error',
  upstreamCode: 'IST0106',
  title: 'a VirtualService TLS match without sniHosts',
};

/** The rule family. */
export const virtualServiceTlsRoutesRule: AnalyzerRule = {
  name: 'virtual-service-tls-routes',
  checks: [SNI_OUTSIDE, NO_SNI],
  run(context) {
    const out: Diagnostic[] = [];
    for (const vs of context.config.virtualServices) {
      const hosts = (Array.isArray(vs.spec.hosts) ? vs.spec.hosts : []).filter((h): h is string => typeof h === 'string').map(bareHost);
      (Array.isArray(vs.spec.tls) ? vs.spec.tls as unknown[] : []).forEach((route, r) => {
        (Array.isArray(asRecord(route).match) ? asRecord(route).match as unknown[] : []).forEach((m, i) => {
          const sni = asRecord(m).sniHosts;
          const at = ['spec', 'tls', r, 'match', i];
          if (!Array.isArray(sni) || sni.length === 0) {
            out.push(finding(NO_SNI, vs, at, `${objectRef(vs)}: spec.tls[${r}].match[${i}] has no sniHosts; TLS routes match on the SNI`,
              'List the SNI host names the route takes (a subset of spec.hosts).'));
            return;
          }
          sni.forEach((h, j) => {
            if (typeof h !== 'string') return;
            if (hosts.some((host) => host === h.toLowerCase() || gatewayHostCovers(host, h))) return;
            out.push(finding(SNI_OUTSIDE, vs, [...at, 'sniHosts', j],
              `${objectRef(vs)}: SNI host ${h} is not a subset of any of the VirtualService hosts (${hosts.join(', ') || 'none'}); the API server rejects the object`,
              `Add ${h} (or a wildcard covering it) to spec.hosts, or route it in the VirtualService that owns that host.`));
          });
        });
      });
    }
    return out;
  },
};

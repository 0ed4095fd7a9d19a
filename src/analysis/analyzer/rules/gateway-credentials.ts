/**
 * Gateway credential Secrets (`servers[].tls.credentialName` / `credentialNames`):
 *
 * - `TM_GATEWAY_CREDENTIAL_NOT_FOUND` (warning with the inferred inventory, error with
 *   `--inventory complete`; istioctl `IST0101` ReferencedResourceNotFound): no Secret of that name
 *   in the gateway workload's namespace, so the server has no certificate and its listener is not
 *   served. The gateway workload's namespace is where the input's pods matching the Gateway
 *   selector run, else the Gateway's own namespace.
 * - `TM_GATEWAY_CREDENTIAL_INVALID` (error, istioctl `IST0161` InvalidGatewayCredential): the Secret
 *   has neither `tls.crt`/`tls.key` nor `cert`/`key`.
 * - `TM_GATEWAY_MUTUAL_WITHOUT_CLIENT_CA` (error): a MUTUAL server whose Secret has no CA bundle
 *   (`ca.crt` or `cacert`) and no `<name>-cacert` Secret exists: client certificates cannot be
 *   verified and every handshake fails.
 *
 * Only namespaces whose Secrets the input shows are checked (at least one Secret there), unless the
 * inventory is `complete`: trustmesh writes key material to a separate directory, so a reviewable
 * output without Secrets is normal.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0101/
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/
 * @module
 */
import { gatewayServers } from './gateway-servers';
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { asRecord } from '../../../private/records';
import { selectorMatches } from '../../../semantics/labels';
import { LoadedObject } from '../../config/istio-config';

const NOT_FOUND: AnalyzerCheck = {
  code: 'TM_GATEWAY_CREDENTIAL_NOT_FOUND',
  severity: 'warning',
  upstreamCode: 'IST0101',
  title: 'a Gateway server names a credential Secret that is not in the gateway workload\'s namespace',
};
const INVALID: AnalyzerCheck = {
  code: 'TM_GATEWAY_CREDENTIAL_INVALID',
  severity: 'error',
  upstreamCode: 'IST0161',
  title: 'a gateway credential Secret has no certificate and key',
};
const NO_CLIENT_CA: AnalyzerCheck = {
  code: 'TM_GATEWAY_MUTUAL_WITHOUT_CLIENT_CA',
  severity: 'error',
  title: 'a MUTUAL Gateway server has no CA bundle to verify client certificates',
};

/** The rule family. */
export const gatewayCredentialsRule: AnalyzerRule = {
  name: 'gateway-credentials',
  checks: [NOT_FOUND, INVALID, NO_CLIENT_CA],
  run(context) {
    const out: Diagnostic[] = [];
    const { config, inventory } = context;
    if (inventory.mode === 'none') return out;
    const secrets = config.objects.filter((o) => o.kind === 'Secret' && o.apiVersion === 'v1');
    const known = (ns: string): boolean => inventory.mode === 'complete' || secrets.some((s) => s.metadata.namespace === ns);
    const secret = (ns: string, name: string): LoadedObject | undefined =>
      secrets.find((s) => s.metadata.namespace === ns && s.metadata.name === name);
    for (const s of gatewayServers(config.gateways)) {
      if (!s.tls) continue;
      const names = [
        ...(typeof s.tls.credentialName === 'string' && s.tls.credentialName !== '' ? [['credentialName', s.tls.credentialName] as const] : []),
        ...(Array.isArray(s.tls.credentialNames) ? s.tls.credentialNames.filter((n): n is string => typeof n === 'string')
          .map((n, i) => [`credentialNames[${i}]`, n] as const) : []),
      ];
      if (names.length === 0) continue;
      // The gateway workload's namespace: where its pods run (a Gateway selector matches pods in
      // every namespace), else the Gateway's own.
      const pods = Object.keys(s.selector).length > 0 ? inventory.workloads.filter((w) => selectorMatches(s.selector, w.podLabels)) : [];
      const namespaces = pods.length > 0 ? [...new Set(pods.map((w) => w.metadata.namespace))].sort() : [s.gateway.metadata.namespace];
      for (const ns of namespaces) {
        if (!known(ns)) continue;
        for (const [field, name] of names) {
          const path = ['spec', 'servers', s.index, 'tls', ...(field === 'credentialName' ? ['credentialName'] : ['credentialNames', Number(/\d+/.exec(field)![0])])];
          const found = secret(ns, name);
          if (!found) {
            out.push(finding(NOT_FOUND, s.gateway, path,
              `${objectRef(s.gateway)}: spec.servers[${s.index}].tls.${field} "${name}" is not a Secret in namespace ${ns}, where the gateway pods run; the server has no certificate`,
              `Create the Secret ${ns}/${name} (kubernetes.io/tls: tls.crt, tls.key), e.g. \`trustmesh ca issue gateway --name ${name} --host ${s.hosts[0] ?? '<host>'}\` with GatewayCredential.fromCa, or fix the name.`,
              { severity: inventory.findingSeverity }));
            continue;
          }
          const data = { ...asRecord(found.body.data), ...asRecord(found.body.stringData) };
          const has = (k: string): boolean => typeof data[k] === 'string' && data[k] !== '';
          if (!(has('tls.crt') && has('tls.key')) && !(has('cert') && has('key'))) {
            out.push(finding(INVALID, s.gateway, path,
              `${objectRef(s.gateway)}: Secret ${ns}/${name} has neither tls.crt/tls.key nor cert/key, so the gateway cannot load a certificate`,
              'Store the certificate chain and key under tls.crt and tls.key (type kubernetes.io/tls).'));
            continue;
          }
          if (s.tls.mode === 'MUTUAL' && !has('ca.crt') && !has('cacert') && !secret(ns, `${name}-cacert`)) {
            out.push(finding(NO_CLIENT_CA, s.gateway, path,
              `${objectRef(s.gateway)}: spec.servers[${s.index}] is MUTUAL but Secret ${ns}/${name} has no ca.crt (or cacert) and there is no ${name}-cacert Secret: client certificates cannot be verified`,
              'Add the CA bundle of the client certificates as ca.crt (GatewayCredential.fromCa(ca, name, { verifyClients: true })), or create the <name>-cacert Secret.'));
          }
        }
      }
    }
    return out;
  },
};

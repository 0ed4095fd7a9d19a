/**
 * Gateway credential Secrets (`servers[].tls.credentialName` / `credentialNames`):
 *
 * - `TM_GATEWAY_CREDENTIAL_NOT_FOUND` (warning with the inferred inventory, error with
 *   `--inventory complete`; istioctl `IST0101` ReferencedResourceNotFound): no Secret of that name
 *   in the gateway workload's namespace, so the server has no certificate and its listener is not
 *   served. The gateway workload's namespace is where the input's pods matching the Gateway
 *   selector run. Without such pods the namespace is unknown: with `--inventory complete` the
 *   Gateway's selector is reported instead (`TM_GATEWAY_NO_WORKLOAD`, as istioctl does) and its
 *   credentials are not judged; otherwise a Secret of that name anywhere in the input is taken,
 *   and "not found" means none in the input at all (where the Gateway's namespace shows Secrets).
 * - `TM_GATEWAY_CREDENTIAL_INVALID` (error, istioctl `IST0161` InvalidGatewayCredential): the Secret
 *   has neither `tls.crt`/`tls.key` nor `cert`/`key`, the certificate does not parse, has expired or
 *   is not yet valid, or the key does not belong to it (see `credential-certificate.ts`).
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
import { certificateProblem, credentialPair, secretData } from './credential-certificate';
import { gatewayServers } from './gateway-servers';
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { workloadIndex } from './selector-index';
import { Diagnostic } from '../../../errors';
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
  title: 'a gateway credential Secret holds no usable certificate and key (missing, unparsable, expired or not yet valid, key of another certificate)',
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
    if (inventory.mode === 'none' || config.gateways.length === 0) return out;
    const secrets = new Map<string, LoadedObject>();
    const byName = new Map<string, LoadedObject[]>();
    for (const o of config.objects) {
      if (o.kind !== 'Secret' || o.apiVersion !== 'v1') continue;
      secrets.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
      byName.set(o.metadata.name, [...(byName.get(o.metadata.name) ?? []), o]);
    }
    const pods = workloadIndex(inventory.workloads);
    const now = new Date();
    for (const s of gatewayServers(config.gateways)) {
      if (!s.tls) continue;
      const names = [
        ...(typeof s.tls.credentialName === 'string' && s.tls.credentialName !== '' ? [['credentialName', s.tls.credentialName] as const] : []),
        ...(Array.isArray(s.tls.credentialNames) ? s.tls.credentialNames.filter((n): n is string => typeof n === 'string')
          .map((n, i) => [`credentialNames[${i}]`, n] as const) : []),
      ];
      if (names.length === 0) continue;
      // The gateway workload's namespace: where its pods run (a Gateway selector matches pods in
      // every namespace). Without pods it is unknown; a complete inventory reports the selector.
      const selected = Object.keys(s.selector).length > 0 ? pods.select(s.selector) : [];
      if (selected.length === 0 && inventory.mode === 'complete') continue;
      const podNamespaces = [...new Set(selected.map((w) => w.metadata.namespace))].sort();
      const namespaces = podNamespaces.length > 0 ? podNamespaces : [s.gateway.metadata.namespace];
      for (const ns of namespaces) {
        for (const [field, name] of names) {
          const path = ['spec', 'servers', s.index, 'tls', ...(field === 'credentialName' ? ['credentialName'] : ['credentialNames', Number(/\d+/.exec(field)![0])])];
          const found = secrets.get(`${ns}/${name}`) ?? (podNamespaces.length === 0 ? (byName.get(name) ?? [])[0] : undefined);
          if (!found) {
            if (!inventory.knowsSecrets(ns)) continue;
            const where = podNamespaces.length > 0
              ? `is not a Secret in namespace ${ns}, where the gateway pods run`
              : `is not a Secret in the input: none in namespace ${ns} (the Gateway's; the input has no pod matching its selector, so where the gateway runs is unknown) nor elsewhere`;
            out.push(finding(NOT_FOUND, s.gateway, path,
              `${objectRef(s.gateway)}: spec.servers[${s.index}].tls.${field} "${name}" ${where}; the server has no certificate (Referenced credentialName not found)`,
              `Create the Secret ${ns}/${name} (kubernetes.io/tls: tls.crt, tls.key), e.g. \`trustmesh ca issue gateway --name ${name} --host ${s.hosts[0] ?? '<host>'}\` with GatewayCredential.fromCa, or fix the name.`,
              { severity: inventory.findingSeverity }));
            continue;
          }
          const secretRef = `${found.metadata.namespace}/${found.metadata.name}`;
          const data = secretData(found);
          const pair = credentialPair(data);
          const problem = typeof pair === 'string' ? pair : certificateProblem(pair, now);
          if (problem !== undefined) {
            out.push(finding(INVALID, s.gateway, path,
              `${objectRef(s.gateway)}: the credential referenced by spec.servers[${s.index}].tls.${field} is invalid: Secret ${secretRef}: ${problem}; the gateway cannot serve TLS with it`,
              typeof pair === 'string'
                ? 'Store the certificate chain and key under tls.crt and tls.key (type kubernetes.io/tls).'
                : 'Issue a current certificate for the host and store it with its own private key (trustmesh ca issue gateway), then update the Secret.'));
            continue;
          }
          if (s.tls.mode === 'MUTUAL' && !data['ca.crt'] && !data.cacert && !secrets.get(`${found.metadata.namespace}/${name}-cacert`)) {
            out.push(finding(NO_CLIENT_CA, s.gateway, path,
              `${objectRef(s.gateway)}: spec.servers[${s.index}] is MUTUAL but Secret ${secretRef} has no ca.crt (or cacert) and there is no ${name}-cacert Secret: client certificates cannot be verified`,
              'Add the CA bundle of the client certificates as ca.crt (GatewayCredential.fromCa(ca, name, { verifyClients: true })), or create the <name>-cacert Secret.'));
          }
        }
      }
    }
    return out;
  },
};

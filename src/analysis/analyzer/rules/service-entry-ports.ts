/**
 * ServiceEntry ports (istioctl `serviceentry.ProtocolAddressesAnalyzer` and, from Istio 1.31,
 * `serviceentry.ConflictingServiceEntryProtocolAnalyzer`), reported on the ServiceEntry:
 *
 * - `TM_SERVICE_ENTRY_ADDRESSES_REQUIRED` (warning, `IST0134` ServiceEntryAddressesRequired): a
 *   TCP port (protocol `TCP` or omitted) on a ServiceEntry without `addresses` (nor addresses
 *   allocated in its status). Without a virtual IP the sidecar can only match the port — every TCP
 *   destination on that port is sent to this entry. Not reported when the MeshConfig enables DNS
 *   capture with address auto-allocation (`defaultConfig.proxyMetadata` `ISTIO_META_DNS_CAPTURE`
 *   plus `ISTIO_META_DNS_AUTO_ALLOCATE` or `PILOT_ENABLE_IP_AUTOALLOCATE`, via `--mesh-config`).
 * - `TM_SERVICE_ENTRY_PROTOCOL_CONFLICT` (warning, `IST0177` ConflictingServiceEntryProtocol):
 *   several ServiceEntries define the same host and port with different protocols for the same
 *   namespaces (`exportTo`; an entry exported to all conflicts with every scope): istiod keeps one.
 *   Reported once per ServiceEntry, at `metadata.name`.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0134/
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/dns-proxy/#address-auto-allocation
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { exportToOf } from './service-registry';
import { list, stringList } from './virtual-service-routes';
import { latest } from './workload-selector-conflicts';
import { Diagnostic } from '../../../errors';
import { asRecord, stringEntries } from '../../../private/records';
import { IstioResource } from '../../config/istio-config';

const ADDRESSES_REQUIRED: AnalyzerCheck = {
  code: 'TM_SERVICE_ENTRY_ADDRESSES_REQUIRED',
  severity: 'warning',
  upstreamCode: 'IST0134',
  title: 'a ServiceEntry TCP port without addresses',
};
const PROTOCOL_CONFLICT: AnalyzerCheck = {
  code: 'TM_SERVICE_ENTRY_PROTOCOL_CONFLICT',
  severity: 'warning',
  upstreamCode: 'IST0177',
  title: 'ServiceEntries define the same host and port with different protocols',
};

const ALL = '*';

/** The rule family. */
export const serviceEntryPortsRule: AnalyzerRule = {
  name: 'service-entry-ports',
  checks: [ADDRESSES_REQUIRED, PROTOCOL_CONFLICT],
  run(context) {
    const out: Diagnostic[] = [];
    const entries = latest(context.config.serviceEntries);
    if (entries.length === 0) return out;
    const metadata = stringEntries(asRecord(asRecord(context.mesh.raw?.defaultConfig).proxyMetadata));
    const autoAllocated = metadata.ISTIO_META_DNS_CAPTURE === 'true'
      && (metadata.ISTIO_META_DNS_AUTO_ALLOCATE === 'true' || metadata.PILOT_ENABLE_IP_AUTOALLOCATE === 'true');
    for (const se of entries) {
      if (autoAllocated || list(se.spec.addresses).length > 0 || list(asRecord(se.body.status).addresses).length > 0) continue;
      list(se.spec.ports).forEach((raw, i) => {
        const protocol = asRecord(raw).protocol;
        if (protocol !== undefined && protocol !== '' && !(typeof protocol === 'string' && protocol.toUpperCase() === 'TCP')) return;
        out.push(finding(ADDRESSES_REQUIRED, se, ['spec', 'ports', i],
          `${objectRef(se)}: spec.ports[${i}] (port ${String(asRecord(raw).number)}) serves TCP, but the ServiceEntry has no addresses: ServiceEntry addresses are required for this protocol; without a virtual IP the sidecar matches only the port, so all TCP traffic to it goes to this entry`,
          'Add spec.addresses (the virtual IPs or CIDRs of the hosts), or enable DNS capture with address auto-allocation (proxyMetadata ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE: "true").'));
      });
    }
    protocolConflicts(entries, out);
    return out;
  },
};

function protocolConflicts(entries: readonly IstioResource[], out: Diagnostic[]): void {
  // scope \0 host \0 port → [protocol, ServiceEntry]
  const index = new Map<string, { readonly protocol: string; readonly se: IstioResource }[]>();
  for (const se of entries) {
    const ns = se.metadata.namespace;
    const exportTo = exportToOf(se.spec);
    const scopes = exportTo.length === 0 || exportTo.includes(ALL) ? [ALL] : [...new Set(exportTo.map((e) => (e === '.' ? ns : e)))];
    for (const scope of scopes) {
      for (const host of stringList(se.spec.hosts)) {
        for (const p of list(se.spec.ports)) {
          const port = asRecord(p);
          if (typeof port.number !== 'number') continue;
          const key = `${scope}\u0000${host}\u0000${port.number}`;
          index.set(key, [...(index.get(key) ?? []), { protocol: typeof port.protocol === 'string' ? port.protocol.toUpperCase() : '', se }]);
        }
      }
    }
  }
  const reported = new Set<IstioResource>();
  for (const [key, own] of index) {
    const [scope, host, port] = key.split('\u0000');
    const all = scope === ALL ? own : [...own, ...(index.get(`${ALL}\u0000${host}\u0000${port}`) ?? [])];
    const protocols = [...new Set(all.map((e) => e.protocol))].sort();
    if (protocols.length < 2) continue;
    const names = [...new Set(all.map((e) => `${e.se.metadata.namespace}/${e.se.metadata.name}`))].sort();
    for (const { se } of all) {
      if (reported.has(se)) continue;
      reported.add(se);
      out.push(finding(PROTOCOL_CONFLICT, se, ['metadata', 'name'],
        `${objectRef(se)}: multiple ServiceEntries (${names.join(', ')}) define the same host "${host}" and port ${port} with conflicting protocols (${protocols.map((p) => p || '(none)').join(', ')}); istiod keeps only one`,
        `Use one protocol for ${host}:${port} in every ServiceEntry (or merge them), or narrow their exportTo so they are not visible in the same namespaces.`));
    }
  }
}

/**
 * DestinationRule client TLS settings (`trafficPolicy.tls`, `portLevelSettings[].tls`, and the same
 * under `subsets[].trafficPolicy`):
 *
 * - `TM_DESTINATION_RULE_DISABLES_STRICT` (error, Kiali `KIA0207` namespace level / `KIA0208`
 *   mesh level): `mode: DISABLE` — written, or implied — towards a destination whose effective
 *   PeerAuthentication is STRICT: the client sends plaintext, the server refuses it, every
 *   connection fails. The destination is resolved from the host (`name`, `name.ns.svc.…`,
 *   `*.ns.svc.…`, `*.local`, `*`) and, when the Service is in the input, its selector and target
 *   ports.
 * - `TM_DESTINATION_RULE_TLS_ZERO_VALUE` (warning): `tls` without `mode` (e.g. `tls: {}`). The
 *   enum's zero value is DISABLE, so this turns mTLS *off* and overrides auto mTLS.
 * - `TM_DESTINATION_RULE_NO_CA` (warning, istioctl `IST0128` / `IST0129` at port level): SIMPLE or
 *   MUTUAL without `caCertificates` (unless `credentialName` with a `workloadSelector`): the server
 *   certificate is not verified.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0128/
 * @module
 */
import { peerAuthenticationFor } from './peer-authentication-lookup';
import { AnalyzerCheck, AnalyzerRule, RuleContext, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { asRecord, isRecord, stringEntries } from '../../../private/records';
import { selectorMatches } from '../../../semantics/labels';
import { IstioResource, ServiceResource } from '../../config/istio-config';
import { FieldPath, fieldString } from '../../config/yaml-source';
import { EffectiveMtlsMode, mtlsForPort, MtlsSource } from '../../evaluator/mtls-mode';

const DISABLES_STRICT: AnalyzerCheck = {
  code: 'TM_DESTINATION_RULE_DISABLES_STRICT',
  severity: 'error',
  upstreamCode: 'KIA0208',
  title: 'a DestinationRule disables TLS towards a destination that requires STRICT mTLS',
};
const ZERO_VALUE: AnalyzerCheck = {
  code: 'TM_DESTINATION_RULE_TLS_ZERO_VALUE',
  severity: 'warning',
  title: 'a DestinationRule tls block without mode means DISABLE',
};
const NO_CA: AnalyzerCheck = {
  code: 'TM_DESTINATION_RULE_NO_CA',
  severity: 'warning',
  upstreamCode: 'IST0128',
  title: 'a DestinationRule with SIMPLE or MUTUAL TLS does not verify the server certificate',
};

/** `kubernetes`, `kubernetes.default`, `kubernetes.default.svc`, `kubernetes.default.svc.<domain>`. */
const KUBERNETES_API_SERVER = /^kubernetes(\.default(\.svc(\..+)?)?)?$/;

/** The label (or annotation) that keeps the sidecar injector away from a pod. */
const INJECT = 'sidecar.istio.io/inject';

/** One `tls` block of a DestinationRule. */
interface TlsSetting {
  readonly path: FieldPath;
  readonly tls: Readonly<Record<string, unknown>>;
  readonly port?: number;
  readonly subsetLabels: Readonly<Record<string, string>>;
}

/** A destination the host resolves to, for PeerAuthentication resolution. */
interface Destination {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly service?: ServiceResource;
  readonly description: string;
  /** The host names one service (not a namespace or the mesh). */
  readonly oneService?: boolean;
}

/** The rule family. */
export const destinationRuleTlsRule: AnalyzerRule = {
  name: 'destination-rule-tls',
  checks: [DISABLES_STRICT, ZERO_VALUE, NO_CA],
  run(context) {
    const out: Diagnostic[] = [];
    for (const dr of context.config.destinationRules) {
      const host = typeof dr.spec.host === 'string' ? dr.spec.host : '';
      for (const setting of tlsSettings(dr)) {
        const explicit = typeof setting.tls.mode === 'string';
        const mode = explicit ? setting.tls.mode as string : 'DISABLE';
        const at = `${objectRef(dr)}: ${fieldString(setting.path)}`;
        if (!explicit) {
          out.push(finding(ZERO_VALUE, dr, setting.path,
            `${at} has no mode; the zero value is DISABLE, so traffic to ${host || 'the host'} is sent in plaintext and auto mTLS is switched off`,
            'Set mode explicitly: ISTIO_MUTUAL for mesh destinations (or drop the tls block to keep auto mTLS), SIMPLE/MUTUAL for external TLS, DISABLE only if plaintext is intended.'));
        }
        if (mode === 'SIMPLE' || mode === 'MUTUAL') noCa(dr, setting, mode, host, at, out);
        if (mode === 'DISABLE') disablesStrict(context, dr, setting, host, at, explicit, out);
      }
    }
    return out;
  },
};

function tlsSettings(dr: IstioResource): TlsSetting[] {
  const out: TlsSetting[] = [];
  const fromPolicy = (policy: unknown, path: FieldPath, subsetLabels: Readonly<Record<string, string>>): void => {
    const tp = asRecord(policy);
    if (isRecord(tp.tls)) out.push({ path: [...path, 'tls'], tls: tp.tls, subsetLabels });
    (Array.isArray(tp.portLevelSettings) ? tp.portLevelSettings as unknown[] : []).forEach((pls, i) => {
      const p = asRecord(pls);
      const number = asRecord(p.port).number;
      if (isRecord(p.tls)) {
        out.push({ path: [...path, 'portLevelSettings', i, 'tls'], tls: p.tls, subsetLabels, ...(typeof number === 'number' ? { port: number } : {}) });
      }
    });
  };
  fromPolicy(dr.spec.trafficPolicy, ['spec', 'trafficPolicy'], {});
  (Array.isArray(dr.spec.subsets) ? dr.spec.subsets as unknown[] : []).forEach((s, j) => {
    const subset = asRecord(s);
    fromPolicy(subset.trafficPolicy, ['spec', 'subsets', j, 'trafficPolicy'], stringEntries(subset.labels));
  });
  return out;
}

function noCa(dr: IstioResource, setting: TlsSetting, mode: string, host: string, at: string, out: Diagnostic[]): void {
  const tls = setting.tls;
  if (typeof tls.caCertificates === 'string' && tls.caCertificates !== '') return;
  // Sidecars load credentialName (with its CA) only for DestinationRules with a workloadSelector.
  if (typeof tls.credentialName === 'string' && tls.credentialName !== '' && isRecord(dr.spec.workloadSelector)) return;
  const portLevel = setting.path.includes('portLevelSettings');
  out.push(finding(NO_CA, dr, setting.path,
    `${at} uses ${mode} TLS to ${host}${setting.port !== undefined ? ` port ${setting.port}` : ''} without caCertificates, so the server certificate is not verified`,
    'Set caCertificates (or credentialName with a workloadSelector) to the CA bundle of the server, and subjectAltNames to its expected identity.',
    { upstreamCode: portLevel ? 'IST0129' : 'IST0128' }));
}

function disablesStrict(context: RuleContext, dr: IstioResource, setting: TlsSetting, host: string, at: string, explicit: boolean,
  out: Diagnostic[]): void {
  // The Kubernetes API server runs without a sidecar: no PeerAuthentication applies to it, and a
  // DISABLE towards it is the documented exception, not a conflict.
  if (KUBERNETES_API_SERVER.test(host)) return;
  for (const dest of destinations(context, dr, host, setting.subsetLabels)) {
    const sidecars = sidecarsAt(context, dest);
    // PeerAuthentication is enforced by the destination's sidecar: without one, DISABLE is right.
    if (sidecars === 'none') continue;
    const resolved = peerAuthenticationFor(context, dest.namespace, dest.labels);
    const port = setting.port === undefined ? undefined : workloadPort(dest.service, setting.port);
    const { mode, source } = port === undefined ? { mode: resolved.mode, source: resolved.source } : mtlsForPort(resolved, port);
    if (mode !== 'STRICT' || !source) continue;
    const unsure = sidecars === 'unknown' && context.inventory.mode !== 'complete';
    out.push(finding(DISABLES_STRICT, dr, explicit ? [...setting.path, 'mode'] : setting.path,
      `${at} ${explicit ? 'sets mode DISABLE' : 'implies mode DISABLE'}: clients send plaintext to ${dest.description}, but ${origin(source, mode)}; `
      + (unsure ? 'every connection is refused unless its workloads run without a sidecar (the input holds none of them)'
        : 'every connection is refused'),
      'Use mode: ISTIO_MUTUAL (or remove the tls block so auto mTLS applies); or, if plaintext is really needed, make the destination PERMISSIVE'
      + (unsure ? '; if the destination runs without a sidecar, include its workloads (with sidecar.istio.io/inject: "false") in the input.' : '.'),
      { upstreamCode: source.level === 'mesh' ? 'KIA0208' : 'KIA0207', ...(unsure ? { severity: 'warning' } : {}) }));
    return;
  }
}

/**
 * Whether the destination's pods run a sidecar, as far as the input tells: `none` when every
 * workload its Service selects opts out of injection (`sidecar.istio.io/inject: "false"`, label or
 * annotation), `some` when one does not, `unknown` without a Service or known workloads.
 */
function sidecarsAt(context: RuleContext, dest: Destination): 'none' | 'some' | 'unknown' {
  // A namespace or the whole mesh surely holds workloads with a sidecar.
  if (!dest.oneService) return 'some';
  if (!dest.service || !context.inventory.knowsWorkloads(dest.namespace)) return 'unknown';
  const pods = context.inventory.workloadsIn(dest.namespace).filter((w) => selectorMatches(dest.labels, w.podLabels));
  if (pods.length === 0) return 'unknown';
  return pods.every((w) => (w.podLabels[INJECT] ?? w.podAnnotations[INJECT]) === 'false') ? 'none' : 'some';
}

function origin(source: MtlsSource, mode: EffectiveMtlsMode): string {
  const p = source.policy;
  return `PeerAuthentication ${p.metadata.namespace}/${p.metadata.name} requires ${mode} mTLS there (${source.level} level)`;
}

// What the host names: one Service, a namespace, or the mesh; external hosts are left alone.
function destinations(context: RuleContext, dr: IstioResource, host: string, subsetLabels: Readonly<Record<string, string>>): Destination[] {
  const root = context.mesh.rootNamespace;
  if (host === '*' || /^\*\.(svc\.)?(cluster\.)?local$/.test(host) || host === `*.svc.${context.mesh.trustDomain}`) {
    const out: Destination[] = [{ namespace: root, labels: subsetLabels, description: `every service of the mesh (${host})` }];
    // Namespaces whose own policy is STRICT although the mesh's is not.
    const nss = new Set(context.config.peerAuthentications
      .filter((pa) => pa.metadata.namespace !== root && Object.keys(pa.spec.selector?.matchLabels ?? {}).length === 0)
      .map((pa) => pa.metadata.namespace));
    for (const ns of [...nss].sort()) out.push({ namespace: ns, labels: subsetLabels, description: `the services of namespace ${ns} (${host})` });
    return out;
  }
  const nsWide = /^\*\.([a-z0-9-]+)\.svc(\..+)?$/.exec(host);
  if (nsWide) return [{ namespace: nsWide[1], labels: subsetLabels, description: `the services of namespace ${nsWide[1]} (${host})` }];
  let name: string;
  let namespace: string;
  const fqdn = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\..+)?$/.exec(host);
  if (fqdn) {
    name = fqdn[1];
    namespace = fqdn[2];
  } else if (/^[a-z0-9-]+$/.test(host)) {
    // Short names are resolved in the DestinationRule's namespace.
    name = host;
    namespace = dr.metadata.namespace;
  } else {
    return [];
  }
  const service = context.config.services.find((s) => s.metadata.name === name && s.metadata.namespace === namespace);
  return [{
    namespace,
    labels: { ...(service?.selector ?? {}), ...subsetLabels },
    ...(service ? { service } : {}),
    oneService: true,
    description: `${name}.${namespace}${Object.keys(subsetLabels).length > 0 ? ' (subset)' : ''}`,
  }];
}

// PeerAuthentication ports are workload (target) ports; DestinationRule ports are Service ports.
function workloadPort(service: ServiceResource | undefined, port: number): number | undefined {
  if (!service) return port;
  const sp = service.ports.find((p) => p.port === port);
  if (!sp) return port;
  return typeof sp.targetPort === 'number' ? sp.targetPort : undefined;
}

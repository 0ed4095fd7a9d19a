import { IstioManifest, sortedStrings } from './manifest';
import { istioApiVersion } from '../../model/api-version';
import { EdgeObjectNames } from '../../model/edge-names';
import { ExternalServiceSpec, PlaintextExceptionSpec } from '../../model/egress';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';
import { ObjectNames } from '../../model/object-names';

/**
 * Client side towards a service without a sidecar: an explicit `tls.mode: DISABLE` for exactly
 * that host, so the exception is reviewable intent rather than a side effect of auto-mTLS. The
 * mode is always written out: a DestinationRule `tls: {}` also means DISABLE (the enum's zero
 * value), silently.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings-TLSmode
 */
export function renderPlaintextDestinationRule(model: MeshModel, service: ServiceSpec): IstioManifest | undefined {
  if (service.inMesh) return undefined;
  return {
    apiVersion: istioApiVersion('DestinationRule', model.spec.istioVersion),
    kind: 'DestinationRule',
    metadata: { name: ObjectNames.plaintextDestinationRule(service.name), namespace: service.namespace },
    spec: {
      host: `${service.name}.${service.namespace}.svc.${model.spec.clusterDomain}`,
      trafficPolicy: { tls: { mode: 'DISABLE' } },
    },
  };
}

/** The annotation that records why a plaintext exception exists, for reviewers. */
const REASON_ANNOTATION = 'trustmesh.io/reason';

/** The annotations of a plaintext exception's DestinationRule: why it exists. */
export function plaintextExceptionAnnotations(exception: PlaintextExceptionSpec): Record<string, string> {
  return { [REASON_ANNOTATION]: exception.reason };
}

/**
 * An explicit client-TLS exception (`mesh.plaintextTo(...)`): `tls.mode: DISABLE` for exactly one
 * host (and port), in the root namespace so that it applies to every client. Written out, never
 * `tls: {}` (which means the same, silently).
 * @see https://istio.io/latest/docs/ops/common-problems/network-issues/#tls-configuration-mistakes
 */
export function renderPlaintextExceptionDestinationRule(model: MeshModel, exception: PlaintextExceptionSpec): IstioManifest {
  const tls = { mode: 'DISABLE' };
  return {
    apiVersion: istioApiVersion('DestinationRule', model.spec.istioVersion),
    kind: 'DestinationRule',
    metadata: { name: exception.name, namespace: exception.namespace, annotations: plaintextExceptionAnnotations(exception) },
    spec: {
      host: exception.host,
      trafficPolicy: exception.port === undefined ? { tls } : { portLevelSettings: [{ port: { number: exception.port }, tls }] },
    },
  };
}

/**
 * TLS origination towards an external host. SIMPLE: one DestinationRule beside the ServiceEntry
 * (same namespace and `exportTo`) that verifies the server — `caCertificates`, `sni` and
 * `subjectAltNames` are always set (IST0128 otherwise). MUTUAL: one DestinationRule per client
 * workload, in its namespace, with a `workloadSelector` (sidecars only load `credentialName`
 * then) and the client certificate Secret, whose `ca.crt` verifies the server.
 * Only the plain-HTTP ports that forward to a TLS `targetPort` originate TLS.
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-tls-origination/
 */
export function renderEgressTlsDestinationRules(model: MeshModel, external: ExternalServiceSpec): IstioManifest[] {
  const tls = external.tls;
  if (!tls) return [];
  const ports = external.ports.filter((p) => p.targetPort !== undefined).map((p) => p.number).sort((a, b) => a - b);
  const apiVersion = istioApiVersion('DestinationRule', model.spec.istioVersion);
  if (tls.mode === 'SIMPLE') {
    const settings = { mode: 'SIMPLE', caCertificates: tls.caCertificates, sni: tls.sni, subjectAltNames: sortedStrings(tls.subjectAltNames) };
    return [{
      apiVersion,
      kind: 'DestinationRule',
      metadata: { name: EdgeObjectNames.egressTls(external.name), namespace: external.namespace },
      spec: {
        host: external.host,
        exportTo: [...external.exportTo],
        trafficPolicy: { portLevelSettings: ports.map((number) => ({ port: { number }, tls: settings })) },
      },
    }];
  }
  const settings = { mode: 'MUTUAL', credentialName: tls.credentialName, sni: tls.sni, subjectAltNames: sortedStrings(tls.subjectAltNames) };
  return [...tls.clients]
    .sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1))
    .map((client) => ({
      apiVersion,
      kind: 'DestinationRule' as const,
      metadata: { name: EdgeObjectNames.egressMutualTls(external.name, client.name), namespace: client.namespace },
      spec: {
        host: external.host,
        workloadSelector: { matchLabels: { ...client.labels } },
        trafficPolicy: { portLevelSettings: ports.map((number) => ({ port: { number }, tls: settings })) },
      },
    }));
}

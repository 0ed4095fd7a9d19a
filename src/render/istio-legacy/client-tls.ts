/**
 * Client-side mTLS for releases without automatic mTLS (Istio 1.0–1.4: clients only originate
 * ISTIO_MUTUAL when a DestinationRule says so). The mesh gets one `*.local` DestinationRule in the
 * root namespace, as Istio Succinctly shows; a service whose servers accept only plaintext (DISABLE,
 * by service or port) gets a DestinationRule for exactly its host in its namespace, which Istio
 * prefers over the root namespace's wildcard.
 *
 * @module
 */
import { serviceMtls } from './authentication-policy';
import { LegacyNames } from './legacy-names';
import { istioApiVersion } from '../../model/api-version';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';
import { MtlsMode } from '../../model/mtls';
import { IstioManifest } from '../istio/manifest';

type ClientTls = 'ISTIO_MUTUAL' | 'DISABLE';

/** What a client must originate towards a server in `mode`: plaintext only towards DISABLE. */
function clientTls(mode: MtlsMode): ClientTls {
  return mode === 'DISABLE' ? 'DISABLE' : 'ISTIO_MUTUAL';
}

/** The mesh-wide `*.local` DestinationRule: ISTIO_MUTUAL, or DISABLE when the mesh is plaintext. */
export function renderMeshClientTls(model: MeshModel): IstioManifest {
  return {
    apiVersion: istioApiVersion('DestinationRule', model.spec.istioVersion),
    kind: 'DestinationRule',
    metadata: { name: LegacyNames.meshMtlsDestinationRule, namespace: model.spec.rootNamespace },
    spec: { host: '*.local', trafficPolicy: { tls: { mode: clientTls(model.spec.mtls) } } },
  };
}

/**
 * The namespace's client DestinationRule (`*.<namespace>.svc.<domain>`), written when the namespace
 * sets its own mode: what clients originate towards it, stated rather than inherited.
 */
export function renderNamespaceClientTls(model: MeshModel, namespace: string): IstioManifest | undefined {
  const mode = model.namespace(namespace)?.mtls;
  if (!mode) return undefined;
  return {
    apiVersion: istioApiVersion('DestinationRule', model.spec.istioVersion),
    kind: 'DestinationRule',
    metadata: { name: LegacyNames.namespaceClientTls, namespace },
    spec: { host: `*.${namespace}.svc.${model.spec.clusterDomain}`, trafficPolicy: { tls: { mode: clientTls(mode) } } },
  };
}

/**
 * The service's own client DestinationRule, written when the service or one of its ports sets its
 * own mode (a service without a sidecar gets the v1 renderer's plaintext DestinationRule instead).
 */
export function renderServiceClientTls(model: MeshModel, service: ServiceSpec): IstioManifest | undefined {
  if (!service.inMesh || !(service.mtls || service.ports.some((p) => p.mtls))) return undefined;
  const base = clientTls(serviceMtls(model, service));
  const portLevel = [...service.ports].sort((a, b) => a.port - b.port)
    .filter((p) => p.mtls !== undefined && clientTls(p.mtls) !== base)
    .map((p) => ({ port: { number: p.port }, tls: { mode: clientTls(p.mtls!) } }));
  return {
    apiVersion: istioApiVersion('DestinationRule', model.spec.istioVersion),
    kind: 'DestinationRule',
    metadata: { name: LegacyNames.clientTlsDestinationRule(service.name), namespace: service.namespace },
    spec: {
      host: `${service.name}.${service.namespace}.svc.${model.spec.clusterDomain}`,
      trafficPolicy: { tls: { mode: base }, ...(portLevel.length > 0 ? { portLevelSettings: portLevel } : {}) },
    },
  };
}

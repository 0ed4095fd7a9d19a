import { ApiObject, Chart } from 'cdk8s';
import { ensureIstioApiObject } from './istio-api-object';
import { IstioManifest, IstioMetadata } from '../../render/istio/manifest';
import type { Mesh } from '../mesh';

/** The chart an object of `namespace` goes into: the root chart, or the declared namespace's. */
export function chartFor(mesh: Mesh, namespace: string): Chart {
  return namespace === mesh.rootNamespace ? mesh.rootChart : mesh.namespace(namespace);
}

/**
 * Creates an edge object (egress, exceptions, telemetry) in its namespace's chart, filled lazily
 * from the mesh's model by `render`. Returns the existing object when `id` is taken (idempotent
 * declarations).
 * @internal
 */
export function createEdgeObject(mesh: Mesh, metadata: IstioMetadata, id: string, kind: IstioManifest['kind'],
  render: () => IstioManifest | undefined): ApiObject {
  return ensureIstioApiObject(chartFor(mesh, metadata.namespace), id, { kind, istioVersion: mesh.istioVersion, metadata, render });
}

/** The model's manifest of a kind, name and namespace among `manifests`. */
export function pick(manifests: readonly IstioManifest[], kind: IstioManifest['kind'], metadata: IstioMetadata): IstioManifest | undefined {
  return manifests.find((m) => m.kind === kind && m.metadata.name === metadata.name && m.metadata.namespace === metadata.namespace);
}

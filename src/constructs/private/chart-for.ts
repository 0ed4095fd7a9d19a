import { Chart } from 'cdk8s';
import type { Mesh } from '../mesh';

/** The chart an object of `namespace` goes into: the root chart, or the declared namespace's. */
export function chartFor(mesh: Mesh, namespace: string): Chart {
  return namespace === mesh.rootNamespace ? mesh.rootChart : mesh.namespace(namespace);
}

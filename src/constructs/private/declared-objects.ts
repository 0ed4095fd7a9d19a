import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ensureIstioApiObject } from './istio-api-object';
import { MeshModel } from '../../model/mesh-model';
import { located } from '../../private/located';
import { DeclaredObject, IstioObjectSlot } from '../../render/istio/istio-objects';
import { IstioManifest } from '../../render/istio/manifest';
import { slotsForTarget } from '../../render/istio-legacy/legacy-objects';
import type { Mesh } from '../mesh';

/**
 * @internal A construct whose declarations call for Istio objects ({@link ISTIO_OBJECTS}): after
 * each of its verbs it creates those that do not exist yet.
 */
export interface IstioObjectOwner extends IConstruct {
  /** @internal creates every object the owner's declarations call for that does not exist yet. */
  _ensureObjects(): void;
}

/**
 * @internal Runs a declaring verb of `owner`: errors name the owner's construct path; afterwards
 * every object the owner's declarations now call for exists (created eagerly, filled at synth).
 * A legacy target (before Istio 1.5) gets the legacy counterpart of `slots` (`render/istio-legacy`).
 */
export function declaring<T>(owner: IstioObjectOwner, verb: () => T): T {
  const result = located(owner, verb);
  owner._ensureObjects();
  return result;
}

/**
 * @internal Creates, under `host`, each object of `slots` the subject calls for, unless it
 * exists. At synth each is filled by its slot's renderer from the mesh's model, for the subject as
 * the model then has it (`resolve`: later declarations may have added to it).
 */
export function ensureDeclaredObjects<S>(mesh: Mesh, slots: readonly IstioObjectSlot<S>[], subject: S,
  resolve: (model: MeshModel) => S | undefined, host: (declared: DeclaredObject) => Construct): void {
  for (const slot of slotsForTarget(mesh.istioVersion, slots, mesh.legacyAuthorization)) {
    for (const declared of slot.declare(subject, mesh)) {
      const scope = host(declared);
      // Asked after every declaration: an object that exists already needs nothing built for it.
      if (scope.node.tryFindChild(declared.id) instanceof ApiObject) continue;
      const { name, namespace, annotations } = declared;
      ensureIstioApiObject(scope, declared.id, {
        kind: slot.kind,
        istioVersion: mesh.istioVersion,
        metadata: annotations ? { name, namespace, annotations } : { name, namespace },
        render: renderer(mesh, slot, resolve, name, namespace),
      });
    }
  }
}

/**
 * The render function of one declared object. Made here, apart from the loops above, so that it
 * keeps only what it reads: a closure keeps its whole scope chain alive, and a mesh holds one per
 * object (14,000 at the largest benchmark size).
 */
function renderer<S>(mesh: Mesh, slot: IstioObjectSlot<S>, resolve: (model: MeshModel) => S | undefined,
  name: string, namespace: string): () => IstioManifest | undefined {
  return () => {
    const model = mesh.model;
    const current = resolve(model);
    return current && slot.render(model, current).find((m) => m.metadata.name === name && m.metadata.namespace === namespace);
  };
}

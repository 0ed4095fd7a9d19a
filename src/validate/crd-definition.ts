/**
 * The data kept about one CustomResourceDefinition: what the validator needs, nothing else.
 *
 * This is also the shape of each entry of the committed `src/schemas/istio-crds.generated.json`.
 *
 * @module
 */
import type { JsonObject } from './json';

/** Scope of a custom resource. */
export type CrdScope = 'Namespaced' | 'Cluster';

/**
 * One CRD, reduced to its identity and its validation schema(s).
 *
 * Schemas are the CRD's `openAPIV3Schema` with `description` texts removed (they are not used for
 * validation and are most of the file). When every served version has the same schema (Istio's
 * rule: "the schema of all versions of an API must be strictly identical") it is stored once as
 * `schema`; otherwise `schemas` maps each served version to its schema.
 */
export interface CrdDefinition {
  /** API group, e.g. `security.istio.io`. */
  readonly group: string;
  /** Kind, e.g. `AuthorizationPolicy`. */
  readonly kind: string;
  /** Plural resource name, e.g. `authorizationpolicies`. */
  readonly plural: string;
  /** Whether objects of this kind live in a namespace. */
  readonly scope: CrdScope;
  /** Served versions, sorted, e.g. `['v1', 'v1beta1']`. Versions that are not served are left out. */
  readonly versions: readonly string[];
  /** The storage version, e.g. `v1`. */
  readonly storageVersion: string;
  /** The schema shared by all served versions. */
  readonly schema?: JsonObject;
  /** Per-version schemas, only when the served versions' schemas differ. */
  readonly schemas?: { readonly [version: string]: JsonObject };
}

/** Provenance of a schema set. */
export interface CrdSchemaSource {
  /** File name (no directories) the CRDs were read from. */
  readonly file: string;
  /** License and origin of the CRD file, e.g. `Apache-2.0, istio/istio`. */
  readonly license?: string;
  /** What was done to the file's content. */
  readonly note?: string;
}

/** The serialized form of a schema set (the committed JSON file). */
export interface CrdSchemaDocument {
  readonly _source: CrdSchemaSource;
  readonly crds: readonly CrdDefinition[];
}

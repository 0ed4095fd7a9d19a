/**
 * A set of CRD schemas to validate custom resources against: the bundled Istio 1.30.3 set, or one
 * read at run time from a CRD file (`trustmesh analyze --crds FILE`).
 *
 * @module
 */
import { TrustmeshError } from '../errors';
import type { CrdDefinition, CrdSchemaDocument, CrdSchemaSource } from './crd-definition';
import { crdDocumentJson, extractCrdDocument } from './crd-document';
import { isJsonObject, type JsonObject } from './json';
import { readTextFile } from '../private/fs-read';
import { isRecord } from '../private/records';
import bundledDocument from '../schemas/istio-crds.generated.json';
import legacyDocument from '../schemas/istio-legacy-crds.generated.json';

/** The outcome of looking up an `apiVersion` and `kind` in a {@link CrdSchemaSet}. */
export type CrdLookup =
  | {
    readonly found: true;
    readonly crd: CrdDefinition;
    /** The version part of the apiVersion, e.g. `v1`. */
    readonly version: string;
    /** The `openAPIV3Schema` of that version (without descriptions). */
    readonly schema: JsonObject;
  }
  | {
    readonly found: false;
    /**
     * `unknown-group`: no CRD of this group is in the set (the kind is not ours to judge).
     * `unknown-kind`: the group is known, the kind is not. `unknown-version`: the kind is known but
     * this version is not served.
     */
    readonly reason: 'unknown-group' | 'unknown-kind' | 'unknown-version';
    /** What would have been accepted: served versions of the kind, or kinds of the group. */
    readonly known: readonly string[];
  };

/** Options of {@link CrdSchemaSet.fromCrdYaml}. */
export interface CrdYamlOptions {
  /**
   * License and origin of the file, recorded in {@link CrdSchemaSet.source}.
   * @default - none recorded
   */
  readonly license?: string;
}

/** Options of {@link CrdSchemaSet.fromFile}. */
export interface CrdFileOptions extends CrdYamlOptions {
  /**
   * Summary of the `TM_FILE_NOT_FOUND` error when the file cannot be read, in the caller's terms.
   * @default 'cannot read the CRD file'
   */
  readonly summary?: string;
  /**
   * Fix of that error.
   * @default - none
   */
  readonly fix?: string;
}

/**
 * CRD schemas indexed by group and kind.
 *
 * Instances are immutable. Validators compiled from a set are cached per set, so reuse one set for
 * many validations (the bundled set is a single shared instance).
 *
 * @example
 * const crds = CrdSchemaSet.fromCrdYaml(fs.readFileSync(file, 'utf8'), file);
 * const diagnostics = validateManifests(objects, { crds });
 */
export class CrdSchemaSet {
  /**
   * Reads CRDs from YAML (several documents, or a `kind: List`).
   *
   * @param text the YAML
   * @param fileName the file name as the user gave it; used in error locations
   * @throws TrustmeshError `TM_CRD_YAML_INVALID` (bad YAML) or `TM_CRD_INVALID` (a document that is
   *   not a usable CustomResourceDefinition), located at `file:line:column`
   */
  public static fromCrdYaml(text: string, fileName: string, options: CrdYamlOptions = {}): CrdSchemaSet {
    const document = extractCrdDocument(text, fileName, options.license);
    return new CrdSchemaSet(document.crds, document._source);
  }

  /**
   * Reads CRDs from a YAML file, e.g. the `crd-all.gen.yaml` of an Istio release.
   *
   * @param file the file path as the user gave it; used in error locations
   * @throws TrustmeshError `TM_FILE_NOT_FOUND` if the file cannot be read, else as
   *   {@link CrdSchemaSet.fromCrdYaml}
   * @example
   * const crds = CrdSchemaSet.fromFile('crds/istio-1.30.yaml');
   */
  public static fromFile(file: string, options: CrdFileOptions = {}): CrdSchemaSet {
    const text = readTextFile(file, options.summary ?? 'cannot read the CRD file', options.fix);
    return CrdSchemaSet.fromCrdYaml(text, file, options);
  }

  /**
   * Rebuilds a set from its serialized form ({@link CrdSchemaSet.toDocument}).
   *
   * @throws TrustmeshError `TM_CRD_INVALID` if the document does not have that shape
   */
  public static fromDocument(document: unknown): CrdSchemaSet {
    if (!isRecord(document) || !isRecord(document._source) || typeof document._source.file !== 'string' || !Array.isArray(document.crds)) {
      throw new TrustmeshError('TM_CRD_INVALID', 'not a trustmesh CRD schema document', {
        allowed: '{ "_source": { "file": … }, "crds": [ … ] } as written by projenrc/extract-crd-schemas.ts',
      });
    }
    const crds = document.crds.map((c: unknown, i: number) => {
      if (!isRecord(c) || typeof c.group !== 'string' || typeof c.kind !== 'string' || !Array.isArray(c.versions) ||
        (!isJsonObject(c.schema) && !isRecord(c.schemas))) {
        throw new TrustmeshError('TM_CRD_INVALID', `entry ${i} of the CRD schema document is malformed`, { value: c });
      }
      return c as unknown as CrdDefinition;
    });
    const src = document._source;
    return new CrdSchemaSet(crds, {
      file: src.file as string,
      license: typeof src.license === 'string' ? src.license : undefined,
      note: typeof src.note === 'string' ? src.note : undefined,
    });
  }

  /**
   * The Istio 1.30.3 CRD schemas shipped with trustmesh (`src/schemas/istio-crds.generated.json`,
   * regenerated by `npx projen import`). Always the same instance, so compiled validators are reused.
   */
  public static bundled(): CrdSchemaSet {
    if (!CrdSchemaSet.bundledSet) CrdSchemaSet.bundledSet = CrdSchemaSet.fromDocument(bundledDocument as unknown).asTrusted();
    return CrdSchemaSet.bundledSet;
  }

  /**
   * The schemas of the legacy target's kinds (Istio 1.0–1.4), from Istio 1.5.10's CRDs
   * (`src/schemas/istio-legacy-crds.generated.json`): `authentication.istio.io` and `rbac.istio.io`
   * v1alpha1, and networking at v1alpha3 as 1.5 served it.
   */
  public static bundledLegacy(): CrdSchemaSet {
    if (!CrdSchemaSet.legacySet) CrdSchemaSet.legacySet = CrdSchemaSet.fromDocument(legacyDocument as unknown).asTrusted();
    return CrdSchemaSet.legacySet;
  }

  /**
   * What synth validates against: the bundled Istio 1.30.3 schemas plus the legacy
   * `authentication.istio.io` and `rbac.istio.io` kinds (which 1.30 no longer has).
   */
  public static bundledWithLegacy(): CrdSchemaSet {
    if (!CrdSchemaSet.synthSet) {
      const bundled = CrdSchemaSet.bundled();
      const legacyOnly = CrdSchemaSet.bundledLegacy().definitions.filter((d) => !bundled.hasGroup(d.group));
      CrdSchemaSet.synthSet = new CrdSchemaSet([...bundled.definitions, ...legacyOnly]
        .sort((a, b) => (a.group === b.group ? (a.kind < b.kind ? -1 : 1) : a.group < b.group ? -1 : 1)), bundled.source).asTrusted();
    }
    return CrdSchemaSet.synthSet;
  }

  private static bundledSet: CrdSchemaSet | undefined;
  private static legacySet: CrdSchemaSet | undefined;
  private static synthSet: CrdSchemaSet | undefined;

  /** Where the schemas came from. */
  public readonly source: CrdSchemaSource;
  /** All CRDs, sorted by group, then kind. */
  public readonly definitions: readonly CrdDefinition[];
  private readonly byGroup = new Map<string, Map<string, CrdDefinition>>();
  private _trusted = false;

  private constructor(definitions: readonly CrdDefinition[], source: CrdSchemaSource) {
    this.definitions = definitions;
    this.source = source;
    for (const crd of definitions) {
      let kinds = this.byGroup.get(crd.group);
      if (!kinds) this.byGroup.set(crd.group, (kinds = new Map()));
      kinds.set(crd.kind, crd);
    }
  }

  /**
   * Whether the schemas are the bundled ones (checked against the JSON Schema meta-schema by the
   * tests, so compiling them skips that check).
   * @internal
   */
  public get trusted(): boolean {
    return this._trusted;
  }

  /** True if any CRD of this API group is in the set (e.g. `security.istio.io`). */
  public hasGroup(group: string): boolean {
    return this.byGroup.has(group);
  }

  /**
   * Finds the schema for an object's `apiVersion` (`group/version`) and `kind`.
   *
   * @example
   * const hit = crds.lookup('security.istio.io/v1', 'AuthorizationPolicy');
   * if (hit.found) console.log(hit.crd.storageVersion);
   */
  public lookup(apiVersion: string, kind: string): CrdLookup {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const kinds = this.byGroup.get(group);
    if (!kinds) return { found: false, reason: 'unknown-group', known: [] };
    const crd = kinds.get(kind);
    if (!crd) return { found: false, reason: 'unknown-kind', known: [...kinds.keys()].sort() };
    if (!crd.versions.includes(version)) return { found: false, reason: 'unknown-version', known: crd.versions };
    return { found: true, crd, version, schema: schemaOf(crd, version) };
  }

  private asTrusted(): this {
    this._trusted = true;
    return this;
  }

  /** The serialized form, as committed in `src/schemas/istio-crds.generated.json`. */
  public toDocument(): CrdSchemaDocument {
    return { _source: this.source, crds: this.definitions };
  }

  /** {@link CrdSchemaSet.toDocument} as canonical JSON (sorted keys, two-space indent, final newline). */
  public toJson(): string {
    return crdDocumentJson(this.toDocument());
  }
}

function schemaOf(crd: CrdDefinition, version: string): JsonObject {
  const schema = crd.schema ?? crd.schemas?.[version];
  // fromDocument and parseCrdYaml guarantee one of them; a gap here is a bug, not a user error.
  if (!schema) throw new TypeError(`no schema for ${crd.kind}.${crd.group}/${version}`);
  return schema;
}

/**
 * The one CRD parser: multi-document CRD YAML (or a `kind: List` of CRDs, as `kubectl get crd -o
 * yaml` prints) to {@link CrdDefinition}s. Used by the `import` task (`projenrc/extract-crd-schemas.ts`)
 * to produce the bundled schemas and at run time for a CRD file the user passes.
 *
 * @module
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import { TrustmeshError, type SourceLocation } from '../errors';
import type { CrdDefinition, CrdScope } from './crd-definition';
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from './json';
import { isRecord } from '../private/records';

const CRD_API_VERSIONS = ['apiextensions.k8s.io/v1', 'apiextensions.k8s.io/v1beta1'];

/** Schema used for a v1beta1 CRD version that declares no schema: anything goes, as on the API server. */
const NO_SCHEMA: JsonObject = { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true };

/**
 * Parses CRD YAML into definitions sorted by group, then kind.
 *
 * @param text the file's content
 * @param fileName the file name as the user gave it, for error locations
 * @throws TrustmeshError `TM_CRD_YAML_INVALID` for YAML syntax errors, `TM_CRD_INVALID` for a
 *   document that is not a CustomResourceDefinition or lacks group, names, versions or schema, or a CRD
 *   defined twice. The location is `fileName:line:column`.
 */
export function parseCrdYaml(text: string, fileName: string): CrdDefinition[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const found = new Map<string, CrdDefinition>();
  docs.forEach((doc, index) => {
    const docLocation = locate(fileName, lineCounter, doc.contents?.range[0] ?? doc.range[0]);
    const syntaxError = doc.errors[0];
    if (syntaxError) {
      const pos = syntaxError.linePos?.[0];
      throw new TrustmeshError('TM_CRD_YAML_INVALID', `${fileName} is not valid YAML: ${syntaxError.message.split('\n')[0]}`, {
        location: { file: fileName, line: pos?.line, column: pos?.col },
        fix: 'Pass the CRD file as printed by `kubectl get crd -o yaml` or shipped in the Istio release (manifests/charts/base/files/crd-all.gen.yaml).',
      });
    }
    const json: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (json === null || json === undefined) return; // an empty document, e.g. after a trailing `---`
    const items = isRecord(json) && json.kind === 'List' && Array.isArray(json.items) ? json.items : [json];
    items.forEach((item: unknown, itemIndex: number) => {
      const where = items.length > 1 || item !== json ? `document ${index + 1}, item ${itemIndex}` : `document ${index + 1}`;
      const definition = toDefinition(item, where, docLocation);
      const key = `${definition.kind}.${definition.group}`;
      if (found.has(key)) {
        throw new TrustmeshError('TM_CRD_INVALID', `${where} defines ${key} a second time`, {
          location: docLocation,
          fix: 'Pass each CustomResourceDefinition once.',
        });
      }
      found.set(key, definition);
    });
  });
  return [...found.values()].sort((a, b) => compare(a.group, b.group) || compare(a.kind, b.kind));
}

/**
 * A schema without `description` texts (schema-aware: a property that happens to be called
 * `description` is kept).
 */
function stripDescriptions(schema: JsonObject): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description') continue;
    if ((key === 'properties' || key === 'patternProperties' || key === 'definitions') && isJsonObject(value)) {
      const props: Record<string, JsonValue> = {};
      for (const [name, sub] of Object.entries(value)) props[name] = isJsonObject(sub) ? stripDescriptions(sub) : sub;
      out[key] = props;
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = value.map((sub: JsonValue) => (isJsonObject(sub) ? stripDescriptions(sub) : sub));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isJsonObject(value)) {
      out[key] = stripDescriptions(value);
    } else if (key === 'items' && Array.isArray(value)) {
      out[key] = value.map((sub: JsonValue) => (isJsonObject(sub) ? stripDescriptions(sub) : sub));
    } else {
      out[key] = value;
    }
  }
  return out;
}

function toDefinition(doc: unknown, where: string, location: SourceLocation): CrdDefinition {
  const fail = (summary: string, value?: unknown): never => {
    throw new TrustmeshError('TM_CRD_INVALID', `${where} ${summary}`, {
      location,
      value,
      allowed: 'apiextensions.k8s.io/v1 CustomResourceDefinition documents (v1beta1 is accepted too)',
      fix: 'Pass a file that contains only CustomResourceDefinitions, e.g. `kubectl get crd -o yaml > crds.yaml`.',
    });
  };
  if (!isRecord(doc)) return fail('is not a mapping', doc);
  if (doc.kind !== 'CustomResourceDefinition' || typeof doc.apiVersion !== 'string' || !CRD_API_VERSIONS.includes(doc.apiVersion)) {
    return fail(`is not a CustomResourceDefinition (apiVersion ${JSON.stringify(doc.apiVersion)}, kind ${JSON.stringify(doc.kind)})`);
  }
  const spec = doc.spec;
  if (!isRecord(spec)) return fail('has no spec');
  const names = spec.names;
  if (typeof spec.group !== 'string' || spec.group === '') return fail('has no spec.group', spec.group);
  if (!isRecord(names) || typeof names.kind !== 'string' || typeof names.plural !== 'string') {
    return fail('has no spec.names.kind or spec.names.plural', names);
  }
  const scope: CrdScope = spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced';
  const label = `(${names.plural}.${spec.group})`;

  // v1beta1 CRDs may carry one schema for all versions in spec.validation, and a single spec.version.
  const sharedSchema = isRecord(spec.validation) && isJsonObject(spec.validation.openAPIV3Schema) ? spec.validation.openAPIV3Schema : undefined;
  const rawVersions: unknown[] = Array.isArray(spec.versions)
    ? spec.versions
    : typeof spec.version === 'string' ? [{ name: spec.version, served: true, storage: true }] : [];
  const served: { name: string; schema: JsonObject }[] = [];
  let storageVersion: string | undefined;
  for (const v of rawVersions) {
    if (!isRecord(v) || typeof v.name !== 'string') return fail(`${label} has a version without a name`, v);
    if (v.storage === true) storageVersion = v.name;
    if (v.served !== true) continue;
    const ownSchema = isRecord(v.schema) && isJsonObject(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
    const schema = ownSchema ?? sharedSchema ?? (doc.apiVersion === 'apiextensions.k8s.io/v1beta1' ? NO_SCHEMA : undefined);
    if (!schema) return fail(`${label} version ${v.name} has no schema.openAPIV3Schema`);
    served.push({ name: v.name, schema: stripDescriptions(schema) });
  }
  if (served.length === 0) return fail(`${label} serves no version`, rawVersions);
  served.sort((a, b) => compare(a.name, b.name));

  const texts = served.map((v) => canonicalJson(v.schema));
  const identical = texts.every((t) => t === texts[0]);
  const base = {
    group: spec.group,
    kind: names.kind,
    plural: names.plural,
    scope,
    versions: served.map((v) => v.name),
    storageVersion: storageVersion ?? served[0].name,
  };
  if (identical) return { ...base, schema: served[0].schema };
  const schemas: Record<string, JsonObject> = {};
  for (const v of served) schemas[v.name] = v.schema;
  return { ...base, schemas };
}

function locate(file: string, lineCounter: LineCounter, offset: number): SourceLocation {
  const pos = lineCounter.linePos(offset);
  return { file, line: pos.line, column: pos.col };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

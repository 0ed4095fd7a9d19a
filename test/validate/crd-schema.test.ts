import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CRD_FILE, crdsFromFile } from './helpers';
import { crdDocumentJson, extractCrdDocument } from '../../src/validate/crd-document';
import { CrdSchemaSet } from '../../src/validate/crd-schema';
import { createSchemaAjv } from '../../src/validate/schema-ajv';
import { toAjvSchema } from '../../src/validate/structural-schema';
import { catchTrustmesh, crdYaml } from '../helpers';

const GENERATED = path.resolve(__dirname, '../../src/schemas/istio-crds.generated.json');

const MINIMAL_CRD = crdYaml('Widget', `type: object
description: dropped
properties:
  spec:
    type: object
    properties:
      description: {type: string, description: also dropped}
`, { name: 'widgets.example.com' });

describe('committed schemas', () => {
  it('src/schemas/istio-crds.generated.json is exactly what extracting the 1.30.3 CRD file produces', () => {
    const expected = crdDocumentJson(extractCrdDocument(fs.readFileSync(CRD_FILE, 'utf8'), CRD_FILE, 'Apache-2.0, istio/istio'));
    // If this fails, run `npx projen import` and commit the result.
    expect(fs.readFileSync(GENERATED, 'utf8')).toBe(expected);
  });

  it('bundled schemas are valid against the JSON Schema meta-schema (synth compiles them without that check)', () => {
    const sets = [CrdSchemaSet.bundled(), CrdSchemaSet.bundledLegacy(), CrdSchemaSet.bundledWithLegacy()];
    expect(sets.map((s) => s.trusted)).toEqual([true, true, true]);
    const ajv = createSchemaAjv();
    let checked = 0;
    for (const set of sets) {
      for (const crd of set.definitions) {
        for (const version of crd.versions) {
          const hit = set.lookup(`${crd.group}/${version}`, crd.kind);
          if (!hit.found) continue;
          const valid = ajv.validateSchema(toAjvSchema(hit.schema).schema);
          expect({ kind: `${crd.group}/${version} ${crd.kind}`, valid, errors: ajv.errors ?? null }).toEqual({ kind: `${crd.group}/${version} ${crd.kind}`, valid: true, errors: null });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('a CRD file read from disk is not trusted: its schemas are checked against the meta-schema', () => {
    expect(CrdSchemaSet.fromCrdYaml(MINIMAL_CRD, 'widgets.yaml').trusted).toBe(false);
  });

  it('records where the schemas came from', () => {
    expect(CrdSchemaSet.bundled().source).toMatchObject({ file: 'crd-all-1.30.3.gen.yaml', license: 'Apache-2.0, istio/istio' });
  });

  it('holds every CRD of the file, one schema each (all served versions are identical in 1.30.3)', () => {
    const kinds = parseAllDocuments(fs.readFileSync(CRD_FILE, 'utf8')).map((d) => d.toJS()?.spec?.names?.kind).filter(Boolean).sort();
    const bundled = CrdSchemaSet.bundled();
    expect(bundled.definitions.map((c) => c.kind).sort()).toEqual(kinds);
    expect(kinds).toHaveLength(15);
    for (const crd of bundled.definitions) {
      expect(crd.schema, crd.kind).toBeDefined();
      expect(crd.schemas, crd.kind).toBeUndefined();
    }
  });

  it('keeps served versions and the storage version', () => {
    const ap = CrdSchemaSet.bundled().definitions.find((c) => c.kind === 'AuthorizationPolicy');
    expect(ap).toMatchObject({ group: 'security.istio.io', plural: 'authorizationpolicies', scope: 'Namespaced', versions: ['v1', 'v1beta1'], storageVersion: 'v1' });
    const telemetry = CrdSchemaSet.bundled().definitions.find((c) => c.kind === 'Telemetry');
    expect(telemetry).toMatchObject({ versions: ['v1', 'v1alpha1'], storageVersion: 'v1alpha1' });
  });

  it('is deterministic: serializing twice gives the same bytes, and fromDocument round-trips', () => {
    const bundled = CrdSchemaSet.bundled();
    expect(bundled.toJson()).toBe(bundled.toJson());
    expect(CrdSchemaSet.fromDocument(JSON.parse(bundled.toJson())).toJson()).toBe(bundled.toJson());
    expect(crdsFromFile().definitions).toEqual(bundled.definitions);
  });

  it('bundled() is one shared instance, so compiled validators are reused', () => {
    expect(CrdSchemaSet.bundled()).toBe(CrdSchemaSet.bundled());
  });
});

describe('CrdSchemaSet.fromCrdYaml', () => {
  it('strips schema descriptions but keeps a property called description', () => {
    const crd = CrdSchemaSet.fromCrdYaml(MINIMAL_CRD, 'w.yaml').definitions[0];
    expect(JSON.stringify(crd.schema)).not.toContain('dropped');
    expect(crd.schema).toMatchObject({ properties: { spec: { properties: { description: { type: 'string' } } } } });
  });

  it('reports bad YAML with the file, line and column', () => {
    const e = catchTrustmesh(() => CrdSchemaSet.fromCrdYaml(`${MINIMAL_CRD}---\nkind: [unclosed\n`, 'crds/bad.yaml'));
    expect(e.code).toBe('TM_CRD_YAML_INVALID');
    expect(e.location).toMatchObject({ file: 'crds/bad.yaml' });
    expect(e.location?.line).toBeGreaterThanOrEqual(23);
    expect(e.message).toMatch(/crds\/bad\.yaml:\d+:\d+/);
  });

  it('reports a document that is not a CRD with its line', () => {
    const text = `${MINIMAL_CRD}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: oops}\n`;
    const e = catchTrustmesh(() => CrdSchemaSet.fromCrdYaml(text, 'mixed.yaml'));
    expect(e.code).toBe('TM_CRD_INVALID');
    expect(e.message).toMatch(/document 2 is not a CustomResourceDefinition/);
    // MINIMAL_CRD is 21 lines, then `---` on line 22: the ConfigMap starts on line 23.
    expect(e.location).toMatchObject({ file: 'mixed.yaml', line: 23, column: 1 });
  });

  it('rejects a CRD without a schema and a CRD given twice', () => {
    const noSchema = MINIMAL_CRD.replace(/    schema:[\s\S]*$/, '');
    expect(catchTrustmesh(() => CrdSchemaSet.fromCrdYaml(noSchema, 'n.yaml')).message).toMatch(/version v1 has no schema\.openAPIV3Schema/);
    const twice = catchTrustmesh(() => CrdSchemaSet.fromCrdYaml(`${MINIMAL_CRD}---\n${MINIMAL_CRD}`, 't.yaml'));
    expect(twice.code).toBe('TM_CRD_INVALID');
    expect(twice.message).toMatch(/defines Widget\.example\.com a second time/);
  });

  it('reads the List that `kubectl get crd -o yaml` prints, and skips empty documents', () => {
    const body = MINIMAL_CRD.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n').replace(/^ {2}apiVersion/, '- apiVersion');
    const set = CrdSchemaSet.fromCrdYaml(`---\napiVersion: v1\nkind: List\nitems:\n${body}\n---\n`, 'list.yaml');
    expect(set.definitions.map((c) => c.kind)).toEqual(['Widget']);
  });

  it('keeps per-version schemas when versions differ, and leaves out versions that are not served', () => {
    const text = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets}
  scope: Cluster
  versions:
  - {name: v2, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object}}}}}
  - {name: v1, served: true, storage: false, schema: {openAPIV3Schema: {type: object}}}
  - {name: v0, served: false, storage: false, schema: {openAPIV3Schema: {type: object}}}
`;
    const crd = CrdSchemaSet.fromCrdYaml(text, 'g.yaml').definitions[0];
    expect(crd).toMatchObject({ scope: 'Cluster', versions: ['v1', 'v2'], storageVersion: 'v2' });
    expect(crd.schema).toBeUndefined();
    expect(Object.keys(crd.schemas ?? {})).toEqual(['v1', 'v2']);
  });

  it('accepts apiextensions.k8s.io/v1beta1 CRDs with a shared spec.validation schema', () => {
    const text = `apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
spec:
  group: legacy.example.com
  version: v1alpha1
  names: {kind: Old, plural: olds}
  validation:
    openAPIV3Schema: {type: object, properties: {spec: {type: object}}}
`;
    const set = CrdSchemaSet.fromCrdYaml(text, 'old.yaml');
    const hit = set.lookup('legacy.example.com/v1alpha1', 'Old');
    expect(hit.found && hit.schema).toMatchObject({ properties: { spec: { type: 'object' } } });
  });
});

describe('CrdSchemaSet.fromFile', () => {
  it('reads the same set as fromCrdYaml on the file\'s text', () => {
    expect(CrdSchemaSet.fromFile(CRD_FILE).toJson()).toBe(crdsFromFile().toJson());
  });

  it('reports an unreadable file as TM_FILE_NOT_FOUND with the caller\'s summary and fix', () => {
    const missing = path.join(__dirname, 'no-such-crds.yaml');
    const plain = catchTrustmesh(() => CrdSchemaSet.fromFile(missing));
    expect(plain.code).toBe('TM_FILE_NOT_FOUND');
    expect(plain.summary).toBe('cannot read the CRD file');
    expect(plain.location).toEqual({ file: missing });
    expect(plain.fix).toBeUndefined();
    const custom = catchTrustmesh(() => CrdSchemaSet.fromFile(missing, { summary: 'cannot read --crds', fix: 'Pass a file.' }));
    expect(custom.message).toMatch(/^TM_FILE_NOT_FOUND: cannot read --crds at .*no-such-crds\.yaml\n {2}fix: Pass a file\.$/);
  });
});

describe('CrdSchemaSet.lookup', () => {
  const crds = CrdSchemaSet.bundled();

  it('finds a served version', () => {
    const hit = crds.lookup('security.istio.io/v1beta1', 'PeerAuthentication');
    expect(hit.found).toBe(true);
    expect(hit.found && hit.version).toBe('v1beta1');
  });

  it('tells an unserved version, an unknown kind of a known group, and an unknown group apart', () => {
    expect(crds.lookup('security.istio.io/v1alpha9', 'PeerAuthentication')).toEqual({ found: false, reason: 'unknown-version', known: ['v1', 'v1beta1'] });
    expect(crds.lookup('security.istio.io/v1', 'AuthzPolicy')).toMatchObject({ found: false, reason: 'unknown-kind', known: ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'] });
    expect(crds.lookup('gateway.networking.k8s.io/v1', 'HTTPRoute')).toMatchObject({ found: false, reason: 'unknown-group' });
    expect(crds.hasGroup('networking.istio.io')).toBe(true);
    expect(crds.hasGroup('example.com')).toBe(false);
  });
});

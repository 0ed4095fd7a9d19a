import { describe, expect, it } from 'vitest';
import { check, istio, SCHEMA_SETS, summary } from './helpers';
import { compiledKind } from '../../src/validate/compiled-kind';
import { CrdSchemaSet } from '../../src/validate/crd-schema';
import { validateManifests } from '../../src/validate/manifest-validator';
import { toAjvSchema } from '../../src/validate/structural-schema';
import { crdYaml } from '../helpers';

const SCHEMA = 'TM_SCHEMA_INVALID';

function errors(object: object, crds?: CrdSchemaSet): string[] {
  return summary(check(object, crds, { webhook: false }).filter((d) => d.severity === 'error'));
}

describe.each(SCHEMA_SETS)('structural schema checks (%s schemas)', (_name, crds) => {
  it('rejects an unknown field and suggests the field that was meant', () => {
    const d = check(istio('AuthorizationPolicy', { rules: [{ form: [{ source: { principals: ['a'] } }] }] }), crds());
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: SCHEMA, severity: 'error', location: { field: 'spec.rules[0].form' } });
    expect(d[0].message).toMatch(/^AuthorizationPolicy ns\/x: spec\.rules\[0\]\.form: unknown field "form"; allowed: fields from, to, when$/);
    expect(d[0].fix).toMatch(/Did you mean "from"\?/);
  });

  it('rejects unknown top-level fields', () => {
    const object = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'x', namespace: 'ns' }, specs: {} };
    expect(errors(object, crds())).toEqual([
      expect.stringMatching(/^TM_SCHEMA_INVALID specs: .*unknown field "specs".*fields apiVersion, kind, metadata, spec, status$/),
    ]);
  });

  it('rejects a missing required field', () => {
    const wasm = { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'w', namespace: 'ns' } };
    expect(errors(wasm, crds())).toEqual([expect.stringMatching(/^TM_SCHEMA_INVALID spec: .*required field "spec" is missing$/)]);
    const gw = istio('Gateway', { servers: [{ hosts: ['a'] }] });
    expect(errors(gw, crds())).toEqual([expect.stringMatching(/^TM_SCHEMA_INVALID spec\.servers\[0\]\.port: .*required field "port" is missing$/)]);
  });

  it('rejects a value outside the enum and lists what is allowed', () => {
    expect(errors(istio('AuthorizationPolicy', { action: 'PERMIT' }), crds())).toEqual([
      expect.stringMatching(/^TM_SCHEMA_INVALID spec\.action: .*value is not one of the allowed values; received "PERMIT"; allowed: "ALLOW", "DENY", "AUDIT", "CUSTOM"$/),
    ]);
  });

  it('rejects ports given as numbers where strings are required', () => {
    expect(errors(istio('AuthorizationPolicy', { rules: [{ to: [{ operation: { ports: [8080, '9090'] } }] }] }), crds())).toEqual([
      expect.stringMatching(/^TM_SCHEMA_INVALID spec\.rules\[0\]\.to\[0\]\.operation\.ports\[0\]: .*must be a string; received 8080$/),
    ]);
  });

  it('checks integer formats and bounds (int32, uint32 maximum)', () => {
    const dr = istio('DestinationRule', { host: 'a', trafficPolicy: { connectionPool: { tcp: { maxConnections: 2 ** 31 } } } });
    expect(errors(dr, crds())).toEqual([expect.stringMatching(/connectionPool\.tcp\.maxConnections: .*must be a valid int32; received 2147483648/)]);
    const se = istio('ServiceEntry', { hosts: ['a.example.com'], ports: [{ number: 2 ** 32, name: 'p', protocol: 'TCP' }] });
    expect(errors(se, crds())).toEqual(expect.arrayContaining([expect.stringMatching(/spec\.ports\[0\]\.number: .*must be <= 4294967295/)]));
  });

  it('accepts null only where the schema is nullable', () => {
    const vs = istio('VirtualService', { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }], retries: { attempts: 2, retryIgnorePreviousHosts: null } }] });
    expect(errors(vs, crds())).toEqual([]);
    expect(errors(istio('AuthorizationPolicy', { action: null }), crds())).toEqual([expect.stringMatching(/spec\.action: .*must be a string; received null/)]);
  });

  it('accepts an integer or a string for x-kubernetes-int-or-string, nothing else', () => {
    const withStatus = (observedGeneration: unknown): object => ({ ...istio('VirtualService', { hosts: ['a'] }), status: { observedGeneration } });
    expect(errors(withStatus(3), crds())).toEqual([]);
    expect(errors(withStatus('3'), crds())).toEqual([]);
    expect(errors(withStatus(true), crds())).toEqual([expect.stringMatching(/status\.observedGeneration: .*must be an integer or a string; received true/)]);
  });

  it('keeps unknown fields where the schema preserves them', () => {
    const wasm = { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'w', namespace: 'ns' }, spec: { url: 'oci://x/y:1', pluginConfig: { anything: { goes: [1, 'two'] } } }, status: { free: 'form' } };
    expect(errors(wasm, crds())).toEqual([]);
  });

  it('says which of mutually exclusive fields are set', () => {
    const vs = istio('VirtualService', { hosts: ['a'], http: [{ match: [{ uri: { exact: '/a', prefix: '/b' } }], route: [{ destination: { host: 'a' } }] }] });
    expect(errors(vs, crds())).toEqual([expect.stringMatching(/spec\.http\[0\]\.match\[0\]\.uri: .*at most one of exact, prefix, regex may be set; received fields exact, prefix$/)]);
  });

  it('rejects entries of a list-type map with the same key', () => {
    const se = istio('ServiceEntry', { hosts: ['a.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 81, name: 'http', protocol: 'HTTP' }] });
    expect(errors(se, crds())).toEqual([expect.stringMatching(/^TM_SCHEMA_INVALID spec\.ports: .*duplicate entry: items 0 and 1 have the same name/)]);
  });
});

const ODD_CRD = crdYaml('Odd', `type: object
properties:
  spec:
    type: object
    properties:
      fancy: {type: string, format: something-kubernetes-does-not-know}
      caseless: {type: string, pattern: '(?i)^abc$'}
      positive: {type: number, minimum: 0, exclusiveMinimum: true}
      template: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}
      tags: {type: array, items: {type: string}, x-kubernetes-list-type: set}
      free: {type: object}
`);

describe('structural schema conversion', () => {
  it('compiles every kind of the 1.30.3 CRDs, with nothing left unchecked', () => {
    const set = CrdSchemaSet.bundled();
    const unchecked: string[] = [];
    for (const crd of set.definitions) {
      const hit = set.lookup(`${crd.group}/${crd.storageVersion}`, crd.kind);
      if (!hit.found) throw new Error(`${crd.kind} not found`);
      const compiled = compiledKind(set, hit.schema);
      expect(typeof compiled.validate, crd.kind).toBe('function');
      unchecked.push(...compiled.unchecked.map((u) => `${crd.kind} ${u}`));
    }
    expect(unchecked).toEqual([]);
  });


  const crds = CrdSchemaSet.fromCrdYaml(ODD_CRD, 'odd.yaml');
  const odd = (spec: object): object => ({ apiVersion: 'example.com/v1', kind: 'Odd', metadata: { name: 'o', namespace: 'ns' }, spec });

  it('ignores unknown formats and reports patterns JavaScript cannot compile instead of crashing', () => {
    const result = toAjvSchema(crds.definitions[0].schema!);
    expect(result.unchecked).toEqual([expect.stringMatching(/^\.spec\.caseless: pattern "\(\?i\)\^abc\$"/)]);
    expect(errors(odd({ fancy: 'whatever', caseless: 'ABC' }), crds)).toEqual([]);
  });

  it('turns the OpenAPI boolean exclusiveMinimum into a bound', () => {
    expect(errors(odd({ positive: 0 }), crds)).toEqual([expect.stringMatching(/spec\.positive: .*must be > 0/)]);
    expect(errors(odd({ positive: 0.1 }), crds)).toEqual([]);
  });

  it('makes set items unique and an object without properties accept no fields', () => {
    expect(errors(odd({ tags: ['a', 'a'] }), crds)).toEqual([expect.stringMatching(/spec\.tags: .*must NOT have duplicate items/)]);
    expect(errors(odd({ free: { x: 1 } }), crds)).toEqual([expect.stringMatching(/spec\.free\.x: .*unknown field "x"; allowed: no fields/)]);
  });

  it('allows apiVersion, kind and metadata in an embedded resource', () => {
    expect(errors(odd({ template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} } }), crds)).toEqual([]);
  });

  it('adds additionalProperties: false only to structural object nodes', () => {
    const { schema } = toAjvSchema({ type: 'object', properties: { spec: { type: 'object', anyOf: [{ required: ['a'] }], properties: { a: { type: 'string' } } } } });
    expect(schema).toMatchObject({ additionalProperties: false, properties: { spec: { additionalProperties: false, anyOf: [{ required: ['a'] }] } } });
    expect(JSON.stringify((schema.properties as Record<string, { anyOf: unknown[] }>).spec.anyOf)).not.toContain('additionalProperties');
  });

  it('validates many objects with one compiled validator per kind', () => {
    const objects = Array.from({ length: 50 }, (_, i) => odd({ tags: [`t${i}`] }));
    expect(validateManifests(objects, { crds })).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { istio, summary } from './helpers';
import { TrustmeshAggregateError, TrustmeshError, formatDiagnostic } from '../../src/errors';
import { CrdSchemaSet } from '../../src/validate/crd-schema';
import { assertValidManifests, crdManifestCheck, validateManifests } from '../../src/validate/manifest-validator';
import { crdYaml } from '../helpers';

const valid = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', labels: { 'istio-injection': 'enabled' } } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'ns' } },
  istio('PeerAuthentication', { mtls: { mode: 'STRICT' } }, undefined, 'default'),
  istio('AuthorizationPolicy', {}, undefined, 'allow-nothing'),
  istio('AuthorizationPolicy', { selector: { matchLabels: { app: 'web' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/ns/sa/api'] } }], to: [{ operation: { methods: ['GET'], ports: ['8080'] } }] }] }, undefined, 'web'),
  istio('RequestAuthentication', { jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks' }] }, undefined, 'jwt'),
];

describe('validateManifests', () => {
  it('returns nothing for valid manifests (and for none)', () => {
    expect(validateManifests(valid)).toEqual([]);
    expect(validateManifests([])).toEqual([]);
  });

  it('reports in manifest order and attaches the source location and field path', () => {
    const objects = [valid[0], istio('AuthorizationPolicy', { action: 'PERMIT' }, undefined, 'p'), istio('PeerAuthentication', { mtls: { mode: 'STRICTER' } }, undefined, 'q')];
    const d = validateManifests(objects, { sources: (i) => ({ file: 'dist/ns.yaml', line: 1 + i * 10, constructPath: `app/obj${i}` }) });
    expect(d.map((x) => [x.code, x.location])).toEqual([
      ['TM_SCHEMA_INVALID', { file: 'dist/ns.yaml', line: 11, constructPath: 'app/obj1', field: 'spec.action' }],
      ['TM_SCHEMA_INVALID', { file: 'dist/ns.yaml', line: 21, constructPath: 'app/obj2', field: 'spec.mtls.mode' }],
    ]);
    expect(formatDiagnostic(d[0])).toMatch(/^dist\/ns\.yaml:11 \[app\/obj1\] \(spec\.action\): error TM_SCHEMA_INVALID: AuthorizationPolicy ns\/p: spec\.action: .*"PERMIT"/);
  });

  it('rejects a version the CRDs do not serve, listing the served ones', () => {
    const d = validateManifests([istio('AuthorizationPolicy', {}, 'security.istio.io/v1alpha9')]);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: 'TM_UNKNOWN_API_VERSION', severity: 'error', location: { field: 'apiVersion' } });
    expect(d[0].message).toMatch(/received "security\.istio\.io\/v1alpha9"; allowed: security\.istio\.io\/v1, security\.istio\.io\/v1beta1/);
  });

  it('rejects a kind the group does not have, with a suggestion', () => {
    const d = validateManifests([istio('AuthorisationPolicy', {}, 'security.istio.io/v1')]);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: 'TM_UNKNOWN_API_VERSION', severity: 'error', fix: 'Did you mean AuthorizationPolicy?' });
    expect(d[0].message).toMatch(/security\.istio\.io has no kind AuthorisationPolicy/);
  });

  it('counts the objects of kinds it has no schema for in one summary, and validates built-in kinds', () => {
    const route = (name: string): object => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: 'ns' }, spec: {} });
    const objects = [
      route('a'), route('b'),
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'ns' }, spec: {} },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'app', image: 'x' }] } },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } },
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'istio-sidecar-injector' }, webhooks: [] },
    ];
    const d = validateManifests(objects);
    expect(d.map((x) => [x.code, x.severity, x.location])).toEqual([['TM_UNKNOWN_KIND', 'info', undefined]]);
    expect(d[0].message).toBe('3 objects of kinds with no schema not validated: gateway.networking.k8s.io/v1 Gateway (1), gateway.networking.k8s.io/v1 HTTPRoute (2)');
    expect(d[0].fix).toMatch(/add their CRDs to the CRD file/);
  });

  it('reports objects without apiVersion or kind, and values that are not objects', () => {
    const d = validateManifests([{ kind: 'AuthorizationPolicy', metadata: { name: 'x' } }, null as unknown as object]);
    expect(summary(d)).toEqual([
      expect.stringMatching(/^TM_SCHEMA_INVALID apiVersion: AuthorizationPolicy x: apiVersion: is missing/),
      expect.stringMatching(/^TM_SCHEMA_INVALID : manifest #1: manifest 1 is not an object/),
    ]);
  });

  it('uses the schema set it is given (a cluster without the security CRDs knows no AuthorizationPolicy)', () => {
    const crds = CrdSchemaSet.fromCrdYaml(crdYaml('Sidecar', 'type: object\nproperties: {spec: {type: object, x-kubernetes-preserve-unknown-fields: true}}', {
      group: 'networking.istio.io', version: 'v1beta1',
    }), 'old-cluster.yaml');
    const d = validateManifests([istio('AuthorizationPolicy', {}), istio('Sidecar', { anything: 1 }, 'networking.istio.io/v1')], { crds });
    expect(summary(d)).toEqual([
      expect.stringMatching(/^TM_UNKNOWN_API_VERSION apiVersion: .*Sidecar is not served at this version \(old-cluster\.yaml\).*allowed: networking\.istio\.io\/v1beta1/),
      expect.stringMatching(/^TM_UNKNOWN_KIND : 1 object of kinds with no schema not validated: security\.istio\.io\/v1 AuthorizationPolicy \(1\)/),
    ]);
  });
});

describe('crdManifestCheck', () => {
  it('is validateManifests against the given CRDs, with the analyzer\'s source locations', () => {
    const objects = [valid[0], istio('AuthorizationPolicy', { action: 'PERMIT' }, undefined, 'p')];
    const sources = (i: number): { file: string; line: number } => ({ file: 'in.yaml', line: 1 + i });
    const check = crdManifestCheck(CrdSchemaSet.bundled());
    expect(check(objects, { sources })).toEqual(validateManifests(objects, { crds: CrdSchemaSet.bundled(), sources }));
    expect(check(objects, { sources }).map((d) => d.location)).toEqual([{ file: 'in.yaml', line: 2, field: 'spec.action' }]);
  });
});

describe('assertValidManifests', () => {
  it('throws TM_INVALID_OUTPUT listing every error', () => {
    const objects = [...valid, istio('AuthorizationPolicy', { action: 'PERMIT', selector: { matchLabels: { app: 'a' } }, targetRefs: [{ kind: 'Service', name: 'a' }] }, undefined, 'bad')];
    let error: unknown;
    try {
      assertValidManifests(objects, { sources: () => ({ file: 'dist/x.yaml', line: 7 }) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrustmeshAggregateError);
    const agg = error as TrustmeshAggregateError;
    expect(TrustmeshError.isTrustmeshError(agg)).toBe(true);
    expect(agg.code).toBe('TM_INVALID_OUTPUT');
    expect(agg.errors.map((e) => e.code)).toEqual(['TM_SCHEMA_INVALID', 'TM_CEL_RULE_FAILED']);
    expect(agg.errors[0].location).toEqual({ file: 'dist/x.yaml', line: 7 });
    expect(agg.message).toMatch(/^TM_INVALID_OUTPUT: 2 manifest problems/);
    expect(agg.message).toMatch(/AuthorizationPolicy ns\/bad: spec: only one of targetRefs or selector can be set.* at dist\/x\.yaml:7/);
  });

  it('returns the warnings when there is no error', () => {
    const warnings = assertValidManifests([...valid, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'p', namespace: 'ns' } }]);
    expect(warnings.map((w) => w.code)).toEqual(['TM_UNKNOWN_KIND']);
  });
});

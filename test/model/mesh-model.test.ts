import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MeshModel } from '../../src/model/mesh-model';
import { MeshSpec, ServiceSpec } from '../../src/model/mesh-spec';
import { meshSpec } from '../helpers';

// Whole-graph checks of the plain model (specs may come from files, not only from the constructs).
function spec(overrides: Partial<MeshSpec>): MeshSpec {
  return meshSpec({
    namespaces: [{ name: 'a' }],
    services: [{
      namespace: 'a',
      name: 'api',
      serviceAccount: 'api',
      labels: { app: 'api' },
      inMesh: true,
      ports: [{ name: 'http-80', port: 80, targetPort: 8080, protocol: 'HTTP' }],
    }],
    ...overrides,
  });
}

describe('MeshModel diagnostics', () => {
  test('TM_CLAIMS_WITHOUT_ISSUER: an end-user requirement names an issuer the mesh does not define', () => {
    const model = MeshModel.of(spec({
      intentions: [{
        destination: { namespace: 'a', name: 'api' },
        action: 'ALLOW',
        enforcement: 'ENFORCE',
        peer: { kind: 'anyone' },
        endUser: { issuer: 'https://nowhere.example.com', subjects: [], claims: [{ claim: ['role'], values: ['admin'] }] },
        match: {},
      }],
    }));
    const d = model.diagnostics();
    expect(d.map((x) => x.code)).toEqual(['TM_CLAIMS_WITHOUT_ISSUER']);
    expect(d[0].message).toMatch(/"https:\/\/nowhere\.example\.com", which the mesh does not define/);
  });

  test('TM_UNKNOWN_SERVICE: an intention towards a service the spec does not declare', () => {
    const model = MeshModel.of(spec({
      intentions: [{ destination: { namespace: 'a', name: 'ghost' }, action: 'ALLOW', enforcement: 'ENFORCE', peer: { kind: 'anyone' }, match: {} }],
    }));
    expect(model.diagnostics().map((x) => x.code)).toEqual(['TM_UNKNOWN_SERVICE']);
  });

  test('effective mTLS composes mesh, namespace, service and port', () => {
    const model = MeshModel.of(spec({
      mtls: 'PERMISSIVE',
      namespaces: [{ name: 'a', mtls: 'STRICT' }],
      services: [{
        namespace: 'a',
        name: 'db',
        serviceAccount: 'db',
        labels: { app: 'db' },
        inMesh: true,
        ports: [{ name: 'tcp-5432', port: 5432, targetPort: 5432, protocol: 'TCP', mtls: 'DISABLE' }, { name: 'http-80', port: 80, targetPort: 8080, protocol: 'HTTP' }],
      }],
    }));
    const db = model.service({ namespace: 'a', name: 'db' })!;
    expect(model.effectiveMtls(db, 5432)).toBe('DISABLE');
    expect(model.effectiveMtls(db, 8080)).toBe('STRICT');
  });
});

// synth10: TM_SELECTOR_OVERLAP finds its candidates through an index by label instead of comparing
// every pair of a namespace; the findings, and their order, must be those of the pairwise check.
describe('MeshModel selector overlaps (indexed)', () => {
  const labelSet = fc.dictionary(fc.constantFrom('app', 'version', 'tier'), fc.constantFrom('a', 'b'), { maxKeys: 3 });
  const services = fc.array(fc.record({ ns: fc.constantFrom('a', 'b'), labels: labelSet, inMesh: fc.boolean(), policy: fc.boolean() }), { maxLength: 12 });

  test('equal the pairwise comparison of every two services of a namespace (property)', () => {
    fc.assert(fc.property(services, (list) => {
      const specs: ServiceSpec[] = list.map((s, i) => ({
        namespace: s.ns,
        name: `s${i}`,
        serviceAccount: `s${i}`,
        labels: s.labels,
        inMesh: s.inMesh,
        ports: [{ name: 'http-80', port: 80, targetPort: 8080, protocol: 'HTTP' }],
        ...(s.policy ? { mtls: 'STRICT' as const } : {}),
      }));
      const model = MeshModel.of(spec({ namespaces: [{ name: 'a' }, { name: 'b' }], services: specs }));
      const found = model.diagnostics().filter((d) => d.code === 'TM_SELECTOR_OVERLAP').map((d) => d.message);
      const expected: string[] = [];
      for (const a of specs) {
        if (!a.inMesh || !a.mtls) continue;
        for (const b of specs) {
          if (a === b || !b.inMesh || b.namespace !== a.namespace) continue;
          if (Object.entries(a.labels).every(([k, v]) => b.labels[k] === v)) expected.push(`${a.namespace}/${a.name} -> ${b.name}`);
        }
      }
      expect(found.map((m) => /of (\S+) .* also select (\S+) /.exec(m)!.slice(1).join(' -> '))).toEqual(expected);
    }), { numRuns: 500, seed: 10 });
  });
});

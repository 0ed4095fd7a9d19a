import { describe, expect, test } from 'vitest';
import { MeshModel } from '../../src/model/mesh-model';
import { MeshSpec } from '../../src/model/mesh-spec';
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

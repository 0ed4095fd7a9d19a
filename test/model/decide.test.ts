import { Yaml } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { parseConfigText } from '../../src/analysis/config/load-config';
import { createEvaluator } from '../../src/analysis/evaluator/evaluate';
import { decide } from '../../src/model/decide';
import { MeshModel } from '../../src/model/mesh-model';
import { renderIstio } from '../../src/render/istio/render-istio';
import { AccessRequest } from '../../src/semantics/access-request';
import { meshSpec } from '../helpers';

const ISSUER = 'https://issuer.example.com';

// One service that admits end users of ISSUER whose `role` claim is "admin".
const MODEL = MeshModel.of(meshSpec({
  mtls: 'PERMISSIVE',
  namespaces: [{ name: 'a' }],
  services: [{
    namespace: 'a',
    name: 'api',
    serviceAccount: 'api',
    labels: { app: 'api' },
    inMesh: true,
    ports: [{ name: 'http-80', port: 80, targetPort: 8080, protocol: 'HTTP' }],
  }],
  issuers: [{ issuer: ISSUER, jwksUri: 'https://issuer.example.com/jwks', audiences: [], fromHeaders: [], fromParams: [], fromCookies: [], forwardOriginalToken: false }],
  intentions: [{
    destination: { namespace: 'a', name: 'api' },
    action: 'ALLOW',
    enforcement: 'ENFORCE',
    peer: { kind: 'anyone' },
    endUser: { issuer: ISSUER, subjects: [], claims: [{ claim: ['role'], values: ['admin'] }] },
    match: {},
  }],
}));

function withRole(role: unknown): AccessRequest {
  return {
    protocol: 'HTTP',
    source: { principal: null, namespace: null, ip: '10.0.0.1' },
    jwt: { status: 'valid', claims: { iss: ISSUER, sub: 'alice', role } },
    destination: { namespace: 'a', labels: { app: 'api' }, port: 8080 },
    method: 'GET',
    path: '/',
  };
}

describe('decide: end-user claims', () => {
  const evaluator = createEvaluator(parseConfigText(Yaml.stringify(...renderIstio(MODEL)), 'rendered.yaml'));

  test.each([
    ['admin', 'ALLOW'],
    [['admin', 1], 'ALLOW'],
    [[1, 'admin', { x: 'admin' }], 'ALLOW'],
    [['viewer', 1], 'DENY_403'],
    [[1, 2], 'DENY_403'],
    [{ admin: true }, 'DENY_403'],
  ] as const)('role %j: %s, as the evaluator decides on the rendered YAML (string elements of a list claim match, others are ignored)',
    (role, outcome) => {
      expect(decide(MODEL, withRole(role)).outcome).toBe(outcome);
      expect(evaluator.evaluate(withRole(role)).outcome).toBe(outcome);
    });
});

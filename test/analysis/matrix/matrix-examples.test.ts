// The access matrix of the three example meshes, synthesized here exactly as `dist/` is.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { AccessMatrix, buildAccessMatrix } from '../../../src/analysis/matrix/matrix';
import { withNetworkLayer } from '../../../src/analysis/matrix/network-cells';
import { NetworkLayer } from '../../../src/analysis/network/network-layer';
import { bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh } from '../../../src/examples';
import { tempApp } from '../../helpers';

function exampleMatrix(define: (app: ReturnType<typeof tempApp>) => unknown, layers = false): AccessMatrix {
  const app = tempApp();
  define(app);
  const text = app.synthOutput().files.filter((f) => /\.ya?ml$/.test(f.path)).map((f) => f.content).join('\n---\n');
  const config = parseConfigText(text, 'dist.yaml');
  const matrix = buildAccessMatrix(config);
  return layers ? withNetworkLayer(matrix, config, NetworkLayer.fromConfig(config)) : matrix;
}

// bookinfo mirrors its intentions as NetworkPolicies (NetworkPolicies.mirrorIntentions()): both layers per cell.
describe('bookinfo, both layers', () => {
  const m = exampleMatrix(bookinfoMesh, true);
  const sa = (name: string): string => `bookinfo/bookinfo-${name}`;

  it('opens L4 where an intention allows (L7 narrows it to GET), and nowhere else', () => {
    expect(m.cell(sa('productpage'), 'bookinfo/details')).toMatchObject({ status: 'partial', summary: 'GET on port 9080', network: { summary: 'L4 all ports' } });
    expect(m.cell(sa('reviews-v2'), 'bookinfo/ratings')?.network?.summary).toBe('L4 all ports');
    expect(m.cell(sa('reviews-v1'), 'bookinfo/ratings')).toMatchObject({ status: 'denied', network: { summary: 'L4 none' } });
    expect(m.cell('istio-system/istio-ingressgateway-service-account', 'bookinfo/productpage')?.network?.summary).toBe('L4 all ports');
    expect(m.cell('plaintext', 'bookinfo/details')?.network?.summary).toBe('L4 none');
  });
});

describe('bookinfo', () => {
  const m = exampleMatrix(bookinfoMesh);
  const sa = (name: string): string => `bookinfo/bookinfo-${name}`;
  const column = (name: string): string => m.destinations.find((d) => d.id === `bookinfo/${name}` || d.id.startsWith(`bookinfo/${name}{`))?.id ?? name;

  it('lets productpage GET details, and nothing else', () => {
    const cell = m.cell(sa('productpage'), column('details'));
    expect(cell?.status).toBe('partial');
    expect(cell?.summary).toMatch(/^GET on (port 9080|any port)$/);
  });

  it('denies reviews v1 → ratings, allows v2 and v3 to GET /ratings/*', () => {
    expect(m.cell(sa('reviews-v1'), column('ratings'))?.status).toBe('denied');
    for (const v of ['reviews-v2', 'reviews-v3']) expect(m.cell(sa(v), column('ratings'))?.summary).toMatch(/^GET \/ratings\/\* on /);
  });

  it('lets the ingress gateway reach productpage on its routes only', () => {
    expect(m.cell('istio-system/istio-ingressgateway-service-account', column('productpage'))?.summary)
      .toMatch(/^GET, POST \/api\/v1\/products\*, \/login, \/logout, \/productpage, \/static\/\* on /);
  });

  it('denies any other identity everywhere, and refuses plaintext (mesh-wide STRICT)', () => {
    for (const d of m.destinations) {
      expect(m.cell('*', d.id)?.status).toBe('denied');
      expect(m.cell('plaintext', d.id)?.refusedBy).toBe('istio-system/default');
    }
  });
});

describe('micro-shake-factory', () => {
  const m = exampleMatrix(microShakeFactoryMesh);
  const fruits = m.destinations.find((d) => d.id.startsWith('micro-shake-factory/fruits-api'))?.id ?? 'fruits-api';

  it('lets any mesh identity GET the fruits API only for learners with a token from istio-succinctly.io', () => {
    expect(m.cell('*', fruits)?.summary).toMatch(/^GET with a token from istio-succinctly\.io where role=learner on /);
  });
});

describe('foo/httpbin', () => {
  const m = exampleMatrix(fooHttpbinMesh);
  const httpbin = m.destinations.find((d) => d.id.startsWith('foo/httpbin'))?.id ?? 'httpbin';
  const myApp = m.destinations.find((d) => d.id.startsWith('foo/my-app'))?.id ?? 'my-app';

  it('denies POST from namespace dev, and nothing else', () => {
    expect(m.cell('dev/*', httpbin)?.summary).toMatch(/^any method except POST on /);
    expect(m.cell('*', httpbin)?.status).toBe('allowed');
  });

  it('requires a token from https://issuer.example.com for my-app, except for /healthz', () => {
    expect(m.cell('*', myApp)?.summary).toMatch(/^requests with a token from https:\/\/issuer\.example\.com or requests to \/healthz on /);
  });

  it('refuses plaintext to foo (STRICT in the namespace)', () => {
    expect(m.cell('plaintext', httpbin)?.refusedBy).toBe('foo/default');
  });
});

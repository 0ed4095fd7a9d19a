// matrixout10: the matrix's text formats as a sequence of pieces. Their join is byte for byte the
// text built as one string before (the reference), and no piece is the whole output, so a matrix
// whose text passes V8's string limit (S=8,000) can still be written.
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { referenceCsv, referenceJson, referenceMarkdown, referenceMermaid } from './matrix-format-reference';
import { generateMesh } from '../../../bench/generate-mesh';
import { loadConfig, parseConfigText } from '../../../src/analysis/config/load-config';
import { meshConfig } from '../../../src/analysis/config/mesh-config';
import { AccessMatrix, buildAccessMatrix } from '../../../src/analysis/matrix/matrix';
import { formatMatrix, MatrixFormat, matrixPieces } from '../../../src/analysis/matrix/matrix-format';
import { withNetworkLayer } from '../../../src/analysis/matrix/network-cells';
import { NetworkLayer } from '../../../src/analysis/network/network-layer';
import { OutboundLayer } from '../../../src/analysis/network/sidecar-egress';
import { bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh } from '../../../src/examples';
import { tempApp } from '../../helpers';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');
const REFERENCE: Record<Exclude<MatrixFormat, 'connlist'>, (m: AccessMatrix) => string> = {
  markdown: referenceMarkdown,
  json: referenceJson,
  csv: referenceCsv,
  mermaid: referenceMermaid,
};

function layered(configText: string | undefined, dir?: string, strict = false): AccessMatrix {
  const config = dir ? loadConfig(dir) : parseConfigText(configText ?? '', 'mesh.yaml');
  const mesh = strict ? meshConfig({ raw: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } } }) : meshConfig();
  const matrix = buildAccessMatrix(config, { meshConfig: mesh });
  return withNetworkLayer(matrix, config, NetworkLayer.fromConfig(config), OutboundLayer.fromConfig(config, mesh));
}

function appMatrix(define: (app: ReturnType<typeof tempApp>) => unknown): AccessMatrix {
  const app = tempApp();
  define(app);
  const text = app.synthOutput().files.filter((f) => /\.ya?ml$/.test(f.path)).map((f) => f.content).join('\n---\n');
  return layered(text);
}

const TRICKY = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: web}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  rules:
  - to: [{operation: {methods: [GET], paths: ['/a|b*_<c>#"d"\`e,f']}}]
`;

const FIXTURE_MATRICES: Record<string, () => AccessMatrix> = {
  'bookinfo (fixture)': () => layered(undefined, path.join(FIXTURES, 'matrix', 'bookinfo')),
  'layers: both layers, a Sidecar REGISTRY_ONLY': () => layered(undefined, path.join(FIXTURES, 'analysis', 'layers')),
  'layers, REGISTRY_ONLY mesh-wide': () => layered(undefined, path.join(FIXTURES, 'analysis', 'layers'), true),
  'escaped characters': () => layered(TRICKY),
  'no destinations': () => layered('apiVersion: v1\nkind: Namespace\nmetadata: {name: empty}\n'),
  'bookinfo example': () => appMatrix(bookinfoMesh),
  'foo/httpbin example': () => appMatrix(fooHttpbinMesh),
  'micro-shake factory example': () => appMatrix(microShakeFactoryMesh),
};

describe('matrixPieces', () => {
  for (const [name, build] of Object.entries(FIXTURE_MATRICES)) {
    it(`joins to the one-string text of every format: ${name}`, () => {
      const m = build();
      for (const [format, reference] of Object.entries(REFERENCE)) {
        const joined = [...matrixPieces(m, format as MatrixFormat)].join('');
        expect(joined, format).toBe(reference(m));
        expect(formatMatrix(m, format as MatrixFormat), format).toBe(joined);
      }
    });
  }

  it('keeps JSON valid and equal to JSON.stringify, also with empty sources and registryOnly lists', () => {
    const m = layered(undefined, path.join(FIXTURES, 'analysis', 'layers'));
    const variants: AccessMatrix[] = [m, { ...m, sources: [] }, { ...m, columns: [] }, { ...m, registryOnly: [] }].map((v) => v as AccessMatrix);
    for (const v of variants) {
      const joined = [...matrixPieces(v, 'json')].join('');
      expect(joined).toBe(referenceJson(v));
      expect(() => JSON.parse(joined) as unknown).not.toThrow();
    }
  });

  it('never needs the whole output as one string: a piece is at most a row or a column', () => {
    const app = tempApp();
    generateMesh(app, { services: 120, namespaces: 6, seed: 3 });
    const text = app.synthOutput().files.filter((f) => /\.ya?ml$/.test(f.path)).map((f) => f.content).join('\n---\n');
    const m = layered(text);
    expect(m.sources.length).toBeGreaterThan(100);
    expect(m.columns.length).toBeGreaterThan(100);
    for (const format of Object.keys(REFERENCE) as MatrixFormat[]) {
      const pieces = [...matrixPieces(m, format)];
      const total = pieces.reduce((n, p) => n + p.length, 0);
      const largest = Math.max(...pieces.map((p) => p.length));
      expect(pieces.length, format).toBeGreaterThanOrEqual(m.columns.length > 0 && format === 'json' ? m.columns.length : m.sources.length / 2);
      // A row of the grid is ~columns × a cell; the whole output is ~rows × that.
      expect(largest, format).toBeLessThan(total / 20);
      expect(pieces.join(''), format).toBe(REFERENCE[format as Exclude<MatrixFormat, 'connlist'>](m));
    }
  });
});

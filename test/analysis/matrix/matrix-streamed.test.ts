// matrix10: the matrix is built destination by destination and keeps only its cells; `allows`
// analyzes the destination it is asked about again. It answers as the full analysis does.
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { analyzeAccess } from '../../../src/analysis/access/access-analysis';
import { loadConfig } from '../../../src/analysis/config/load-config';
import { buildAccessMatrix } from '../../../src/analysis/matrix/matrix';
import { AccessRequest } from '../../../src/semantics/access-request';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

describe('buildAccessMatrix (streamed)', () => {
  for (const fixture of ['matrix/bookinfo', 'analysis/layers']) {
    it(`allows() answers as the full analysis for every column, row and port, in any order (${fixture})`, () => {
      const config = loadConfig(path.join(FIXTURES, fixture));
      const analysis = analyzeAccess([config]);
      const matrix = buildAccessMatrix(config);
      expect(matrix.destinations.map((d) => d.id)).toEqual(analysis.destinations.map((d) => d.id));
      const requests: AccessRequest[] = [];
      for (const source of analysis.sources) {
        for (const d of analysis.destinations) {
          const shape = d.versions[0];
          if (!shape) continue;
          for (const slice of d.space.slices) {
            const base = {
              source: { principal: source.principal, namespace: /\/ns\/([^/]+)\//.exec(source.principal ?? '')?.[1] ?? null, ip: '10.9.9.9' },
              destination: { namespace: shape.namespace, labels: shape.labels, port: slice.other ? 5999 : slice.port },
              jwt: null,
            };
            requests.push(slice.protocol === 'TCP' ? { protocol: 'TCP', ...base } : { protocol: 'HTTP', ...base, method: 'GET', path: '/' });
          }
        }
      }
      // Rows outer, columns inner: consecutive requests go to different destinations.
      let decided = 0;
      for (const r of requests) {
        const expected = analysis.allows(r);
        expect(matrix.allows(r)).toBe(expected);
        if (expected !== undefined) decided++;
      }
      expect(decided).toBeGreaterThan(0);
      expect(matrix.allows({ ...requests[0], destination: { namespace: 'nowhere', labels: { app: 'x' }, port: 80 } })).toBeUndefined();
    });

    it(`keeps the cells of the full analysis (${fixture})`, () => {
      const config = loadConfig(path.join(FIXTURES, fixture));
      const matrix = buildAccessMatrix(config);
      const again = buildAccessMatrix(config);
      expect(JSON.stringify(matrix.columns)).toBe(JSON.stringify(again.columns));
      for (const s of matrix.sources) for (const d of matrix.destinations) expect(matrix.cell(s.id, d.id)).toBeDefined();
    });
  }
});

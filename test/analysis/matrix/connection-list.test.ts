// The streamed connection list (`matrix --output connlist`) says what the full matrix says, line for line.
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';
import { matrixToConnectionList, writeConnectionList } from '../../../src/analysis/matrix/connection-list';
import { buildAccessMatrix } from '../../../src/analysis/matrix/matrix';
import { withNetworkLayer } from '../../../src/analysis/matrix/network-cells';
import { NetworkLayer } from '../../../src/analysis/network/network-layer';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

function streamed(dir: string): { text: string; chunks: number; lines: number } {
  const config = loadConfig(dir);
  const chunks: Uint8Array[] = [];
  const stats = writeConnectionList(config, { meshConfig: DEFAULT_MESH_CONFIG }, NetworkLayer.fromConfig(config), (c) => chunks.push(c));
  return { text: Buffer.concat(chunks).toString('utf8'), chunks: chunks.length, lines: stats.lines };
}

describe('writeConnectionList', () => {
  for (const fixture of ['matrix/bookinfo', 'analysis/layers']) {
    it(`streams the same lines as the full matrix's connection list (${fixture})`, () => {
      const config = loadConfig(path.join(FIXTURES, fixture));
      const full = withNetworkLayer(buildAccessMatrix(config), config, NetworkLayer.fromConfig(config));
      const s = streamed(path.join(FIXTURES, fixture));
      expect(s.text).toBe(matrixToConnectionList(full));
      expect(s.lines).toBe(s.text.split('\n').length - 2); // minus the header and the final newline
    });
  }

  it('writes destination by destination, as each is analyzed (one chunk per destination with connections)', () => {
    const s = streamed(path.join(FIXTURES, 'matrix', 'bookinfo'));
    const destinations = new Set(s.text.split('\n').slice(1, -1).map((l) => l.split(' => ')[1].split(' : ')[0]));
    expect(destinations.size).toBe(6);
    expect(s.chunks).toBe(1 + destinations.size);
  });

  it('lists only what some layer allows: no line for a denied cell', () => {
    const config = loadConfig(path.join(FIXTURES, 'matrix', 'bookinfo'));
    const matrix = buildAccessMatrix(config);
    const lines = matrixToConnectionList(matrix).split('\n').slice(1, -1);
    const allowedCells = matrix.columns.flatMap((c) => c.groups.filter((g) => g.cell.status !== 'denied').flatMap((g) => g.sources.map((s) => `${s} => ${c.destination.id}`)));
    expect(new Set(lines.map((l) => l.split(' : ')[0]))).toEqual(new Set(allowedCells));
  });
});

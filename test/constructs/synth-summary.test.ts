// The one-screen summary runSynth prints after a successful synth (issue 10 §6).
import { describe, expect, test } from 'vitest';
import { Mesh, Peer, Port } from '../../src';
import { formatSynthSummary } from '../../src/constructs/synth-summary';
import { SynthOutput } from '../../src/constructs/trustmesh-app';
import { tempApp } from '../helpers';

const DIRS = { outdir: 'dist', secretsOutdir: '.trustmesh/secrets' };

describe('formatSynthSummary', () => {
  test('meshes with their files and object counts, objects per kind, warnings', () => {
    const app = tempApp();
    const ns = new Mesh(app, 'shop').addNamespace('shop');
    ns.addService('reports', { ports: [Port.http(8080)] }).allowFrom(Peer.ipBlocks(['10.0.0.0/8']));
    const text = formatSynthSummary(app.synthOutput(), DIRS);
    expect(text.split('\n')[0]).toMatch(/^trustmesh synth: 1 mesh, \d+ objects in 2 files under dist\/, 1 warning \(printed above\)$/);
    expect(text).toMatch(/\n {2}shop\/ {2}istio-system\.policy \(1\) · shop\.policy \(\d+\)\n/);
    expect(text).toMatch(/\n {2}objects: \d+ AuthorizationPolicy · \d+ PeerAuthentication\n$/);
    expect(text).not.toMatch(/key material/);
  });

  test('stays on one screen: at most 12 output folders listed, kinds wrapped at 100 columns', () => {
    const files = Array.from({ length: 20 }, (_, i) => ({ path: `mesh-${String(i).padStart(2, '0')}/ns.policy.k8s.yaml`, content: '' }));
    const kinds = Array.from({ length: 30 }, (_, i) => `Kind${i}WithALongName`);
    const output: SynthOutput = {
      files,
      secretFiles: [{ path: 'mesh-00/secrets.k8s.yaml', content: '' }],
      manifests: kinds.map((kind, i) => ({ manifest: { kind }, file: files[i % 20].path, constructPath: `c${i}`, secret: false })),
      warnings: [],
    };
    const lines = formatSynthSummary(output, DIRS).trimEnd().split('\n');
    expect(lines[0]).toBe('trustmesh synth: 20 meshes, 30 objects in 20 files under dist/, 0 warnings');
    expect(lines.filter((l) => /^ {2}mesh-\d\d\//.test(l))).toHaveLength(12);
    expect(lines).toContain('  … and 8 more output folders');
    expect(lines[lines.length - 1]).toBe('  key material: 1 file under .trustmesh/secrets/ (git-ignored; never commit it)');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(lines.length).toBeLessThanOrEqual(24);
  });
});

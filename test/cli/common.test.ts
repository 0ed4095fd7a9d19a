import { PassThrough } from 'stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MESH_CONFIG } from '../../src/analysis/config/mesh-config';
import { meshConfigFrom, meshConfigOption, optional, printLoadWarnings } from '../../src/cli/common';
import type { ErrorCode } from '../../src/errors';

describe('CLI plumbing', () => {
  it('meshConfigOption describes --mesh-config, with the caller\'s detail after a colon', () => {
    expect(meshConfigOption().flags).toBe('--mesh-config <file>');
    expect(meshConfigOption().description).toBe('MeshConfig YAML (as for istioctl analyze --meshConfigFile)');
    expect(meshConfigOption('root namespace').description).toBe('MeshConfig YAML (as for istioctl analyze --meshConfigFile): root namespace');
  });

  it('meshConfigFrom is Istio\'s defaults without a file', () => {
    expect(meshConfigFrom(undefined)).toBe(DEFAULT_MESH_CONFIG);
  });

  it('optional parses a given value and leaves an absent one undefined', () => {
    expect(optional('42', Number)).toBe(42);
    expect(optional(undefined, () => { throw new Error('not called'); })).toBeUndefined();
  });

  it('printLoadWarnings prints warnings and infos, not errors', () => {
    const stderr = new PassThrough();
    const io = { stdout: new PassThrough(), stderr, stdin: new PassThrough() };
    printLoadWarnings(io, [
      { code: 'TM_A' as ErrorCode, severity: 'warning', message: 'w' },
      { code: 'TM_B' as ErrorCode, severity: 'error', message: 'e' },
      { code: 'TM_C' as ErrorCode, severity: 'info', message: 'i' },
    ]);
    expect(String(stderr.read())).toBe('warning TM_A: w\ninfo TM_C: i\n');
  });
});

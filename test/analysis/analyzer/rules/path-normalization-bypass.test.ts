// TM_PATH_NORMALIZATION_BYPASS — istio.io security best practices, "Customize your system on path normalization".
import { describe, expect, it } from 'vitest';
import { analyzeFixture, fixture, lineOf, where } from './fixture';
import { findBypass } from '../../../../src/analysis/analyzer/rules/path-normalization-bypass';
import { loadMeshConfig } from '../../../../src/analysis/config/mesh-config';

const POSITIVE = 'path-normalization-bypass/positive.yaml';
const NEGATIVE = 'path-normalization-bypass/negative.yaml';

describe('TM_PATH_NORMALIZATION_BYPASS', () => {
  it('under the default BASE normalization, reports DENY paths and ALLOW notPaths that "//" gets around', () => {
    const found = analyzeFixture(POSITIVE);
    const line = lineOf(POSITIVE, 'paths: [/admin');
    expect(found.map((d) => [where(d), d.location?.field, d.severity])).toEqual([
      [`positive.yaml:${line}`, 'spec.rules[0].to[0].operation.paths[0]', 'error'],
      [`positive.yaml:${line}`, 'spec.rules[0].to[0].operation.paths[1]', 'error'],
      [`positive.yaml:${line}`, 'spec.rules[0].to[0].operation.paths[2]', 'error'],
      [`positive.yaml:${lineOf(POSITIVE, 'notPaths:')}`, 'spec.rules[0].to[0].operation.notPaths[0]', 'error'],
    ]);
    expect(found[0].message).toMatch(/the request path "\/\/admin" is not denied: with pathNormalization BASE the proxy compares "\/\/admin"/);
    expect(found[1].message).toMatch(/"\/\/internal\/x"/);
    expect(found[2].message).toMatch(/"\/\/users\/x\/secrets"/);
    expect(found[3].message).toMatch(/excludes "\/admin" with notPaths .* "\/\/admin" is allowed/);
    expect(found[0].fix).toMatch(/MERGE_SLASHES/);
  });

  it('under MERGE_SLASHES, only the encoded slash remains, as a warning', () => {
    const meshConfig = loadMeshConfig(fixture('path-normalization-bypass/merge-slashes.yaml'));
    const found = analyzeFixture(POSITIVE, { meshConfig });
    expect(found.every((d) => d.severity === 'warning')).toBe(true);
    expect(found[0].message).toMatch(/"\/%2Fadmin" is not denied/);
  });

  it('under DECODE_AND_MERGE_SLASHES, reports nothing', () => {
    const meshConfig = loadMeshConfig(fixture('path-normalization-bypass/decode-and-merge-slashes.yaml'));
    expect(analyzeFixture(POSITIVE, { meshConfig })).toEqual([]);
  });

  it('stays quiet for DENY notPaths, ALLOW paths and suffix patterns', () => {
    expect(analyzeFixture(NEGATIVE)).toEqual([]);
  });

  it('finds the spelling each normalization lets through', () => {
    expect(findBypass('/admin', 'NONE')?.request).toBe('//admin');
    expect(findBypass('/admin', 'BASE')?.request).toBe('//admin');
    expect(findBypass('/a/b', 'MERGE_SLASHES')?.request).toBe('/a%2Fb');
    expect(findBypass('/admin', 'DECODE_AND_MERGE_SLASHES')).toBeUndefined();
    expect(findBypass('*', 'NONE')).toBeUndefined();
    expect(findBypass('/*', 'BASE')).toBeUndefined();
  });
});

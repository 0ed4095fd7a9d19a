import { describe, expect, test } from 'vitest';
import { assertSupports, IstioFeature, parseIstioVersion, supports } from '../../src/model/istio-version';
import { catchTrustmesh } from '../helpers';

describe('istio versions', () => {
  test('parses minor and patch versions', () => {
    expect(parseIstioVersion('1.30')).toEqual({ major: 1, minor: 30 });
    expect(parseIstioVersion('v1.22.3')).toEqual({ major: 1, minor: 22 });
  });

  test('rejects garbage and releases before 1.5', () => {
    expect(catchTrustmesh(() => parseIstioVersion('latest')).code).toBe('TM_INVALID_ISTIO_VERSION');
    const old = catchTrustmesh(() => parseIstioVersion('1.4'));
    expect(old.code).toBe('TM_INVALID_ISTIO_VERSION');
    expect(old.message).toMatch(/older than the oldest supported/);
  });

  test('feature gates name the minimum version', () => {
    expect(supports(parseIstioVersion('1.8'), IstioFeature.AUDIT_ACTION)).toBe(true);
    const e = catchTrustmesh(() => assertSupports(parseIstioVersion('1.7'), IstioFeature.AUDIT_ACTION));
    expect(e.code).toBe('TM_VERSION_UNSUPPORTED_FEATURE');
    expect(e.message).toMatch(/AUDIT needs Istio 1\.8 or later, but the mesh targets Istio 1\.7/);
  });
});

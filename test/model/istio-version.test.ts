import { describe, expect, test } from 'vitest';
import { assertSupports, isLegacyTarget, IstioFeature, parseIstioVersion, supports } from '../../src/model/istio-version';
import { catchTrustmesh } from '../helpers';

describe('istio versions', () => {
  test('parses minor and patch versions', () => {
    expect(parseIstioVersion('1.30')).toEqual({ major: 1, minor: 30 });
    expect(parseIstioVersion('v1.22.3')).toEqual({ major: 1, minor: 22 });
  });

  test('rejects garbage and non-1.x versions', () => {
    expect(catchTrustmesh(() => parseIstioVersion('latest')).code).toBe('TM_INVALID_ISTIO_VERSION');
    expect(catchTrustmesh(() => parseIstioVersion('0.8')).code).toBe('TM_INVALID_ISTIO_VERSION');
  });

  test('accepts the legacy releases 1.0–1.4, which get the legacy APIs', () => {
    for (const minor of [0, 1, 2, 3, 4]) {
      const version = parseIstioVersion(`1.${minor}`);
      expect(isLegacyTarget(version)).toBe(true);
    }
    expect(isLegacyTarget(parseIstioVersion('1.5'))).toBe(false);
    expect(supports(parseIstioVersion('1.0'), IstioFeature.CLUSTER_RBAC_CONFIG)).toBe(false);
    expect(supports(parseIstioVersion('1.1'), IstioFeature.JWT_TRIGGER_RULES)).toBe(true);
  });

  test('feature gates name the minimum version', () => {
    expect(supports(parseIstioVersion('1.8'), IstioFeature.AUDIT_ACTION)).toBe(true);
    const e = catchTrustmesh(() => assertSupports(parseIstioVersion('1.7'), IstioFeature.AUDIT_ACTION));
    expect(e.code).toBe('TM_VERSION_UNSUPPORTED_FEATURE');
    expect(e.message).toMatch(/AUDIT needs Istio 1\.8 or later, but the mesh targets Istio 1\.7/);
  });
});

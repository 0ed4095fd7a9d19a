import { describe, expect, test } from 'vitest';
import { normalizePath } from '../../src/semantics/path-normalization';
import { classifyPathPattern, matchesPathPattern } from '../../src/semantics/path-pattern';
import { matchesIstioHost, matchesIstioString } from '../../src/semantics/string-match';
import { catchTrustmesh } from '../helpers';

// https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
describe('path patterns', () => {
  test('classifies exact, prefix, suffix, presence and templates', () => {
    expect(classifyPathPattern('/a/b')).toBe('exact');
    expect(classifyPathPattern('/a/*')).toBe('prefix');
    expect(classifyPathPattern('*.css')).toBe('suffix');
    expect(classifyPathPattern('*')).toBe('presence');
    expect(classifyPathPattern('/users/{*}/orders')).toBe('template');
    expect(classifyPathPattern('/files/{**}')).toBe('template');
  });

  test('rejects a path without a leading slash', () => {
    const e = catchTrustmesh(() => classifyPathPattern('api/v1'));
    expect(e.code).toBe('TM_INVALID_PATH');
    expect(e.fix).toBe('did you mean "/api/v1"?');
  });

  test('rejects a star in the middle and suggests a template', () => {
    const e = catchTrustmesh(() => classifyPathPattern('/users/*/orders'));
    expect(e.code).toBe('TM_INVALID_PATH');
    expect(e.fix).toContain('/users/{*}/orders');
  });

  test('rejects queries, which Istio strips before matching', () => {
    expect(catchTrustmesh(() => classifyPathPattern('/a?b=c')).code).toBe('TM_INVALID_PATH');
  });

  test('rejects bad templates', () => {
    for (const bad of ['/a/{**}/{*}', '/a{*}', '/a/{x}', '/a/{*}/b*', 'a/{*}']) {
      expect(catchTrustmesh(() => classifyPathPattern(bad)).code).toBe('TM_INVALID_PATH_TEMPLATE');
    }
  });

  test('template matching: {*} is one segment, {**} any rest', () => {
    expect(matchesPathPattern('/users/{*}/orders', '/users/42/orders')).toBe(true);
    expect(matchesPathPattern('/users/{*}/orders', '/users/42/x/orders')).toBe(false);
    expect(matchesPathPattern('/users/{*}/orders', '/users//orders')).toBe(false);
    expect(matchesPathPattern('/files/{**}', '/files/a/b/c')).toBe(true);
    expect(matchesPathPattern('/files/{**}', '/files/')).toBe(true);
    expect(matchesPathPattern('/files/{**}', '/file')).toBe(false);
  });

  test('string matching: exact, prefix, suffix, presence', () => {
    expect(matchesIstioString('/a/*', '/a/b')).toBe(true);
    expect(matchesIstioString('/a/*', '/b')).toBe(false);
    expect(matchesIstioString('*.css', '/x.css')).toBe(true);
    expect(matchesIstioString('*', '')).toBe(false);
    expect(matchesIstioString('*', 'x')).toBe(true);
    expect(matchesIstioString('abc', undefined)).toBe(false);
  });

  // https://istio.io/latest/news/security/istio-security-2021-008/
  test('hosts are case-insensitive and compared with the port as sent', () => {
    expect(matchesIstioHost('Example.COM', 'example.com')).toBe(true);
    expect(matchesIstioHost('example.com', 'example.com:8080')).toBe(false);
    expect(matchesIstioHost('example.com:*', 'example.com:8080')).toBe(true);
    expect(matchesIstioHost('*.example.com', 'API.example.com')).toBe(true);
    expect(matchesIstioHost('example.com:80', 'example.com:8080')).toBe(false);
  });
});

// https://istio.io/latest/docs/reference/config/security/normalization/
describe('path normalization (BASE)', () => {
  test('removes dot segments, turns backslashes into slashes and drops the query', () => {
    expect(normalizePath('/a/./b/../c?x=1', 'BASE')).toBe('/a/c');
    expect(normalizePath('/a\\b', 'BASE')).toBe('/a/b');
    expect(normalizePath('/%61dmin', 'BASE')).toBe('/admin');
  });

  test('BASE keeps double slashes; MERGE_SLASHES merges them', () => {
    expect(normalizePath('//admin', 'BASE')).toBe('//admin');
    expect(normalizePath('//admin', 'MERGE_SLASHES')).toBe('/admin');
  });

  test('DECODE_AND_MERGE_SLASHES decodes %2F', () => {
    expect(normalizePath('/a%2Fb', 'DECODE_AND_MERGE_SLASHES')).toBe('/a/b');
    expect(normalizePath('/a%2Fb', 'BASE')).toBe('/a%2Fb');
  });
});

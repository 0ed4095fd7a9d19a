import { describe, expect, test } from 'vitest';
import { AccessRequest } from '../../src/semantics/access-request';
import {
  acceptsIssuer, isCorsPreflight, readsTokenAt, splitSpaceDelimitedClaims, tokenAudiences, tokenLocations,
} from '../../src/semantics/jwt-token';

const NONE = { fromHeaders: [], fromParams: [], fromCookies: [] };

describe('jwt token facts', () => {
  test('a rule without sources reads the Authorization header and the access_token parameter', () => {
    expect(tokenLocations(NONE)).toEqual(['header:Authorization', 'query:access_token']);
    expect(tokenLocations({ ...NONE, fromHeaders: [{ name: 'X-Token' }], fromCookies: ['session'] })).toEqual(['header:X-Token', 'cookie:session']);
  });

  test('header names compare case-insensitively, query parameters and cookies exactly', () => {
    expect(readsTokenAt(['header:X-Token'], 'header:x-token')).toBe(true);
    expect(readsTokenAt(['query:Token'], 'query:token')).toBe(false);
    expect(readsTokenAt(['cookie:s'], 'cookie:s')).toBe(true);
    expect(readsTokenAt(['header:token'], 'query:token')).toBe(false);
  });

  test('an empty or missing issuer accepts any token', () => {
    expect(acceptsIssuer(undefined, 'a')).toBe(true);
    expect(acceptsIssuer('', undefined)).toBe(true);
    expect(acceptsIssuer('a', 'b')).toBe(false);
  });

  test('audiences are the string aud or its string elements', () => {
    expect(tokenAudiences({ aud: 'x' })).toEqual(['x']);
    expect(tokenAudiences({ aud: ['x', 1, 'y'] })).toEqual(['x', 'y']);
    expect(tokenAudiences({})).toEqual([]);
  });

  test('space-delimited claims are split without touching the input', () => {
    const claims = { scope: 'a  b', other: 'c d' };
    expect(splitSpaceDelimitedClaims(claims, ['scope'])).toEqual({ scope: ['a', 'b'], other: 'c d' });
    expect(claims.scope).toBe('a  b');
  });

  test('a CORS preflight is an HTTP OPTIONS with Origin and Access-Control-Request-Method', () => {
    const base: AccessRequest = {
      protocol: 'HTTP',
      source: { principal: null, namespace: null, ip: '10.0.0.1' },
      jwt: null,
      destination: { namespace: 'ns', labels: {}, port: 80 },
      method: 'OPTIONS',
    };
    expect(isCorsPreflight({ ...base, headers: { 'origin': 'https://a', 'access-control-request-method': 'GET' } })).toBe(true);
    expect(isCorsPreflight({ ...base, headers: { origin: 'https://a' } })).toBe(false);
    expect(isCorsPreflight({ ...base, method: 'GET', headers: { 'origin': 'https://a', 'access-control-request-method': 'GET' } })).toBe(false);
  });
});

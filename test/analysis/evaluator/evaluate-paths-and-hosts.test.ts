import { describe, expect, it } from 'vitest';
import { ap, config, decide } from './evaluate-helpers';
import { meshConfig, MeshConfig } from '../../../src/analysis/config/mesh-config';
import { compilePathTemplate, normalizePath } from '../../../src/semantics/path-normalization';

// Pages: https://istio.io/latest/docs/reference/config/security/normalization/
//        https://istio.io/latest/docs/ops/best-practices/security/#customize-your-system-on-path-normalization
//        https://istio.io/latest/docs/ops/best-practices/security/#writing-host-match-policies

const denyAdmin = config(ap('deny-admin', 'foo', 'action: DENY\nrules:\n- to:\n  - operation:\n      paths: ["/admin*"]'));
const denied = (path: string, mesh?: MeshConfig): boolean => !decide(denyAdmin, { path }, mesh).allowed;

describe('path normalization before authorization (normalization reference)', () => {
  it('matches the path without the query string (normalization "Path with query")', () => {
    expect(denied('/admin?x=1')).toBe(true);
    const exact = config(ap('p', 'foo', 'rules:\n- to:\n  - operation:\n      paths: ["/data"]'));
    expect(decide(exact, { path: '/data?v=1' }).allowed).toBe(true);
  });

  it('BASE resolves dot segments (RFC 3986) so /public/../admin is denied', () => {
    expect(denied('/public/../admin')).toBe(true);
    expect(denied('/./admin')).toBe(true);
    expect(normalizePath('/public/./data/abc/../xyz', 'BASE')).toBe('/public/data/xyz');
  });

  it('BASE turns backslashes into slashes before resolving dot segments', () => {
    expect(denied('/x/..\\admin')).toBe(true);
    expect(normalizePath('/some\\data', 'BASE')).toBe('/some/data');
  });

  it('BASE decodes percent-encoded unreserved characters once, not %2F', () => {
    expect(denied('/%61dmin')).toBe(true);
    expect(normalizePath('/some%2fdata/%61%62%63', 'BASE')).toBe('/some%2fdata/abc');
    expect(normalizePath('/%2561', 'BASE')).toBe('/%2561');
    expect(normalizePath('/a/%2e%2e/b', 'BASE')).toBe('/b');
  });

  it('BASE keeps double slashes; MERGE_SLASHES merges them', () => {
    const exact = config(ap('p', 'foo', 'rules:\n- to:\n  - operation:\n      paths: ["/a/b"]'));
    expect(decide(exact, { path: '/a//b' }).allowed).toBe(false);
    expect(decide(exact, { path: '/a//b' }, meshConfig({ pathNormalization: 'MERGE_SLASHES' })).allowed).toBe(true);
  });

  it('DECODE_AND_MERGE_SLASHES decodes %2F and %5C before merging (best-practices example /a%2fb → /a/b)', () => {
    expect(normalizePath('/a%2fb', 'DECODE_AND_MERGE_SLASHES')).toBe('/a/b');
    expect(normalizePath('/a%5Cb', 'DECODE_AND_MERGE_SLASHES')).toBe('/a/b');
    expect(normalizePath('/some%2fdata/%61%62%63', 'DECODE_AND_MERGE_SLASHES')).toBe('/some/data/abc');
  });

  it('NONE evaluates the path exactly as received (without the query)', () => {
    const none = meshConfig({ pathNormalization: 'NONE' });
    expect(denied('/public/../admin', none)).toBe(false);
    expect(normalizePath('../%2Fa../b?x', 'NONE')).toBe('../%2Fa../b');
  });
});

describe('path templates {*} and {**} (authorization-policy reference, Operation.paths)', () => {
  const allowed = (template: string, path: string): boolean =>
    decide(config(ap('p', 'foo', `rules:\n- to:\n  - operation:\n      paths: ["${template}"]`)), { path }).allowed;

  it('{*} matches exactly one segment: /foo/{*} matches /foo/bar but not /foo/bar/baz', () => {
    expect(allowed('/foo/{*}', '/foo/bar')).toBe(true);
    expect(allowed('/foo/{*}', '/foo/bar/baz')).toBe(false);
    expect(allowed('/foo/{*}', '/foo/')).toBe(false);
  });

  it('{**} matches zero or more segments: /foo/{*}/bar/{**} matches /foo/buzz/bar/ and /foo/buzz/bar/baz', () => {
    expect(allowed('/foo/{*}/bar/{**}', '/foo/buzz/bar/')).toBe(true);
    expect(allowed('/foo/{*}/bar/{**}', '/foo/buzz/bar/baz')).toBe(true);
    expect(allowed('/foo/{*}/bar/{**}', '/foo/buzz/baz')).toBe(false);
  });

  it('/foo/{**}/ matches /foo/bar/ and /foo// but not /foo/bar', () => {
    expect(allowed('/foo/{**}/', '/foo/bar/')).toBe(true);
    expect(allowed('/foo/{**}/', '/foo//')).toBe(true);
    expect(allowed('/foo/{**}/', '/foo/bar')).toBe(false);
  });

  it('rejects the templates the reference calls invalid', () => {
    expect(compilePathTemplate('/*/baz/{*}')).toBeUndefined();
    expect(compilePathTemplate('/**/baz/{*}')).toBeUndefined();
    expect(compilePathTemplate('/{**}/foo/{*}')).toBeUndefined();
    expect(compilePathTemplate('/foo/{*}.txt')).toBeUndefined();
    expect(compilePathTemplate('/foo/{*}/bar/{**}')).toBeInstanceOf(RegExp);
  });

  it('drops an ALLOW rule with an invalid template', () => {
    expect(allowed('/foo/{*}.txt', '/foo/a.txt')).toBe(false);
  });
});

describe('hosts (authorization-policy reference: "The match is case-insensitive")', () => {
  const allowHost = config(ap('p', 'foo', 'rules:\n- to:\n  - operation:\n      hosts: ["httpbin.foo"]'));

  it('matches hosts case-insensitively (GHSA-7774-7vr3-cc8j)', () => {
    expect(decide(allowHost, { host: 'Httpbin.Foo' }).allowed).toBe(true);
  });

  it('does not strip the port: an exact host does not match host:port (best practices "Writing Host Match Policies")', () => {
    expect(decide(allowHost, { host: 'httpbin.foo:8000' }).allowed).toBe(false);
    const withPort = config(ap('p', 'foo', 'rules:\n- to:\n  - operation:\n      hosts: ["httpbin.foo", "httpbin.foo:*"]'));
    expect(decide(withPort, { host: 'httpbin.foo:8000' }).allowed).toBe(true);
  });

  it('reads the host from the Host header when the host field is omitted', () => {
    expect(decide(allowHost, { headers: { Host: 'httpbin.foo' } }).allowed).toBe(true);
  });

  it('fails a hosts match when the request has no host, and matches notHosts', () => {
    expect(decide(allowHost).allowed).toBe(false);
    const notHosts = config(ap('p', 'foo', 'rules:\n- to:\n  - operation:\n      notHosts: ["*.internal"]'));
    expect(decide(notHosts).allowed).toBe(true);
    expect(decide(notHosts, { host: 'db.INTERNAL' }).allowed).toBe(false);
  });
});

describe('methods (authorization-policy reference, Operation.methods)', () => {
  it('matches methods exactly and supports notMethods', () => {
    const cfg = config(ap('p', 'foo', 'rules:\n- to:\n  - operation:\n      notMethods: ["DELETE"]'));
    expect(decide(cfg, { method: 'GET' }).allowed).toBe(true);
    expect(decide(cfg, { method: 'DELETE' }).allowed).toBe(false);
  });
});

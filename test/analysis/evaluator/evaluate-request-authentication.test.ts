import { describe, expect, it } from 'vitest';
import { ap, config, decide } from './evaluate-helpers';

// Pages: https://istio.io/latest/docs/reference/config/security/request_authentication/
//        https://istio.io/latest/docs/concepts/security/#request-authentication

function ra(name: string, namespace: string, body: string): string {
  return `---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${body.split('\n').map((l) => `  ${l}`).join('\n')}
`;
}

const ISSUER = 'https://issuer.example.com';
const RULE = `jwtRules:\n- issuer: ${ISSUER}\n  jwksUri: ${ISSUER}/jwks.json`;
const REQUIRE_JWT = ap('require-jwt', 'foo', 'rules:\n- from:\n  - source:\n      requestPrincipals: ["*"]');
const valid = (claims: Record<string, unknown>, location?: string): unknown => ({ status: 'valid', claims, ...(location ? { location } : {}) });
const alice = { iss: ISSUER, sub: 'alice' };

describe('RequestAuthentication (request_authentication reference)', () => {
  it('accepts a request without a token with no identity', () => {
    const d = decide(config(ra('jwt', 'foo', RULE)));
    expect(d.outcome).toBe('ALLOW');
  });

  it('needs an AuthorizationPolicy to require a token (requestPrincipals: ["*"])', () => {
    const cfg = config(ra('jwt', 'foo', RULE) + REQUIRE_JWT);
    expect(decide(cfg).outcome).toBe('DENY_403');
    const ok = decide(cfg, { jwt: valid(alice) });
    expect(ok.outcome).toBe('ALLOW');
    expect(ok.explanation).toBe(`allowed by foo/require-jwt rule 0: request principal ${ISSUER}/alice matched`);
  });

  it('rejects an invalid token with 401 naming the RequestAuthentication', () => {
    const d = decide(config(ra('jwt', 'foo', RULE)), { jwt: { status: 'invalid', reason: 'expired' } });
    expect(d.outcome).toBe('DENY_401');
    expect(d.decidedBy).toEqual([{ kind: 'RequestAuthentication', namespace: 'foo', name: 'jwt', action: 'JWT', rule: 0 }]);
  });

  it('rejects a valid token from an issuer no rule accepts with 401', () => {
    const d = decide(config(ra('jwt', 'foo', RULE)), { jwt: valid({ iss: 'https://other', sub: 'x' }) });
    expect(d.outcome).toBe('DENY_401');
    expect(d.explanation).toMatch(/token issuer https:\/\/other is not accepted/);
  });

  it('answers 403 from the JWT filter when the audience is not allowed', () => {
    const cfg = config(ra('jwt', 'foo', `${RULE}\n  audiences: ["bookstore"]`));
    const d = decide(cfg, { jwt: valid({ ...alice, aud: ['other'] }) });
    expect(d.outcome).toBe('DENY_403');
    expect(d.decidedBy[0]).toMatchObject({ kind: 'RequestAuthentication', name: 'jwt', rule: 0 });
    expect(decide(cfg, { jwt: valid({ ...alice, aud: 'bookstore' }) }).outcome).toBe('ALLOW');
  });

  it('does not check audiences when the rule lists none', () => {
    expect(decide(config(ra('jwt', 'foo', RULE)), { jwt: valid({ ...alice, aud: 'anything' }) }).outcome).toBe('ALLOW');
  });

  it('ignores tokens entirely on a workload no RequestAuthentication selects (no request principal)', () => {
    const cfg = config(ra('jwt', 'foo', `selector:\n  matchLabels:\n    app: my-app\n${RULE}`) + REQUIRE_JWT);
    const d = decide(cfg, { jwt: valid(alice), labels: { app: 'httpbin' } });
    expect(d.outcome).toBe('DENY_403');
    expect(d.explanation).toMatch(/no RequestAuthentication selects the workload/);
    expect(decide(cfg, { jwt: { status: 'invalid', reason: 'malformed' }, labels: { app: 'httpbin' } }).outcome).toBe('DENY_403');
    expect(decide(cfg, { jwt: valid(alice), labels: { app: 'my-app' } }).outcome).toBe('ALLOW');
  });

  it('merges RequestAuthentications: root namespace, namespace-wide and selector policies all apply', () => {
    const cfg = config(ra('mesh', 'istio-system', 'jwtRules:\n- issuer: mesh-issuer')
      + ra('ns', 'foo', 'jwtRules:\n- issuer: ns-issuer')
      + ra('wl', 'foo', 'selector:\n  matchLabels:\n    app: httpbin\njwtRules:\n- issuer: wl-issuer'));
    for (const iss of ['mesh-issuer', 'ns-issuer', 'wl-issuer']) {
      expect(decide(cfg, { jwt: valid({ iss, sub: 's' }) }).outcome).toBe('ALLOW');
    }
    expect(decide(cfg, { jwt: valid({ iss: 'wl-issuer', sub: 's' }), labels: { app: 'other' } }).outcome).toBe('DENY_401');
  });

  it('selects across namespaces with a root-namespace selector', () => {
    const cfg = config(ra('mesh', 'istio-system', `selector:\n  matchLabels:\n    app: httpbin\n${RULE}`));
    expect(decide(cfg, { destNamespace: 'bar', jwt: { status: 'invalid', reason: 'expired' } }).outcome).toBe('DENY_401');
  });

  it('reads the access_token query parameter by default', () => {
    const cfg = config(ra('jwt', 'foo', RULE));
    expect(decide(cfg, { jwt: { status: 'invalid', reason: 'expired', location: 'query:access_token' } }).outcome).toBe('DENY_401');
  });

  it('does not extract a token from a location no rule reads (no identity, no rejection)', () => {
    const cfg = config(ra('jwt', 'foo', RULE) + REQUIRE_JWT);
    const d = decide(cfg, { jwt: { status: 'invalid', reason: 'expired', location: 'header:x-jwt' } });
    expect(d.outcome).toBe('DENY_403');
    expect(d.explanation).toMatch(/not read by any jwtRule/);
  });

  it('reads only the configured fromHeaders (case-insensitive names), fromParams and fromCookies', () => {
    const cfg = config(ra('jwt', 'foo', `${RULE}\n  fromHeaders:\n  - name: X-Jwt-Assertion\n    prefix: "Bearer "\n  fromParams: ["my_token"]\n  fromCookies: ["session"]`) + REQUIRE_JWT);
    expect(decide(cfg, { jwt: valid(alice, 'header:x-jwt-assertion') }).outcome).toBe('ALLOW');
    expect(decide(cfg, { jwt: valid(alice, 'query:my_token') }).outcome).toBe('ALLOW');
    expect(decide(cfg, { jwt: valid(alice, 'cookie:session') }).outcome).toBe('ALLOW');
    expect(decide(cfg, { jwt: valid(alice) }).outcome).toBe('DENY_403');
  });

  it('requires the issuer to belong to a rule reading the token location', () => {
    const cfg = config(ra('jwt', 'foo', 'jwtRules:\n- issuer: a\n- issuer: b\n  fromHeaders:\n  - name: x-b'));
    expect(decide(cfg, { jwt: valid({ iss: 'b', sub: 's' }) }).outcome).toBe('DENY_401');
    expect(decide(cfg, { jwt: valid({ iss: 'b', sub: 's' }, 'header:x-b') }).outcome).toBe('ALLOW');
  });

  it('skips token checks for a CORS preflight', () => {
    const cfg = config(ra('jwt', 'foo', RULE));
    const d = decide(cfg, {
      method: 'OPTIONS',
      headers: { 'Origin': 'https://a.example', 'Access-Control-Request-Method': 'POST' },
      jwt: { status: 'invalid', reason: 'expired' },
    });
    expect(d.outcome).toBe('ALLOW');
    expect(decide(cfg, { method: 'OPTIONS', jwt: { status: 'invalid', reason: 'expired' } }).outcome).toBe('DENY_401');
  });

  it('needs both iss and sub for requestPrincipals: ["*"] (Istio matches the iss and sub claims)', () => {
    const cfg = config(ra('jwt', 'foo', RULE) + REQUIRE_JWT);
    expect(decide(cfg, { jwt: valid({ iss: ISSUER }) }).outcome).toBe('DENY_403');
  });

  it('matches requestPrincipals prefixes and suffixes on issuer and subject', () => {
    const allow = (v: string): string => ra('jwt', 'foo', RULE) + ap('p', 'foo', `rules:\n- from:\n  - source:\n      requestPrincipals: ["${v}"]`);
    expect(decide(config(allow(`${ISSUER}/*`)), { jwt: valid(alice) }).outcome).toBe('ALLOW');
    expect(decide(config(allow('*/alice')), { jwt: valid(alice) }).outcome).toBe('ALLOW');
    expect(decide(config(allow('*/bob')), { jwt: valid(alice) }).outcome).toBe('DENY_403');
    expect(decide(config(allow(`${ISSUER}/ali*`)), { jwt: valid(alice) }).outcome).toBe('ALLOW');
    expect(decide(config(allow(`${ISSUER}/alice`)), { jwt: valid(alice) }).outcome).toBe('ALLOW');
  });
});

// istiod's ValidatePeerAuthentication and ValidateRequestAuthentication (validateJwtRule,
// warnPrivateJwksKeys) in pkg/config/validation/validation.go.
import { generateKeyPairSync } from 'crypto';
import { describe, it } from 'vitest';
import { expectFindings, expectValid, run } from './helpers';

const PA = 'PeerAuthentication';
const RA = 'RequestAuthentication';

describe('ValidatePeerAuthentication', () => {
  it('admits namespace-wide STRICT and port-level settings with a selector', () => {
    expectValid(run(PA, { mtls: { mode: 'STRICT' } }));
    expectValid(run(PA, { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }));
  });

  it('leaves portLevelMtls errors to the CRD (CEL rules and minProperties), and warns about a selector without labels', () => {
    expectValid(run(PA, { selector: { matchLabels: { app: 'a' } }, portLevelMtls: {} }));
    expectValid(run(PA, { portLevelMtls: { 0: { mode: 'DISABLE' } } }));
    expectFindings(run(PA, { selector: {} }), [['warning TM_WORKLOAD_SELECTOR_WITHOUT_LABELS spec.selector']]);
  });
});

describe('ValidateRequestAuthentication → validateJwtRule', () => {
  it('admits the documented example', () => {
    expectValid(run(RA, {
      selector: { matchLabels: { app: 'a' } },
      jwtRules: [{
        issuer: 'https://issuer.example.com',
        jwksUri: 'https://issuer.example.com/jwks',
        audiences: ['api'],
        fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }],
        outputClaimToHeaders: [{ header: 'x-jwt-group', claim: 'group' }],
        timeout: '5s',
      }],
    }));
  });

  it('rejects a rule with neither issuer nor jwksUri (empty audiences, params and cookies are the CRD\'s minLength)', () => {
    expectFindings(run(RA, { jwtRules: [{ audiences: ['a', ''], fromParams: [''], fromCookies: [''] }] }), [
      ['error TM_JWT_RULE_INVALID spec.jwtRules[0]', /issuer or jwksUri must be non-empty string/],
    ]);
    expectValid(run(RA, { jwtRules: [{ jwks_uri: 'https://x/jwks' }] }));
  });

  it('rejects an inline jwks that does not parse', () => {
    expectFindings(run(RA, { jwtRules: [{ issuer: 'i', jwks: '{"keys": [{"kty": "RSA", "n": "x"}]}' }] }), [
      ['error TM_JWT_RULE_INVALID spec.jwtRules[0].jwks', /jwks parse error: key 0/],
    ]);
    expectFindings(run(RA, { jwtRules: [{ issuer: 'i', jwks: 'not json' }] }), [['error TM_JWT_RULE_INVALID spec.jwtRules[0].jwks']]);
  });

  it('warns about private key material in an inline jwks, and admits a public one', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwks = (k: unknown): string => JSON.stringify({ keys: [k] });
    expectValid(run(RA, { jwtRules: [{ issuer: 'i', jwks: jwks(publicKey.export({ format: 'jwk' })) }] }));
    expectFindings(run(RA, { jwtRules: [{ issuer: 'i', jwks: jwks(privateKey.export({ format: 'jwk' })) }] }), [
      ['warning TM_JWKS_PRIVATE_KEY spec.jwtRules[0].jwks', /key at index 0 contains private key material/],
    ]);
    expectFindings(run(RA, { jwtRules: [{ issuer: 'i', jwks: jwks({ kty: 'oct', k: 'c2VjcmV0' }) }] }), [['warning TM_JWKS_PRIVATE_KEY spec.jwtRules[0].jwks']]);
  });

  it('rejects a timeout that is not whole milliseconds, and a targetRef istiod does not attach to', () => {
    expectFindings(run(RA, { jwtRules: [{ issuer: 'i', timeout: '1500us' }], targetRefs: [{ kind: 'HTTPRoute', group: 'gateway.networking.k8s.io', name: 'r' }] }), [
      ['error TM_TARGET_REF_INVALID spec.targetRefs[0]'],
      ['error TM_JWT_RULE_INVALID spec.jwtRules[0].timeout', /ms precision/],
    ]);
  });
});

/**
 * istiod's `ValidatePeerAuthentication` and `ValidateRequestAuthentication` (with `validateJwtRule`
 * and `warnPrivateJwksKeys`), for what the 1.30 CRD does not already enforce.
 *
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 * @see https://istio.io/latest/docs/reference/config/security/request_authentication/
 * @module
 */
import { createPrivateKey, createPublicKey, JsonWebKey } from 'crypto';
import { checkTargetRefs, checkWorkloadSelector } from './common-rules';
import { durationReason } from './go-duration';
import { Findings, WebhookCheck, WebhookPath, show } from './webhook-types';
import { isRecord } from '../../private/records';

export const JWT_RULE_INVALID: WebhookCheck = {
  code: 'TM_JWT_RULE_INVALID',
  severity: 'error',
  title: 'a RequestAuthentication jwtRule has neither issuer nor jwksUri, an unparsable jwks, or a timeout not in whole milliseconds',
  istiod: 'validateJwtRule',
};
export const JWKS_PRIVATE_KEY: WebhookCheck = {
  code: 'TM_JWKS_PRIVATE_KEY',
  severity: 'warning',
  title: 'an inline jwks holds private key material',
  istiod: 'warnPrivateJwksKeys',
};

/** Every check of this module. */
export const AUTHENTICATION_CHECKS: readonly WebhookCheck[] = [JWT_RULE_INVALID, JWKS_PRIVATE_KEY];

/**
 * `ValidatePeerAuthentication` on a spec: the selector warning. Its errors are all in the 1.30
 * CRD: port-level mTLS without a selector and ports out of range (CEL rules), `portLevelMtls: {}`
 * (minProperties).
 */
export function checkPeerAuthentication(spec: Readonly<Record<string, unknown>>, out: Findings): void {
  checkWorkloadSelector(spec.selector, ['spec', 'selector'], out);
}

/** `ValidateRequestAuthentication` on a spec. */
export function checkRequestAuthentication(spec: Readonly<Record<string, unknown>>, out: Findings): void {
  checkWorkloadSelector(spec.selector, ['spec', 'selector'], out);
  checkTargetRefs(spec, out);
  if (!Array.isArray(spec.jwtRules)) return;
  spec.jwtRules.forEach((rule, i) => {
    if (isRecord(rule)) checkJwtRule(rule, ['spec', 'jwtRules', i], out);
  });
}

function checkJwtRule(rule: Readonly<Record<string, unknown>>, at: WebhookPath, out: Findings): void {
  const bad = (path: WebhookPath, message: string, fix: string): void => out.add(JWT_RULE_INVALID, [...at, ...path], message, fix);
  // Empty audiences, params, cookies and header names, and the header name syntax, are the CRD's (minLength, pattern).
  const jwksUri = rule.jwksUri ?? rule.jwks_uri;
  if (!nonEmpty(rule.issuer) && !nonEmpty(jwksUri)) {
    bad([], 'issuer or jwksUri must be non-empty string', 'Set issuer (the token\'s iss claim) and jwksUri (where its keys are published).');
  }
  if (typeof rule.jwks === 'string' && rule.jwks !== '') {
    const parsed = parseJwks(rule.jwks);
    if (typeof parsed === 'string') {
      bad(['jwks'], `jwks parse error: ${parsed}`, 'Give a JSON Web Key Set ({"keys": [...]}) or a single JSON Web Key, or use jwksUri.');
    } else {
      parsed.forEach((key, i) => {
        if (isPrivate(key)) {
          out.add(JWKS_PRIVATE_KEY, [...at, 'jwks'], `jwks key at index ${i} contains private key material; only public keys are used for verification`,
            'Publish only the public key (drop "d", "p", "q", … or the symmetric "k"): every reader of this object can sign tokens with it.');
        }
      });
    }
  }
  const timeout = durationReason(rule.timeout);
  if (timeout) bad(['timeout'], `timeout ${show(rule.timeout)}: ${timeout}`, 'Write the timeout in whole milliseconds, e.g. 5s or 1500ms.');
}

function nonEmpty(v: unknown): boolean {
  return typeof v === 'string' && v !== '';
}

/** The keys of an inline JWKS (a set, or a single key), or why it does not parse. */
function parseJwks(text: string): JsonWebKey[] | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return e instanceof Error ? e.message : 'invalid JSON';
  }
  if (!isRecord(json)) return 'not a JSON object';
  const keys = Array.isArray(json.keys) ? json.keys : 'keys' in json ? undefined : [json];
  if (!keys) return '"keys" must be a list';
  for (const [i, key] of keys.entries()) {
    const reason = jwkReason(key);
    if (reason) return `key ${i}: ${reason}`;
  }
  return keys as JsonWebKey[];
}

function jwkReason(key: unknown): string | undefined {
  if (!isRecord(key)) return 'not a JSON object';
  if (typeof key.kty !== 'string') return 'missing "kty"';
  if (key.kty === 'oct') return typeof key.k === 'string' ? undefined : 'missing "k"';
  if (!['RSA', 'EC', 'OKP'].includes(key.kty)) return `unsupported key type ${show(key.kty)}`;
  try {
    const jwk = key as JsonWebKey;
    if (typeof key.d === 'string') createPrivateKey({ key: jwk, format: 'jwk' });
    else createPublicKey({ key: jwk, format: 'jwk' });
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : 'invalid key';
  }
}

function isPrivate(key: JsonWebKey): boolean {
  return key.kty === 'oct' || typeof key.d === 'string';
}

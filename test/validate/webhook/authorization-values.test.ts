import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathTemplateReason, serviceAccountReason } from '../../../src/validate/webhook/authorization-values';

// The checks as they were before synthcheck10 (splitting every value): the faster ones must give
// the very same reason for every value.
function referenceServiceAccountReason(v: string): string | undefined {
  if (v === '') return 'empty value not allowed';
  if (v.includes('*')) return 'wildcard not allowed';
  const slashes = v.split('/').length - 1;
  if (slashes > 1) return `expected format 'serviceAccount' or 'namespace/serviceAccount', found ${JSON.stringify(v)}`;
  if (slashes === 1) {
    const [ns, sa] = v.split('/');
    if (ns === '') return `expected format 'serviceAccount' or 'namespace/serviceAccount', found empty namespace ${JSON.stringify(v)}`;
    if (sa === '') return `expected format 'serviceAccount' or 'namespace/serviceAccount', found empty serviceAccount ${JSON.stringify(v)}`;
  }
  return undefined;
}

const VALID_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;
function referencePathTemplateReason(value: string): string | undefined {
  const template = value.includes('{*}') || value.includes('{**}');
  const path = value.replace(/^\/+/, '').replace(/\/+$/, '');
  let matchAny = false;
  for (const glob of path.split('/')) {
    if (glob === '{*}' && !matchAny) continue;
    if (glob === '{**}' && !matchAny) {
      matchAny = true;
      continue;
    }
    if ((glob === '{**}' || glob === '{*}') && matchAny) return `invalid or unsupported path ${path}: {**} is not the last operator`;
    if (glob.includes('{') || glob.includes('}')) return `invalid or unsupported path ${path}: contains '{' or '}' beyond a supported path template`;
    if (template && !VALID_LITERAL.test(glob)) return `invalid or unsupported path ${path}: contains segment ${glob} with invalid string literal`;
  }
  return undefined;
}

const piece = fc.constantFrom('a', 'ns', '/', '//', '*', '{*}', '{**}', '{', '}', ' ', '%20', '?', '');
const value = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));

describe('AuthorizationPolicy value checks', () => {
  it('give the same service account reasons as splitting the value (property)', () => {
    fc.assert(fc.property(value, (v) => {
      expect(serviceAccountReason(v)).toBe(referenceServiceAccountReason(v));
    }), { numRuns: 5000, seed: 1017 });
  });

  it('give the same path template reasons as checking every segment (property)', () => {
    fc.assert(fc.property(value, (v) => {
      expect(pathTemplateReason(v)).toBe(referencePathTemplateReason(v));
    }), { numRuns: 5000, seed: 1017 });
  });
});

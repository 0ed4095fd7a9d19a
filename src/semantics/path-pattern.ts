import { TrustmeshError, TrustmeshUsageError } from '../errors';
import { compilePathTemplate, isPathTemplate } from './path-normalization';
import { matchesIstioString } from './string-match';

/** The kinds of path pattern an intention may use. */
export type PathPatternKind = 'exact' | 'prefix' | 'suffix' | 'presence' | 'template';

// RFC 3986 pchar without percent-encoding (handled separately): unreserved / sub-delims / ":" / "@".
const PCHAR = "A-Za-z0-9\\-._~!$&'()*+,;=:@";
const LITERAL_SEGMENT = new RegExp(`^(?:[${PCHAR.replace('*', '')}]|%[0-9A-Fa-f]{2})+$`);

/**
 * Classifies and validates a path pattern as Istio accepts it in AuthorizationPolicy `paths`:
 * `/exact`, `/prefix/*`, `*.suffix`, `*`, or a URI template with `{*}` (one segment) and `{**}`
 * (any number of segments; the last operator).
 * @throws TrustmeshError TM_INVALID_PATH or TM_INVALID_PATH_TEMPLATE
 */
export function classifyPathPattern(pattern: string): PathPatternKind {
  if (typeof pattern !== 'string') throw new TrustmeshUsageError('path must be a string');
  if (pattern === '*') return 'presence';
  if (pattern.includes('{') || pattern.includes('}')) {
    assertTemplate(pattern);
    return 'template';
  }
  const stars = pattern.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !pattern.startsWith('*') && !pattern.endsWith('*'))) {
    throw new TrustmeshError('TM_INVALID_PATH', 'path has a "*" that is not at its start or end', {
      value: pattern,
      allowed: 'an exact path "/a/b", a prefix "/a/*", a suffix "*.css", "*", or a template "/a/{*}/b"',
      fix: pattern.includes('/*/') ? `use a template: "${pattern.replace(/\/\*\//g, '/{*}/')}"` : undefined,
    });
  }
  if (pattern.startsWith('*')) return 'suffix';
  if (!pattern.startsWith('/')) {
    throw new TrustmeshError('TM_INVALID_PATH', 'path does not start with "/"', {
      value: pattern,
      allowed: 'a path starting with "/" (or a "*" suffix pattern)',
      fix: `did you mean "/${pattern}"?`,
    });
  }
  if (/[?#]/.test(pattern)) {
    throw new TrustmeshError('TM_INVALID_PATH', 'path contains a query or fragment, which Istio strips before matching', {
      value: pattern,
      allowed: 'the path part only',
      fix: `use "${pattern.split(/[?#]/)[0]}"`,
    });
  }
  return pattern.endsWith('*') ? 'prefix' : 'exact';
}

function assertTemplate(pattern: string): void {
  const bad = (problem: string, fix?: string): TrustmeshError => new TrustmeshError('TM_INVALID_PATH_TEMPLATE', `path template ${problem}`, {
    value: pattern,
    allowed: 'segments that are RFC 3986 literals, "{*}" (exactly one segment) or "{**}" (any number of segments, last operator only), e.g. "/users/{*}/orders" or "/files/{**}"',
    fix,
  });
  if (!pattern.startsWith('/')) throw bad('does not start with "/"', `did you mean "/${pattern}"?`);
  const segments = pattern.slice(1).split('/');
  let sawGlob = false;
  for (const segment of segments) {
    if (segment === '{*}' || segment === '{**}') {
      if (sawGlob) throw bad('has an operator after "{**}"', 'make "{**}" the last operator');
      if (segment === '{**}') sawGlob = true;
      continue;
    }
    if (segment.includes('{') || segment.includes('}')) {
      throw bad(`has segment "${segment}" mixing text and an operator`, 'an operator must be a whole segment: "/a/{*}/b"');
    }
    if (segment.includes('*')) throw bad('mixes "*" wildcards with template operators', 'use "{*}" or "{**}" segments only');
    if (segment === '' ) continue;
    if (!LITERAL_SEGMENT.test(segment)) throw bad(`has segment "${segment}" with characters outside RFC 3986 pchar`);
  }
}

/**
 * Whether a normalized request path (without query) matches a validated pattern.
 */
export function matchesPathPattern(pattern: string, path: string | undefined): boolean {
  if (path === undefined) return false;
  if (!isPathTemplate(pattern)) return matchesIstioString(pattern, path);
  let re = templateCache.get(pattern);
  if (re === undefined) {
    re = compilePathTemplate(pattern) ?? null;
    templateCache.set(pattern, re);
  }
  return re !== null && re.test(path);
}

const templateCache = new Map<string, RegExp | null>();

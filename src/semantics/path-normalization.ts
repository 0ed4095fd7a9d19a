/**
 * Request path normalization before authorization, and the `{*}` / `{**}` path templates of
 * `paths` / `notPaths`.
 *
 * @see https://istio.io/latest/docs/reference/config/security/normalization/
 * @see https://istio.io/latest/docs/ops/best-practices/security/#customize-your-system-on-path-normalization
 * @module
 */

/** MeshConfig `pathNormalization.normalization`. */
export type PathNormalization = 'NONE' | 'BASE' | 'MERGE_SLASHES' | 'DECODE_AND_MERGE_SLASHES';

/** The valid {@link PathNormalization} values. */
export const PATH_NORMALIZATIONS: readonly PathNormalization[] = ['NONE', 'BASE', 'MERGE_SLASHES', 'DECODE_AND_MERGE_SLASHES'];

// Unreserved characters that BASE decodes (normalization page, table "Single percent-encoded character").
function isUnreservedCode(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) // 0-9
    || (code >= 0x41 && code <= 0x5a) // A-Z
    || (code >= 0x61 && code <= 0x7a) // a-z
    || code === 0x2d || code === 0x2e || code === 0x5f || code === 0x7e; // - . _ ~
}

/**
 * Returns the path that authorization policies see: the query (`?…`) and fragment (`#…`) removed,
 * then normalized in the documented order:
 *
 * 1. `DECODE_AND_MERGE_SLASHES` only: percent-decode `%2F`/`%2f` to `/` and `%5C`/`%5c` to `\`.
 * 2. `BASE` and stronger: decode percent-encoded unreserved characters (once), turn `\` into `/`,
 *    and remove `.`/`..` segments per RFC 3986 §5.2.4 (Envoy `normalize_path`).
 * 3. `MERGE_SLASHES` and stronger: merge runs of `/`.
 *
 * `NONE` only strips the query.
 */
export function normalizePath(path: string, mode: PathNormalization): string {
  let p = path;
  const q = p.search(/[?#]/);
  if (q >= 0) p = p.slice(0, q);
  if (mode === 'NONE') return p;
  if (mode === 'DECODE_AND_MERGE_SLASHES') {
    p = p.replace(/%2f/gi, '/').replace(/%5c/gi, '\\');
  }
  p = p.replace(/%([0-9a-fA-F]{2})/g, (match, hex: string) => {
    const code = parseInt(hex, 16);
    return isUnreservedCode(code) ? String.fromCharCode(code) : match;
  });
  p = p.replace(/\\/g, '/');
  p = removeDotSegments(p);
  if (mode === 'MERGE_SLASHES' || mode === 'DECODE_AND_MERGE_SLASHES') p = p.replace(/\/{2,}/g, '/');
  return p;
}

/** RFC 3986 §5.2.4 remove_dot_segments. */
function removeDotSegments(input: string): string {
  let rest = input;
  const out: string[] = [];
  while (rest.length > 0) {
    if (rest.startsWith('../')) {rest = rest.slice(3);} else if (rest.startsWith('./')) {rest = rest.slice(2);} else if (rest.startsWith('/./')) {rest = rest.slice(2);} else if (rest === '/.') {rest = '/';} else if (rest.startsWith('/../')) {
      rest = rest.slice(3);
      out.pop();
    } else if (rest === '/..') {
      rest = '/';
      out.pop();
    } else if (rest === '.' || rest === '..') {rest = '';} else {
      const next = rest.indexOf('/', rest.startsWith('/') ? 1 : 0);
      const segment = next < 0 ? rest : rest.slice(0, next);
      out.push(segment);
      rest = next < 0 ? '' : rest.slice(next);
    }
  }
  return out.join('');
}

/** True when a `paths` value is a path template (contains `{*}` or `{**}`), like Istio's `ContainsPathTemplate`. */
export function isPathTemplate(value: string): boolean {
  return value.includes('{*}') || value.includes('{**}');
}

// RFC 3986 pchar without "*" (Envoy uri_template kLiteral).
const PCHAR = "a-zA-Z0-9\\-._~%!$&'()+,;:@=";

/**
 * Compiles a path template to the regular expression Envoy's `uri_template` matcher uses:
 * `{*}` → `[pchar]+` (exactly one non-empty segment), `{**}` → `[pchar/]*` (zero or more
 * characters including `/`), full match. Returns undefined for templates Istio rejects
 * (`CheckValidPathTemplate`): a segment mixing an operator with other characters, a bare `*`,
 * `{**}` followed by another operator, or other characters outside pchar.
 *
 * Note: the authorization-policy reference lists `/foo/{**}/` as matching `/foo/bar/baz.txt`; the
 * Envoy regex (which is what enforces the policy) requires the trailing `/`, and so does this.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
 */
export function compilePathTemplate(template: string): RegExp | undefined {
  if (!template.startsWith('/')) return undefined;
  const segments = template.split('/');
  let seenTextGlob = false;
  let regex = '';
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (i > 0) regex += '/';
    if (seg === '{*}' || seg === '{**}') {
      if (seenTextGlob) return undefined;
      if (seg === '{**}') {
        seenTextGlob = true;
        regex += `[${PCHAR}/]*`;
      } else {
        regex += `[${PCHAR}]+`;
      }
      continue;
    }
    if (seg.includes('{') || seg.includes('}') || seg.includes('*')) return undefined;
    if (seg !== '' && !new RegExp(`^[${PCHAR}]+$`).test(seg)) return undefined;
    regex += seg.replace(/[.$()+]/g, (c) => `\\${c}`);
  }
  return new RegExp(`^${regex}$`);
}

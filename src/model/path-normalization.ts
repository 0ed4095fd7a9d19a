/**
 * Path normalization options of MeshConfig `pathNormalization.normalization`.
 * @see https://istio.io/latest/docs/reference/config/security/normalization/
 */
export type PathNormalization = 'NONE' | 'BASE' | 'MERGE_SLASHES' | 'DECODE_AND_MERGE_SLASHES';

/**
 * Normalizes a request path the way Istio does before authorization, and strips the query and
 * fragment. BASE (the default) applies RFC 3986 normalization: dot segments are removed and
 * backslashes become slashes; percent-encoded unreserved characters are decoded.
 */
export function normalizeRequestPath(rawPath: string, mode: PathNormalization = 'BASE'): string {
  let path = rawPath.split(/[?#]/)[0];
  if (mode === 'NONE') return path;
  if (mode === 'DECODE_AND_MERGE_SLASHES') {
    path = path.replace(/%2f/gi, '/').replace(/%5c/gi, '\\');
  }
  path = path.replace(/\\/g, '/');
  path = decodeUnreserved(path);
  if (mode === 'MERGE_SLASHES' || mode === 'DECODE_AND_MERGE_SLASHES') path = path.replace(/\/{2,}/g, '/');
  return removeDotSegments(path.startsWith('/') ? path : `/${path}`);
}

function decodeUnreserved(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_all, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}

/** RFC 3986 §5.2.4. */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i];
    const last = i === segments.length - 1;
    if (s === '.') {
      if (last) out.push('');
    } else if (s === '..') {
      out.pop();
      if (last) out.push('');
    } else {
      out.push(s);
    }
  }
  return `/${out.join('/')}`;
}

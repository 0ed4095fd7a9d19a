/**
 * Collapses observed request paths into a few readable Istio path patterns: one exact path where
 * a first segment saw only that path, else `/<first-segment>/*` (Istio's prefix match), plus the
 * bare `/<first-segment>` when it was called too. `/orders/7`, `/orders/8`, `/orders/8/items`
 * become `/orders/*`; `/healthz` stays `/healthz`. Query strings are not part of the match.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
 * @module
 */

/** The patterns that cover every path, sorted. */
export function collapsePaths(paths: Iterable<string>): string[] {
  const byFirst = new Map<string, Set<string>>();
  for (const raw of paths) {
    const q = raw.search(/[?#]/);
    const p = q >= 0 ? raw.slice(0, q) : raw;
    const path = p.startsWith('/') ? p : `/${p}`;
    const first = path.split('/')[1] ?? '';
    let set = byFirst.get(first);
    if (!set) {
      set = new Set();
      byFirst.set(first, set);
    }
    set.add(path);
  }
  const out = new Set<string>();
  for (const [first, set] of byFirst) {
    if (first === '') {
      out.add('/');
      continue;
    }
    const deeper = [...set].filter((p) => p !== `/${first}`);
    if (set.has(`/${first}`)) out.add(`/${first}`);
    if (deeper.length === 1 && !/\/(\d+|[0-9a-f]{8,}|[0-9a-f-]{36})(\/|$)/i.test(deeper[0])) out.add(deeper[0]);
    else if (deeper.length > 0) out.add(`/${first}/*`);
  }
  return [...out].sort();
}

/** True when an Istio path pattern (exact, `prefix*` or `*suffix`) matches the path (query stripped). */
export function pathPatternMatches(pattern: string, raw: string): boolean {
  const q = raw.search(/[?#]/);
  const path = q >= 0 ? raw.slice(0, q) : raw;
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return path.endsWith(pattern.slice(1));
  return path === pattern;
}

/**
 * Route rules a VirtualService never uses — the webhook's warnings that istioctl reports as
 * their own codes (`pkg/config/validation/validation.go` `analyzeUnreachableHTTPRules`, `…TCP…`,
 * `…TLS…`), reported on the VirtualService at the rule:
 *
 * - `TM_VIRTUAL_SERVICE_UNREACHABLE_RULE` (warning, `IST0130` VirtualServiceUnreachableRule): a
 *   rule after a rule without `match` ("route without matches defined before", "only the last
 *   rule can have no matches"), or whose every match an earlier rule already has ("all matches
 *   used by prior rules"). Envoy takes the first matching rule, so this one never sees a request.
 * - `TM_VIRTUAL_SERVICE_INEFFECTIVE_MATCH` (info, `IST0131` VirtualServiceIneffectiveMatch): one
 *   match duplicates an earlier rule's match (names aside), or — for `uri.prefix` matches — an
 *   earlier prefix covers it with the same port, method, authority, headers, query parameters and
 *   `withoutHeaders` ("duplicate/overlapping match in rule …").
 *
 * Matches compare as istiod compares them: as data, with empty values and the match `name` left
 * out. Rules are named `"name"` (HTTP rules with a name) or `#index`, as in istioctl's messages.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0130/
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0131/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { list } from './virtual-service-routes';
import { Diagnostic } from '../../../errors';
import { canonicalJson } from '../../../private/canonical-json';
import { asRecord, isRecord } from '../../../private/records';
import { IstioResource } from '../../config/istio-config';
import { FieldPath } from '../../config/yaml-source';

const UNREACHABLE: AnalyzerCheck = {
  code: 'TM_VIRTUAL_SERVICE_UNREACHABLE_RULE',
  severity: 'warning',
  upstreamCode: 'IST0130',
  title: 'a VirtualService route rule that earlier rules leave no request to',
};
const INEFFECTIVE: AnalyzerCheck = {
  code: 'TM_VIRTUAL_SERVICE_INEFFECTIVE_MATCH',
  severity: 'info',
  upstreamCode: 'IST0131',
  title: 'a VirtualService match that an earlier match duplicates or covers',
};

type Kind = 'http' | 'tcp' | 'tls';

/** A `uri.prefix` match reduced to what the overlap check compares. */
interface PrefixMatch {
  readonly route: string;
  readonly match: string;
  readonly path: FieldPath;
  readonly prefix: string;
  readonly port: number;
  readonly method: string;
  readonly authority: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly queryParams: Readonly<Record<string, string>>;
  readonly withoutHeaders: Readonly<Record<string, string>>;
}

/** The rule family. */
export const virtualServiceUnreachableRulesRule: AnalyzerRule = {
  name: 'virtual-service-unreachable-rules',
  checks: [UNREACHABLE, INEFFECTIVE],
  run(context) {
    const out: Diagnostic[] = [];
    for (const vs of context.config.virtualServices) for (const kind of ['http', 'tcp', 'tls'] as const) analyzeRules(vs, kind, out);
    return out;
  },
};

function analyzeRules(vs: IstioResource, kind: Kind, out: Diagnostic[]): void {
  const routes = list(vs.spec[kind]);
  const seen = new Map<string, number>();
  const prefixes: PrefixMatch[] = [];
  let catchAll = -1;
  const unreachable = (rule: number, reason: string): void => {
    out.push(finding(UNREACHABLE, vs, ['spec', kind, rule],
      `${objectRef(vs)}: ${kind} rule ${routeName(routes, kind, rule)} is not used (${reason}); Envoy takes the first rule that matches`,
      catchAll >= 0 && catchAll !== rule
        ? `Move the rule without match (${routeName(routes, kind, catchAll)}) to the end, or give it a match.`
        : 'Remove the rule, or make its match more specific than the earlier rules (or move it before them).'));
  };
  routes.forEach((raw, rule) => {
    if (!isRecord(raw)) return;
    const matches = list(raw.match);
    if (matches.length === 0) {
      if (catchAll >= 0) unreachable(rule, 'only the last rule can have no matches');
      catchAll = rule;
      return;
    }
    if (catchAll >= 0) {
      unreachable(rule, 'route without matches defined before');
      return;
    }
    let duplicates = 0;
    matches.forEach((m, i) => {
      const key = matchKey(m, kind);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        duplicates++;
        out.push(finding(INEFFECTIVE, vs, ['spec', kind, rule, 'match', i],
          `${objectRef(vs)}: ${kind} rule ${routeName(routes, kind, rule)} match ${matchName(m, kind, i)} is not used (duplicate/overlapping match in rule ${routeName(routes, kind, earlier)})`,
          'Remove the duplicate match, or change it so it differs from the earlier one.'));
        return;
      }
      seen.set(key, rule);
      if (kind === 'http') {
        const p = prefixMatch(routes, rule, m, i);
        if (p) prefixes.push(p);
      }
    });
    if (duplicates === matches.length) unreachable(rule, 'all matches used by prior rules');
  });
  for (let a = 0; a < prefixes.length; a++) {
    for (let b = a + 1; b < prefixes.length; b++) {
      const first = prefixes[a];
      const later = prefixes[b];
      if (later.prefix === first.prefix || !covers(first, later)) continue;
      out.push(finding(INEFFECTIVE, vs, later.path,
        `${objectRef(vs)}: http rule ${later.route} match ${later.match} of prefix ${later.prefix} is not used (duplicate/overlapping match in rule ${first.match} of prefix ${first.prefix} on ${first.route})`,
        `Put the longer prefix ${later.prefix} before ${first.prefix}, or make the matches differ in port, method, authority or headers.`));
    }
  }
}

/** The match as data, without `name` and empty values: equal keys mean equal matches. */
function matchKey(match: unknown, kind: Kind): string {
  const m = isRecord(match) ? { ...match } : {};
  if (kind === 'http') delete m.name;
  return canonicalJson(withoutEmpty(m));
}

function withoutEmpty(x: unknown): unknown {
  if (Array.isArray(x)) return x.length === 0 ? undefined : x.map(withoutEmpty);
  if (isRecord(x)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      const w = withoutEmpty(v);
      if (w !== undefined) out[k] = w;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return x === '' || x === 0 || x === false || x === null ? undefined : x;
}

function routeName(routes: readonly unknown[], kind: Kind, index: number): string {
  const name = asRecord(routes[index]).name;
  return kind === 'http' && typeof name === 'string' && name !== '' ? JSON.stringify(name) : `#${index}`;
}

function matchName(match: unknown, kind: Kind, index: number): string {
  const name = asRecord(match).name;
  return kind === 'http' && typeof name === 'string' && name !== '' ? JSON.stringify(name) : `#${index}`;
}

function prefixMatch(routes: readonly unknown[], rule: number, raw: unknown, i: number): PrefixMatch | undefined {
  const m = asRecord(raw);
  const prefix = asRecord(m.uri).prefix;
  if (typeof prefix !== 'string' || prefix === '') return undefined;
  const stringMatches = (x: unknown): Record<string, string> =>
    Object.fromEntries(Object.entries(asRecord(x)).map(([k, v]) => [k, exactOrPrefix(v)]));
  return {
    route: routeName(routes, 'http', rule),
    match: matchName(raw, 'http', i),
    path: ['spec', 'http', rule, 'match', i],
    prefix,
    port: typeof m.port === 'number' ? m.port : 0,
    // istiod compares the method as GET when a prefix match names none.
    method: exactOrPrefix(m.method) || 'exact:GET',
    authority: exactOrPrefix(m.authority),
    headers: stringMatches(m.headers),
    queryParams: stringMatches(m.queryParams),
    withoutHeaders: stringMatches(m.withoutHeaders),
  };
}

/** `exact:v` or `prefix:v` of a StringMatch (regex matches compare as empty, as in istiod). */
function exactOrPrefix(x: unknown): string {
  const r = asRecord(x);
  if (typeof r.exact === 'string' && r.exact !== '') return `exact:${r.exact}`;
  if (typeof r.prefix === 'string' && r.prefix !== '') return `prefix:${r.prefix}`;
  return '';
}

/** istiod's `coveredValidation`: the earlier match takes every request the later one would. */
function covers(a: PrefixMatch, b: PrefixMatch): boolean {
  if (!b.prefix.startsWith(a.prefix) || a.port !== b.port) return false;
  if (a.method !== b.method && !a.method.startsWith(b.method)) return false;
  if (a.authority !== b.authority && !a.authority.startsWith(b.authority)) return false;
  return sameOrPrefixed(a.headers, b.headers) && sameOrPrefixed(a.queryParams, b.queryParams) && sameOrPrefixed(a.withoutHeaders, b.withoutHeaders);
}

function sameOrPrefixed(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => k in b && (a[k] === b[k] || a[k].startsWith(b[k])));
}

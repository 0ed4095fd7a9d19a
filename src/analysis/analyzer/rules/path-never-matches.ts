/**
 * `TM_PATH_NEVER_MATCHES`: a `paths` / `notPaths` value that no request path can equal, because it
 * holds a character the proxy never compares:
 *
 * - whitespace or a control character: clients send them percent-encoded (`%20`), and Envoy
 *   rejects a request line or `:path` that holds them raw;
 * - `?` or `#`: authorization matches the path without its query, and the fragment is never sent.
 *
 * A DENY on such a value never applies, an ALLOW never matches, and a `notPaths` exclusion never
 * excludes anything — whatever the author meant, it is not what happens.
 *
 * Upstream: none (istiod accepts these values).
 *
 * @see https://istio.io/latest/docs/reference/config/security/normalization/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { AuthorizationPolicyResource } from '../../config/istio-config';
import { FieldPath, fieldString } from '../../config/yaml-source';

const CHECK: AnalyzerCheck = {
  code: 'TM_PATH_NEVER_MATCHES',
  severity: 'warning',
  title: 'an AuthorizationPolicy path holds a character no request path has (a raw space, ? or #)',
};

// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const UNSENDABLE = /[\s\u0000-\u001f\u007f?#]/;

/** The rule. */
export const pathNeverMatchesRule: AnalyzerRule = {
  name: 'path-never-matches',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    // Index loops without a closure or a field path per value: every path of a large mesh is read.
    for (const ap of context.config.authorizationPolicies) {
      const rules = ap.spec.rules;
      for (let i = 0; i < rules.length; i++) {
        const to = rules[i]?.to;
        if (!to) continue;
        for (let j = 0; j < to.length; j++) {
          const operation = to[j]?.operation;
          if (!operation) continue;
          checkPaths(ap, operation.paths, i, j, 'paths', out);
          checkPaths(ap, operation.notPaths, i, j, 'notPaths', out);
        }
      }
    }
    return out;
  },
};

function checkPaths(ap: AuthorizationPolicyResource, values: readonly string[] | undefined, i: number, j: number, field: 'paths' | 'notPaths',
  out: Diagnostic[]): void {
  if (!values) return;
  for (let k = 0; k < values.length; k++) {
    const value = values[k];
    // A hole of a sparse list (built by a tool, never read from YAML), which forEach skipped.
    if ((value as string | undefined) === undefined) continue;
    const bad = UNSENDABLE.exec(value);
    if (bad) out.push(report(ap, ['spec', 'rules', i, 'to', j, 'operation', field, k], value, bad[0], i));
  }
}

function report(ap: AuthorizationPolicyResource, path: FieldPath, value: string, char: string, i: number): Diagnostic {
  const negated = path[path.length - 2] === 'notPaths';
  const effect = negated ? 'the exclusion never excludes anything'
    : ap.spec.action === 'ALLOW' ? 'the rule never allows a request on it' : `this ${ap.spec.action} rule never applies to it`;
  const why = char === '?' ? 'authorization compares the path without its query'
    : char === '#' ? 'the fragment is never sent to the server'
      : `a request path never holds a raw ${describeChar(char)}: clients percent-encode it and the proxy rejects requests that do not`;
  return finding(CHECK, ap, path,
    `${objectRef(ap)} rule ${i}: ${fieldString(path)} "${value}" can never equal a request path (${why}), so ${effect}`,
    char === '?' || char === '#'
      ? `Match the path alone, ${JSON.stringify(value.slice(0, value.indexOf(char)))}: authorization policies cannot match ${char === '?' ? 'query parameters' : 'fragments'}.`
      : `Write the path as clients send it, percent-encoded: ${JSON.stringify(value.replace(/[\s\u0000-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`))}.`);
}

function describeChar(char: string): string {
  if (char === ' ') return 'space';
  if (char === '\t') return 'tab';
  return `control character U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * `TM_PATH_NORMALIZATION_BYPASS`: a DENY on `paths` (or an ALLOW carving out `notPaths`) that a
 * request can dodge by spelling the path differently, because the mesh's path normalization
 * leaves that spelling alone while the application treats it as the denied path.
 *
 * Istio normalizes the path before authorization per `meshConfig.pathNormalization`; the default
 * `BASE` decodes unreserved characters, turns `\` into `/` and removes `.`/`..` segments but does
 * **not** merge slashes, so a DENY on `/admin` does not match `//admin`, which most servers route
 * to `/admin`. `MERGE_SLASHES` closes that; `DECODE_AND_MERGE_SLASHES` also closes `%2F`.
 *
 * The check builds concrete request paths from each value (exact, `prefix*`, `{*}`/`{**}`
 * templates), and reports one whose proxy view (the mesh's normalization) does not match the rule
 * while an application view (decode `%2F`, merge slashes) does. Error when a plain spelling
 * (`//`, `/./`, `%61`, `\`) gets through; warning when only an encoded slash (`%2F`) does.
 *
 * Upstream: no istioctl/Kiali code; Istio's security best practices ("Customize your system on
 * path normalization").
 *
 * @see https://istio.io/latest/docs/ops/best-practices/security/#customize-your-system-on-path-normalization
 * @see https://istio.io/latest/docs/reference/config/security/normalization/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, RuleContext, finding, objectRef } from './rule-types';
import { Diagnostic, Severity } from '../../../errors';
import { isPathTemplate, normalizePath, PathNormalization } from '../../../semantics/path-normalization';
import { matchesPathPattern } from '../../../semantics/path-pattern';
import { AuthorizationPolicyResource } from '../../config/istio-config';
import { FieldPath, fieldString } from '../../config/yaml-source';

const CHECK: AnalyzerCheck = {
  code: 'TM_PATH_NORMALIZATION_BYPASS',
  severity: 'error',
  title: 'a path-based DENY can be bypassed by a spelling the mesh path normalization lets through',
};

interface Bypass {
  readonly request: string;
  readonly proxySees: string;
  readonly appSees: string;
  readonly severity: Severity;
}

/** The rule. */
export const pathNormalizationBypassRule: AnalyzerRule = {
  name: 'path-normalization-bypass',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    for (const ap of context.config.authorizationPolicies) {
      const field = ap.spec.action === 'DENY' ? 'paths' : ap.spec.action === 'ALLOW' ? 'notPaths' : undefined;
      if (!field) continue;
      const rules = ap.spec.rules;
      for (let i = 0; i < rules.length; i++) {
        const to = rules[i]?.to;
        if (!to) continue;
        for (let j = 0; j < to.length; j++) {
          const values = to[j]?.operation?.[field];
          if (!values) continue;
          for (let k = 0; k < values.length; k++) {
            const value = values[k];
            // A hole of a sparse list (built by a tool, never read from YAML), which forEach skipped.
            if ((value as string | undefined) === undefined) continue;
            const bypass = findBypass(value, context.mesh.pathNormalization);
            if (bypass) out.push(report(context, ap, ['spec', 'rules', i, 'to', j, 'operation', field, k], value, i, bypass));
          }
        }
      }
    }
    return out;
  },
};

/** A request path that escapes `value` under `mode` but that an application would treat as matching, if any. */
export function findBypass(value: string, mode: PathNormalization): Bypass | undefined {
  const matcher = pathMatcher(value);
  if (!matcher) return undefined;
  for (const [candidate, severity] of candidates(matcher.sample)) {
    const proxySees = normalizePath(candidate, mode);
    const appSees = normalizePath(candidate, 'DECODE_AND_MERGE_SLASHES');
    if (!matcher.test(proxySees) && matcher.test(appSees)) return { request: candidate, proxySees, appSees, severity };
  }
  return undefined;
}

function pathMatcher(value: string): { sample: string; test: (p: string) => boolean } | undefined {
  // Suffix and presence patterns do not depend on how the path starts.
  if (!value.startsWith('/')) return undefined;
  const test = (p: string): boolean => matchesPathPattern(value, p);
  if (isPathTemplate(value)) return { sample: value.replace(/\{\*\*\}|\{\*\}/g, 'x'), test };
  if (value.endsWith('*')) {
    const prefix = value.slice(0, -1);
    return { sample: prefix.endsWith('/') ? `${prefix}x` : prefix, test };
  }
  return { sample: value, test };
}

// Spellings of `path`, plain ones first.
function candidates(path: string): [string, Severity][] {
  const out: [string, Severity][] = [[`/${path}`, 'error'], [`/.${path}`, 'error']];
  const letter = /[A-Za-z]/.exec(path.slice(1));
  if (letter) {
    const at = letter.index + 1;
    out.push([`${path.slice(0, at)}%${path.charCodeAt(at).toString(16).toUpperCase()}${path.slice(at + 1)}`, 'error']);
  }
  const inner = path.indexOf('/', 1);
  if (inner > 0) {
    out.push([`${path.slice(0, inner)}\\${path.slice(inner + 1)}`, 'error']);
    out.push([`${path.slice(0, inner)}%2F${path.slice(inner + 1)}`, 'warning']);
  }
  out.push([`/%2F${path.slice(1)}`, 'warning']);
  return out;
}

function report(context: RuleContext, ap: AuthorizationPolicyResource, path: FieldPath, value: string, i: number, bypass: Bypass): Diagnostic {
  const mode = context.mesh.pathNormalization;
  const deny = ap.spec.action === 'DENY';
  const what = deny
    ? `DENY rule ${i} on "${value}" (${fieldString(path)}): the request path "${bypass.request}" is not denied`
    : `ALLOW rule ${i} excludes "${value}" with notPaths (${fieldString(path)}), but the request path "${bypass.request}" is allowed`;
  const fix = bypass.severity === 'error'
    ? 'Set meshConfig.pathNormalization.normalization to MERGE_SLASHES (DECODE_AND_MERGE_SLASHES if the application decodes %2F), or invert the policy: ALLOW the public paths explicitly.'
    : 'If the application decodes %2F in paths, set meshConfig.pathNormalization.normalization to DECODE_AND_MERGE_SLASHES; otherwise invert the policy: ALLOW the public paths explicitly.';
  return finding(CHECK, ap, path,
    `${objectRef(ap)} ${what}: with pathNormalization ${mode} the proxy compares "${bypass.proxySees}" with the rule, while an application that merges slashes${bypass.severity === 'warning' ? ' and decodes %2F' : ''} serves "${bypass.appSees}"`,
    fix, { severity: bypass.severity });
}

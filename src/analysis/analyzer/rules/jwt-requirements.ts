/**
 * End-user (JWT) authentication needs two objects: a RequestAuthentication that validates tokens,
 * and an AuthorizationPolicy that requires one. Either alone is a mistake:
 *
 * - `TM_JWT_WITHOUT_REQUEST_AUTHN` (error): a policy matches on `requestPrincipals`,
 *   `notRequestPrincipals` or `request.auth.*` for workloads no RequestAuthentication applies to.
 *   No request then has a request principal: an ALLOW on it never matches, a DENY on
 *   `notRequestPrincipals` denies everything, a DENY on `requestPrincipals` never applies.
 * - `TM_REQUEST_AUTHN_NOT_ENFORCED` (warning): a RequestAuthentication whose workloads have no
 *   ALLOW/DENY policy requiring a token. "A request without a token is accepted with no identity",
 *   so only requests with an *invalid* token are refused.
 * - `TM_JWT_ISSUER_NOT_ACCEPTED` (error): a `requestPrincipals` value (`<iss>/<sub>`) whose issuer
 *   no applying `jwtRules[].issuer` can produce, so it never matches a validated token.
 *
 * Upstream: no istioctl or Kiali code checks these (the closest is `IST0149`,
 * JwtClaimBasedRoutingWithoutRequestAuthN, for VirtualService claim routing).
 *
 * @see https://istio.io/latest/docs/reference/config/security/request_authentication/
 * @see https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#end-user-authentication
 * @module
 */
import { describeTarget, policyTargets, PolicyScope, PolicyTarget, scopeOf, scopesOverlap, SelectingObject } from './policy-targets';
import { AnalyzerCheck, AnalyzerRule, RuleContext, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { AuthorizationPolicyResource, AuthorizationRule, AuthorizationSource, RequestAuthenticationResource } from '../../config/istio-config';
import { FieldPath, fieldString } from '../../config/yaml-source';
import { isDryRunPolicy } from '../../evaluator/authorization-rule';

const WITHOUT_AUTHN: AnalyzerCheck = {
  code: 'TM_JWT_WITHOUT_REQUEST_AUTHN',
  severity: 'error',
  title: 'an AuthorizationPolicy requires a JWT but no RequestAuthentication validates one',
};
const NOT_ENFORCED: AnalyzerCheck = {
  code: 'TM_REQUEST_AUTHN_NOT_ENFORCED',
  severity: 'warning',
  title: 'a RequestAuthentication without an AuthorizationPolicy requiring a token',
};
const ISSUER: AnalyzerCheck = {
  code: 'TM_JWT_ISSUER_NOT_ACCEPTED',
  severity: 'error',
  title: 'a requestPrincipals value names an issuer no RequestAuthentication accepts',
};

/** The rule family. */
export const jwtRequirementsRule: AnalyzerRule = {
  name: 'jwt-requirements',
  checks: [WITHOUT_AUTHN, NOT_ENFORCED, ISSUER],
  run(context) {
    const out: Diagnostic[] = [];
    const root = context.mesh.rootNamespace;
    // Scopes are compared only within a namespace and with the root namespace: indexed once, not
    // scanned per policy (quadratic on a large mesh).
    let requestAuthns: ScopeIndex<RequestAuthenticationResource> | undefined;
    const requestAuthnIndex = (): ScopeIndex<RequestAuthenticationResource> =>
      requestAuthns ??= new ScopeIndex(context.config.requestAuthentications, root);
    // One walk over every policy's rules: the policies that read a token are checked, and those
    // that require one kept for the RequestAuthentications below.
    const requiring: AuthorizationPolicyResource[] = [];
    for (const ap of context.config.authorizationPolicies) {
      if (!someRuleHasTokenField(ap.spec.rules)) continue;
      checkPolicy(context, ap, requestAuthnIndex, out);
      if (requiresTokenOf(ap, true) && !isDryRunPolicy(ap)) requiring.push(ap);
    }
    // Scanned once per RequestAuthentication that selects no known workload: indexed once.
    let enforcing: ScopeIndex<AuthorizationPolicyResource> | undefined;
    const enforcingPolicies = (): ScopeIndex<AuthorizationPolicyResource> => {
      enforcing ??= new ScopeIndex(requiring, root);
      return enforcing;
    };
    for (const ra of context.config.requestAuthentications) checkRequestAuthentication(context, ra, enforcingPolicies, out);
    return out;
  },
};

/** The source fields that need a validated JWT. */
const TOKEN_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals'] as const;

/** Whether a source sets a field of {@link TOKEN_SOURCE_FIELDS}. */
function namesToken(source: AuthorizationSource | undefined, field: typeof TOKEN_SOURCE_FIELDS[number]): boolean {
  return (source?.[field]?.length ?? 0) > 0;
}

/** Whether a condition reads the validated JWT. */
function readsToken(condition: { readonly key: string }): boolean {
  return condition.key.startsWith('request.auth.');
}

/** Paths of the fields of a rule that need a validated JWT. */
export function tokenFields(rule: AuthorizationRule, i: number): FieldPath[] {
  const out: FieldPath[] = [];
  (rule.from ?? []).forEach((f, j) => {
    for (const k of TOKEN_SOURCE_FIELDS) if (namesToken(f.source, k)) out.push(['spec', 'rules', i, 'from', j, 'source', k]);
  });
  (rule.when ?? []).forEach((w, j) => {
    if (readsToken(w)) out.push(['spec', 'rules', i, 'when', j, 'key']);
  });
  return out;
}

/**
 * Whether {@link tokenFields} of the rule is not empty, without building the paths or a closure
 * (every rule of a large mesh is asked, twice).
 */
function hasTokenField(rule: AuthorizationRule): boolean {
  const from = rule.from;
  if (from) {
    for (let j = 0; j < from.length; j++) {
      const source = from[j]?.source;
      if (source && (namesToken(source, 'requestPrincipals') || namesToken(source, 'notRequestPrincipals'))) return true;
    }
  }
  const when = rule.when;
  if (when) {
    for (let j = 0; j < when.length; j++) if (when[j] && readsToken(when[j])) return true;
  }
  return false;
}

function requiresToken(ap: AuthorizationPolicyResource): boolean {
  return requiresTokenOf(ap, someRuleHasTokenField(ap.spec.rules));
}

/** {@link requiresToken} of a policy, told whether some rule of it reads a token. */
function requiresTokenOf(ap: AuthorizationPolicyResource, someRuleReadsToken: boolean): boolean {
  return someRuleReadsToken && (ap.spec.action === 'ALLOW' || ap.spec.action === 'DENY') && ap.spec.targetRefs.length === 0;
}

function someRuleHasTokenField(rules: readonly (AuthorizationRule | null)[]): boolean {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule && hasTokenField(rule)) return true;
  }
  return false;
}

/** Objects with a selector scope, found by the scopes they can overlap, in input order. */
class ScopeIndex<T extends SelectingObject> {
  private readonly scoped: readonly { readonly object: T; readonly scope: PolicyScope }[];
  private readonly byNamespace = new Map<string, readonly { readonly object: T; readonly scope: PolicyScope }[]>();

  public constructor(objects: readonly T[], private readonly root: string) {
    this.scoped = objects.flatMap((object) => {
      const scope = scopeOf(object);
      return scope ? [{ object, scope }] : [];
    });
  }

  /** Whether some object has a scope (is not a `targetRefs` policy). */
  public get any(): boolean {
    return this.scoped.length > 0;
  }

  /** The objects whose scope overlaps `scope` (`scopesOverlap`), in input order. */
  public overlapping(scope: PolicyScope): T[] {
    return this.candidates(scope.namespace).filter((e) => scopesOverlap(e.scope, scope, this.root)).map((e) => e.object);
  }

  /** Whether some object's scope overlaps `scope`. */
  public overlaps(scope: PolicyScope): boolean {
    return this.candidates(scope.namespace).some((e) => scopesOverlap(e.scope, scope, this.root));
  }

  // Only objects in the same namespace or the root namespace can overlap (all, for a root scope).
  private candidates(namespace: string): readonly { readonly object: T; readonly scope: PolicyScope }[] {
    if (namespace === this.root) return this.scoped;
    let list = this.byNamespace.get(namespace);
    if (!list) {
      list = this.scoped.filter((e) => e.scope.namespace === namespace || e.scope.namespace === this.root);
      this.byNamespace.set(namespace, list);
    }
    return list;
  }
}

// A policy some rule of which reads a token (nearly no policy of a large mesh).
function checkPolicy(context: RuleContext, ap: AuthorizationPolicyResource,
  requestAuthns: () => ScopeIndex<RequestAuthenticationResource>, out: Diagnostic[]): void {
  if (ap.spec.action === 'CUSTOM') return;
  const scope = scopeOf(ap);
  if (!scope) return;
  let targets: PolicyTarget[] | undefined;
  ap.spec.rules.forEach((rule, i) => {
    if (!rule || !hasTokenField(rule)) return;
    const fields = tokenFields(rule, i);
    if (fields.length === 0) return;
    targets ??= policyTargets(context, scope);
    const ras = requestAuthnFor(context, scope, targets, requestAuthns);
    if (ras.missing) {
      out.push(finding(WITHOUT_AUTHN, ap, fields[0],
        `${objectRef(ap)} ${ap.spec.action} rule ${i} matches on ${fieldString(fields[0])}, but no RequestAuthentication applies to ${describeTarget(ras.missing)}: no request there has a validated token, so ${effect(ap, rule)}`,
        `Add a RequestAuthentication in namespace ${scope.namespace} selecting the same workloads, with jwtRules for the token issuer.`));
      return;
    }
    checkIssuers(ap, rule, i, ras.issuers, out);
  });
}

function effect(ap: AuthorizationPolicyResource, rule: AuthorizationRule): string {
  const negated = (rule.from ?? []).some((f) => (f.source?.notRequestPrincipals ?? []).length > 0);
  if (ap.spec.action === 'ALLOW') return 'this ALLOW rule never matches';
  return negated ? 'this DENY rule matches (and denies) every request' : 'this DENY rule never applies';
}

// RequestAuthentications for the targets: the first target without one, or the issuers they accept.
function requestAuthnFor(context: RuleContext, scope: PolicyScope, targets: readonly PolicyTarget[],
  requestAuthns: () => ScopeIndex<RequestAuthenticationResource>): { missing?: PolicyTarget; issuers: readonly (string | undefined)[] } {
  const issuers: (string | undefined)[] = [];
  for (const t of targets) {
    let ras: readonly RequestAuthenticationResource[];
    if (t.workload) {
      ras = context.evaluator.policiesFor(t.namespace, t.labels).requestAuthentications;
    } else {
      // A stand-in: any RequestAuthentication that can select some of the same workloads counts.
      ras = requestAuthns().overlapping(scope);
    }
    if (ras.length === 0) {
      // Istio 1.4 (AuthorizationPolicy beside the 1.x authentication API): an authentication
      // Policy's origins validate the tokens (docs/legacy-target.md).
      const legacy = legacyOriginIssuers(context, t.namespace);
      if (legacy.length === 0) return { missing: t, issuers };
      for (const issuer of legacy) issuers.push(issuer);
      continue;
    }
    for (const ra of ras) for (const r of ra.spec.jwtRules) issuers.push(r.issuer);
  }
  return { issuers };
}

/** Issuers of the 1.x authentication Policies (and MeshPolicy) that can apply in a namespace. */
function legacyOriginIssuers(context: RuleContext, namespace: string): string[] {
  return context.config.legacy.authn
    .filter((p) => p.kind === 'MeshPolicy' || p.metadata.namespace === namespace)
    .flatMap((p) => p.spec.origins.map((o) => o.issuer));
}

function checkIssuers(ap: AuthorizationPolicyResource, rule: AuthorizationRule, i: number, issuers: readonly (string | undefined)[],
  out: Diagnostic[]): void {
  // A jwtRule without issuer accepts whatever issuer the token names.
  if (issuers.length === 0 || issuers.some((x) => x === undefined || x === '')) return;
  const known = issuers as readonly string[];
  (rule.from ?? []).forEach((f, j) => {
    for (const k of ['requestPrincipals', 'notRequestPrincipals'] as const) {
      (f.source?.[k] ?? []).forEach((value, n) => {
        if (issuerPossible(value, known)) return;
        const path: FieldPath = ['spec', 'rules', i, 'from', j, 'source', k, n];
        out.push(finding(ISSUER, ap, path,
          `${objectRef(ap)}: ${fieldString(path)} "${value}" cannot match any validated token: request principals are "<iss>/<sub>" and the applying RequestAuthentications accept only ${[...new Set(known)].map((x) => `"${x}"`).join(', ')}`,
          `Write the value as "<issuer>/<subject>" (e.g. "${known[0]}/*"), or add a jwtRule for this issuer.`));
      });
    }
  });
}

function issuerPossible(value: string, issuers: readonly string[]): boolean {
  if (value === '*' || value.startsWith('*')) return true;
  if (value.endsWith('*')) {
    const prefix = value.slice(0, -1);
    return issuers.some((iss) => `${iss}/`.startsWith(prefix) || prefix.startsWith(`${iss}/`));
  }
  return issuers.some((iss) => value.startsWith(`${iss}/`) && value.length > iss.length + 1);
}

function checkRequestAuthentication(context: RuleContext, ra: RequestAuthenticationResource,
  enforcingPolicies: () => ScopeIndex<AuthorizationPolicyResource>, out: Diagnostic[]): void {
  const scope = scopeOf(ra);
  if (!scope || ra.spec.jwtRules.length === 0) return;
  const root = context.mesh.rootNamespace;
  const targets = policyTargets(context, scope);
  for (const t of targets) {
    let enforced: boolean;
    if (t.workload) {
      const wp = context.evaluator.policiesFor(t.namespace, t.labels);
      enforced = [...wp.allow, ...wp.deny].some((p) => requiresToken(p.resource));
    } else {
      // A mesh-wide RequestAuthentication is enforced wherever some policy requires a token.
      enforced = scope.namespace === root && Object.keys(scope.selector).length === 0
        ? enforcingPolicies().any
        : enforcingPolicies().overlaps(scope);
    }
    if (enforced) continue;
    out.push(finding(NOT_ENFORCED, ra, ['spec', 'jwtRules'],
      `${objectRef(ra)} validates tokens for ${describeTarget(t)}, but no ALLOW or DENY policy there requires one: requests without a token are accepted (only invalid tokens are refused)`,
      'Add an AuthorizationPolicy for the same workloads: DENY with from.source.notRequestPrincipals: ["*"] (optionally sparing health paths with to.operation.notPaths), or ALLOW with from.source.requestPrincipals: ["*"].'));
    return;
  }
}

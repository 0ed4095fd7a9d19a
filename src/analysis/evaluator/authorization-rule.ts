/**
 * Compiles AuthorizationPolicy rules into matchers, once for the HTTP and once for the TCP filter
 * chain, with istiod's handling of values it cannot use (`model.go` `checkError`):
 *
 * - an ALLOW rule with an HTTP-only field on TCP, or an invalid value, is dropped entirely (it
 *   never matches, so the ALLOW narrows);
 * - a DENY, AUDIT or CUSTOM rule ignores just those values (so it matches more, the widening);
 * - a rule with an unknown `when` key, and a `null` rule, are skipped for every action.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/
 * @module
 */
import {
  AttributeDefinition, conditionAttribute, fixedAttribute, HOST_ATTRIBUTE, METHOD_ATTRIBUTE, PATH_ATTRIBUTE, SOURCE_FIELD_ATTRIBUTES,
  ValueMatcher,
} from './conditions';
import { internIdentityKey, RequestAttributes } from './request-attributes';
import { guardOf, RuleGuard } from './rule-guard';
import { expandTrustDomainAliases } from './trust-domain';
import { appendAll } from '../../private/arrays';
import {
  AuthorizationAction, AuthorizationOperation, AuthorizationPolicyResource, AuthorizationRule, AuthorizationSource,
} from '../config/istio-config';
import { MeshConfig } from '../config/mesh-config';

/** One field of a source/operation, or one `when` condition: values ORed, notValues excluded. */
export interface FieldConstraint {
  readonly attribute: AttributeDefinition;
  /** The field as written: `namespaces`, `methods`, or a `when` key. */
  readonly field: string;
  /** The negative field name (`notNamespaces`, `notValues`). */
  readonly notField: string;
  readonly values?: readonly ValueMatcher[];
  readonly notValues?: readonly ValueMatcher[];
  /** True for `when` conditions (explained by key rather than label). */
  readonly condition: boolean;
}

/** A rule ready to match. `sources`/`operations` undefined means "any". */
export interface CompiledRule {
  readonly index: number;
  readonly sources?: readonly (readonly FieldConstraint[])[];
  readonly operations?: readonly (readonly FieldConstraint[])[];
  readonly conditions: readonly FieldConstraint[];
  /** Values or fields left out on this filter chain, e.g. `methods ignored on TCP (HTTP-only field)`. */
  readonly ignored: readonly string[];
  /**
   * When every source of the rule pins the peer identity with exact values: the identities it can
   * match (`sa:<ns>/<sa>`, `ns:<ns>`, `p:<principal>`). A request whose identity is none of them is
   * skipped without running the matchers (see {@link firstMatchingRule}).
   */
  readonly identityKeys?: ReadonlySet<string>;
  /** perf8: {@link internIdentityKey} ids of `identityKeys` (interned on first read, diff16, not on a decision). */
  readonly identityIds?: readonly number[];
  /** perf8: the rule's necessary conditions as integers (see rule-guard.ts); diff16: computed on first read. */
  readonly guard: RuleGuard;
}

/** A rule istiod does not generate on this filter chain, and why. */
export interface DroppedRule {
  readonly index: number;
  readonly reason: string;
}

/** The rules of one policy for one filter chain. */
export interface CompiledRules {
  readonly rules: readonly CompiledRule[];
  readonly dropped: readonly DroppedRule[];
  /**
   * Positions in `rules` by identity key (see {@link CompiledRule.identityKeys}), ascending, and
   * the positions of the rules pinned to no identity: a request tries only the rules its identity
   * can match (see {@link firstMatchingRule}).
   */
  readonly byIdentity?: ReadonlyMap<string, readonly number[]>;
  readonly unpinned?: readonly number[];
}

/** An AuthorizationPolicy compiled for evaluation. */
export interface CompiledPolicy {
  readonly resource: AuthorizationPolicyResource;
  readonly namespace: string;
  readonly name: string;
  readonly action: AuthorizationAction;
  /** `istio.io/dry-run` parsed like Go's `strconv.ParseBool`. */
  readonly dryRun: boolean;
  readonly provider?: string;
  readonly http: CompiledRules;
  readonly tcp: CompiledRules;
}

const SOURCE_FIELDS: readonly (readonly [keyof AuthorizationSource, keyof AuthorizationSource])[] = [
  ['principals', 'notPrincipals'], ['requestPrincipals', 'notRequestPrincipals'], ['namespaces', 'notNamespaces'],
  ['serviceAccounts', 'notServiceAccounts'], ['trustDomains', 'notTrustDomains'], ['ipBlocks', 'notIpBlocks'],
  ['remoteIpBlocks', 'notRemoteIpBlocks'],
];

const OPERATION_FIELDS: readonly (readonly [keyof AuthorizationOperation, keyof AuthorizationOperation, AttributeDefinition])[] = [
  ['hosts', 'notHosts', HOST_ATTRIBUTE], ['methods', 'notMethods', METHOD_ATTRIBUTE], ['paths', 'notPaths', PATH_ATTRIBUTE],
  ['ports', 'notPorts', fixedAttribute('destination.port') as AttributeDefinition],
];

/** Go `strconv.ParseBool` true values (istiod parses `istio.io/dry-run` with it). */
const TRUE_VALUES: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** Whether a policy is dry-run: its `istio.io/dry-run` annotation parses as true, as istiod reads it. */
export function isDryRunPolicy(resource: AuthorizationPolicyResource): boolean {
  const dry = resource.metadata.annotations['istio.io/dry-run'];
  return dry !== undefined && TRUE_VALUES.has(dry);
}

/**
 * Compiles a policy for both filter chains. Each chain compiles on first use: resolving which
 * policies apply to a workload (the analyzer, mostly) needs neither.
 */
export function compilePolicy(resource: AuthorizationPolicyResource, mesh: MeshConfig): CompiledPolicy {
  const provider = resource.spec.provider?.name;
  let http: CompiledRules | undefined;
  let tcp: CompiledRules | undefined;
  return {
    resource,
    namespace: resource.metadata.namespace,
    name: resource.metadata.name,
    action: resource.spec.action,
    dryRun: isDryRunPolicy(resource),
    ...(provider !== undefined ? { provider } : {}),
    get http(): CompiledRules {
      http ??= compileRules(resource, 'HTTP', mesh);
      return http;
    },
    get tcp(): CompiledRules {
      http ??= compileRules(resource, 'HTTP', mesh);
      tcp ??= compileRules(resource, 'TCP', mesh, http);
      return tcp;
    },
  };
}

/** Compiles both chains of a policy now (instead of on first use), e.g. before a timed batch of decisions. */
export function compileRulesNow(policy: CompiledPolicy): void {
  // diff16: and what a workload's rule table reads of each rule (computed on first read), while the
  // rule is fresh in memory rather than when the table is built.
  for (const chain of [policy.http, policy.tcp]) {
    for (const rule of chain.rules) {
      void rule.guard;
      void rule.identityIds;
    }
  }
}

/**
 * Compiles all rules of a policy for one filter chain.
 *
 * @param http for the TCP chain, the policy's rules compiled for HTTP: those that compile alike on
 *   both chains (see {@link sameOnTcp}) are taken as they are. diff14: one object per such rule, so
 *   what the analysis derives per compiled rule (atoms, identity matchers, term shapes) is derived once.
 *   diff16: an ALLOW rule HTTP kept is dropped as its HTTP constraints say (see {@link droppedOnTcp}).
 */
export function compileRules(resource: AuthorizationPolicyResource, protocol: 'HTTP' | 'TCP', mesh: MeshConfig, http?: CompiledRules): CompiledRules {
  const rules: CompiledRule[] = [];
  const dropped: DroppedRule[] = [];
  const asHttp: (CompiledRule | undefined)[] = [];
  if (protocol === 'TCP' && http !== undefined) for (const r of http.rules) asHttp[r.index] = r;
  resource.spec.rules.forEach((rule, index) => {
    const r = compileRuleAlone(resource, rule, index, protocol, mesh, asHttp[index]);
    if ('reason' in r) dropped.push(r);
    else rules.push(r);
  });
  return indexedRules(rules, dropped);
}

/**
 * Whether a rule compiled for HTTP compiles alike for TCP: it was kept, nothing of it was left out,
 * and none of its constraints is on an HTTP-only attribute. The chain matters to a compilation only
 * through the values of HTTP-only fields (left out, or dropping an ALLOW rule, on TCP): a rule with
 * none gives the same constraints, notes, identity keys and guard on both chains.
 */
function sameOnTcp(rule: CompiledRule): boolean {
  if (rule.ignored.length > 0) return false;
  const neutral = (constraints: readonly FieldConstraint[]): boolean => constraints.every((c) => !c.attribute.httpOnly);
  return (rule.sources ?? []).every(neutral) && (rule.operations ?? []).every(neutral) && neutral(rule.conditions);
}

/**
 * diff16: the TCP chain's verdict on an ALLOW rule the HTTP chain kept and that does not compile
 * alike on TCP (see {@link sameOnTcp}; most ALLOW rules of a mesh name methods or paths): istiod
 * drops it at its first HTTP-only field. Kept on HTTP, none of its values is unusable, and an ALLOW
 * rule leaves nothing out, so the first value TCP cannot use is the first value of the first
 * constraint on an HTTP-only attribute, in rule order (its `values` before its `notValues`): the
 * reason follows from the HTTP rule, with no value compiled again.
 */
function droppedOnTcp(rule: CompiledRule): DroppedRule | undefined {
  for (const groups of [rule.sources, rule.operations]) {
    if (groups === undefined) continue;
    for (const group of groups) for (const c of group) if (c.attribute.httpOnly) return httpOnlyDrop(rule.index, c);
  }
  for (const c of rule.conditions) if (c.attribute.httpOnly) return httpOnlyDrop(rule.index, c);
  return undefined;
}

function httpOnlyDrop(index: number, c: FieldConstraint): DroppedRule {
  const name = c.values !== undefined ? c.field : c.notField;
  return { index, reason: `${name}: ${httpOnlyError(name)}` };
}

/** Why a value of an HTTP-only field cannot be used on the TCP chain (the reason of a dropped ALLOW rule, after `<field>: `). */
function httpOnlyError(field: string): string {
  return `${field} is an HTTP-only field`;
}

/** Compiled rules with their index: rule positions by identity key, and the rules no identity pins. */
export function indexedRules(rules: CompiledRule[], dropped: DroppedRule[]): CompiledRules {
  const byIdentity = new Map<string, number[]>();
  const unpinned: number[] = [];
  rules.forEach((r, i) => {
    if (!r.identityKeys) {
      unpinned.push(i);
      return;
    }
    for (const k of r.identityKeys) {
      const list = byIdentity.get(k);
      if (list) list.push(i);
      else byIdentity.set(k, [i]);
    }
  });
  return { rules, dropped, byIdentity, unpinned };
}

/**
 * Compiled values, shared by every rule that uses the same value of the same attribute (perf5:
 * meshes repeat methods, paths and identities across thousands of rules; a matcher is stateless,
 * so one object serves them all). Bounded: cleared when it grows past {@link VALUE_CACHE_LIMIT}.
 */
const valueCache = new WeakMap<AttributeDefinition, Map<string, ValueMatcher | { readonly error: string }>>();
let valueCacheSize = 0;
const VALUE_CACHE_LIMIT = 200_000;

function compileValue(attribute: AttributeDefinition, value: string, policyNamespace: string): ValueMatcher | { readonly error: string } {
  let perAttribute = valueCache.get(attribute);
  if (perAttribute === undefined) {
    perAttribute = new Map();
    valueCache.set(attribute, perAttribute);
  }
  // Only a bare service account name depends on the policy's namespace.
  const key = attribute.key === 'source.serviceAccount' && !value.includes('/') ? `${policyNamespace}\u0000${value}` : value;
  let compiled = perAttribute.get(key);
  if (compiled === undefined) {
    compiled = attribute.compile(value, policyNamespace);
    if (valueCacheSize >= VALUE_CACHE_LIMIT) {
      perAttribute.clear();
      valueCacheSize = 0;
    }
    perAttribute.set(key, compiled);
    valueCacheSize++;
  }
  return compiled;
}

/** What compiling one rule for one filter chain collects: notes on ignored values, or why istiod drops the rule. */
interface RuleCompilation {
  readonly namespace: string;
  readonly allow: boolean;
  readonly tcp: boolean;
  readonly mesh: MeshConfig;
  readonly ignored: string[];
  dropped?: string;
}

/** Source fields with their attributes, looked up once (not per rule). */
const SOURCE_FIELD_DEFINITIONS: readonly (readonly [keyof AuthorizationSource, keyof AuthorizationSource, AttributeDefinition])[] = SOURCE_FIELDS
  .map(([field, notField]) => [field, notField, fixedAttribute(SOURCE_FIELD_ATTRIBUTES[field]) as AttributeDefinition] as const);

/**
 * The matchers of one list of values; undefined for none. A value istiod cannot use drops an ALLOW
 * rule (`c.dropped`, the first such value in rule order) and is left out, noted, for other actions.
 * diffspace: a drop is a field of the compilation rather than a thrown object (the TCP chain drops
 * most ALLOW rules), and no closure is built per field.
 */
function compileList(c: RuleCompilation, attribute: AttributeDefinition, list: readonly string[] | undefined,
  name: string): ValueMatcher[] | undefined {
  if (!list || list.length === 0) return undefined;
  const httpOnlyOnTcp = attribute.httpOnly && c.tcp;
  const expanded = attribute.key === 'source.principal'
    ? list.flatMap((p) => expandTrustDomainAliases(p, c.mesh.trustDomain, c.mesh.trustDomainAliases))
    : list;
  let out: ValueMatcher[] | undefined;
  for (const v of expanded) {
    const compiled = httpOnlyOnTcp ? { error: httpOnlyError(name) } : compileValue(attribute, v, c.namespace);
    if ('error' in compiled) {
      if (c.allow) {
        c.dropped = `${name}: ${compiled.error}`;
        return undefined;
      }
      const note = httpOnlyOnTcp ? `${name} ignored on TCP (HTTP-only field)` : `${name} value ignored: ${compiled.error}`;
      if (!c.ignored.includes(note)) c.ignored.push(note);
      continue;
    }
    (out ??= []).push(compiled);
  }
  return out;
}

/** One field of a source or operation, or one condition; undefined when nothing of it compiles (or the rule is dropped). */
function fieldConstraint(c: RuleCompilation, attribute: AttributeDefinition, field: string, notField: string, values: readonly string[] | undefined,
  notValues: readonly string[] | undefined, condition: boolean): FieldConstraint | undefined {
  const pos = compileList(c, attribute, values, field);
  if (c.dropped !== undefined) return undefined;
  const neg = compileList(c, attribute, notValues, notField);
  if (c.dropped !== undefined || (!pos && !neg)) return undefined;
  // diff16: the three shapes as literals (a spread of `{ values }` allocates an object to copy from).
  if (!neg) return { attribute, field, notField, condition, values: pos };
  if (!pos) return { attribute, field, notField, condition, notValues: neg };
  return { attribute, field, notField, condition, values: pos, notValues: neg };
}

/**
 * The constraints of one source or operation, over its fields in order (fields it does not write
 * are skipped); undefined when a value drops the rule (`c.dropped`).
 */
function clauseConstraints<T extends AuthorizationSource | AuthorizationOperation>(c: RuleCompilation, clause: T,
  fields: readonly (readonly [keyof T, keyof T, AttributeDefinition])[]): FieldConstraint[] | undefined {
  const out: FieldConstraint[] = [];
  for (const [field, notField, attr] of fields) {
    const values = clause[field] as readonly string[] | undefined;
    const notValues = clause[notField] as readonly string[] | undefined;
    if (values === undefined && notValues === undefined) continue;
    const k = fieldConstraint(c, attr, field as string, notField as string, values, notValues, false);
    if (c.dropped !== undefined) return undefined;
    if (k) out.push(k);
  }
  return out;
}

function compileRule(rule: AuthorizationRule, index: number, resource: AuthorizationPolicyResource, protocol: 'HTTP' | 'TCP',
  mesh: MeshConfig): CompiledRule | DroppedRule {
  const namespace = resource.metadata.namespace;
  for (const w of rule.when ?? []) {
    if (!conditionAttribute(w.key)) return { index, reason: `unknown attribute "${w.key}" in when` };
  }
  const c: RuleCompilation = { namespace, allow: resource.spec.action === 'ALLOW', tcp: protocol === 'TCP', mesh, ignored: [] };
  let sources: FieldConstraint[][] | undefined;
  if (rule.from && rule.from.length > 0) {
    sources = [];
    for (const f of rule.from) {
      const out = clauseConstraints(c, f.source ?? {}, SOURCE_FIELD_DEFINITIONS);
      if (!out) return { index, reason: c.dropped as string };
      sources.push(out);
    }
  }
  let operations: FieldConstraint[][] | undefined;
  if (rule.to && rule.to.length > 0) {
    operations = [];
    for (const t of rule.to) {
      const out = clauseConstraints(c, t.operation ?? {}, OPERATION_FIELDS);
      if (!out) return { index, reason: c.dropped as string };
      operations.push(out);
    }
  }
  const conditions: FieldConstraint[] = [];
  for (const w of rule.when ?? []) {
    const attr = conditionAttribute(w.key) as AttributeDefinition;
    const k = fieldConstraint(c, attr, w.key, `${w.key} notValues`, w.values, w.notValues, true);
    if (c.dropped !== undefined) return { index, reason: c.dropped };
    if (k) conditions.push(k);
  }
  const identityKeys = sources ? identityKeysOf(sources, namespace) : undefined;
  return new Rule(index, sources, operations, conditions, c.ignored, identityKeys);
}

/**
 * diff16: a compiled rule, every one of one shape (the evaluator's loops read `sources`,
 * `operations` and `conditions`). The guard and the interned identity ids are read only when an
 * evaluator builds a workload's rule table (workload-rules.ts), never by the access analysis: they
 * are computed on first read, not when the rule compiles.
 */
class Rule implements CompiledRule {
  private guardOnce: RuleGuard | undefined = undefined;
  private idsOnce: readonly number[] | undefined = undefined;

  public constructor(
    public readonly index: number,
    public readonly sources: readonly (readonly FieldConstraint[])[] | undefined,
    public readonly operations: readonly (readonly FieldConstraint[])[] | undefined,
    public readonly conditions: readonly FieldConstraint[],
    public readonly ignored: readonly string[],
    public readonly identityKeys: ReadonlySet<string> | undefined,
  ) {}

  public get guard(): RuleGuard {
    this.guardOnce ??= guardOf(this);
    return this.guardOnce;
  }

  public get identityIds(): readonly number[] | undefined {
    if (this.identityKeys === undefined) return undefined;
    this.idsOnce ??= [...this.identityKeys].map(internIdentityKey);
    return this.idsOnce;
  }

  /** The rule at another index (its namesake's place in another version of the policy), sharing what it computed. */
  public at(index: number): Rule {
    const moved = new Rule(index, this.sources, this.operations, this.conditions, this.ignored, this.identityKeys);
    moved.guardOnce = this.guardOnce;
    moved.idsOnce = this.idsOnce;
    return moved;
  }
}

/** A compiled (or dropped) rule at another index: the same content, for another version of its policy. */
export function ruleAt<R extends CompiledRule | DroppedRule>(rule: R, index: number): R {
  if (rule.index === index) return rule;
  if (rule instanceof Rule) return rule.at(index) as CompiledRule as R;
  return { ...rule, index };
}

/**
 * One rule of a policy compiled alone for one filter chain, as {@link compileRules} compiles it
 * in place (a `null` rule is dropped).
 *
 * @param http on the TCP chain, the rule as the HTTP chain kept it (see {@link compileRules}).
 */
export function compileRuleAlone(resource: AuthorizationPolicyResource, rule: AuthorizationRule | null, index: number, protocol: 'HTTP' | 'TCP',
  mesh: MeshConfig, http?: CompiledRule): CompiledRule | DroppedRule {
  if (rule === null) return { index, reason: 'the rule is null' };
  if (protocol === 'TCP' && http !== undefined) {
    if (sameOnTcp(http)) return http;
    const dropped = resource.spec.action === 'ALLOW' ? droppedOnTcp(http) : undefined;
    if (dropped) return dropped;
  }
  return compileRule(rule, index, resource, protocol, mesh);
}

/** The identities a rule's sources can match, when each source pins them with exact values. */
function identityKeysOf(sources: readonly (readonly FieldConstraint[])[], policyNamespace: string): ReadonlySet<string> | undefined {
  const keys = new Set<string>();
  for (const group of sources) {
    let pinned: string[] | undefined;
    for (const c of group) {
      pinned = identityKeysOfConstraint(c, policyNamespace);
      if (pinned) break;
    }
    if (!pinned) return undefined;
    for (const k of pinned) keys.add(k);
  }
  return keys;
}

function identityKeysOfConstraint(c: FieldConstraint, policyNamespace: string): string[] | undefined {
  if (!c.values) return undefined;
  const raws = c.values.map((v) => v.raw);
  if (raws.some((r) => r.includes('*'))) return undefined;
  switch (c.attribute.key) {
    case 'source.serviceAccount':
      return raws.map((r) => (r.includes('/') ? `sa:${r}` : `sa:${policyNamespace}/${r}`));
    case 'source.namespace':
      // "/ns/<value>/" inside a canonical principal means namespace equality only for plain names.
      return raws.every((r) => !r.includes('/')) ? raws.map((r) => `ns:${r}`) : undefined;
    case 'source.principal':
      return raws.map((r) => `p:${r}`);
    default:
      return undefined;
  }
}

/** True when the constraint holds for the request (absent attributes fail `values` and pass `notValues`). */
export function constraintMatches(c: FieldConstraint, attrs: RequestAttributes): boolean {
  if (c.values) {
    let any = false;
    for (const v of c.values) {
      if (v.test(attrs)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  if (c.notValues) {
    for (const v of c.notValues) if (v.test(attrs)) return false;
  }
  return true;
}

function allMatch(list: readonly FieldConstraint[], attrs: RequestAttributes): boolean {
  for (const c of list) if (!constraintMatches(c, attrs)) return false;
  return true;
}

function firstMatching(groups: readonly (readonly FieldConstraint[])[], attrs: RequestAttributes): readonly FieldConstraint[] | undefined {
  for (const g of groups) if (allMatch(g, attrs)) return g;
  return undefined;
}

/** Rule semantics: one source, one operation and all conditions must match; an empty rule always matches. */
export function ruleMatches(rule: CompiledRule, attrs: RequestAttributes): boolean {
  if (rule.sources && !firstMatching(rule.sources, attrs)) return false;
  if (rule.operations && !firstMatching(rule.operations, attrs)) return false;
  return allMatch(rule.conditions, attrs);
}

/** The first rule of the policy that matches, on the request's filter chain. */
export function firstMatchingRule(policy: CompiledPolicy, attrs: RequestAttributes): CompiledRule | undefined {
  const chain = attrs.protocol === 'TCP' ? policy.tcp : policy.http;
  const rules = chain.rules;
  if (rules.length === 0) return undefined;
  const keys = attrs.identityKeys;
  if (keys === undefined || !chain.byIdentity || !chain.unpinned || keys.length >= MERGE_LISTS.length) {
    for (const r of rules) if (ruleMatches(r, attrs)) return r;
    return undefined;
  }
  // A rule pinned to other identities cannot match: only the unpinned rules and those filed under
  // one of the request's identity keys are tried, in rule order (merging the ascending lists).
  let lists = 0;
  MERGE_LISTS[lists++] = chain.unpinned;
  for (let i = 0; i < keys.length && lists < MERGE_LISTS.length; i++) {
    const l = chain.byIdentity.get(keys[i]);
    if (l) MERGE_LISTS[lists++] = l;
  }
  if (lists === 1) {
    for (const i of chain.unpinned) if (ruleMatches(rules[i], attrs)) return rules[i];
    return undefined;
  }
  // Positions in the lists; module scratch space (no allocation per request; ruleMatches never re-enters).
  for (let l = 0; l < lists; l++) MERGE_AT[l] = 0;
  let last = -1;
  for (;;) {
    let next = -1;
    for (let l = 0; l < lists; l++) {
      const list = MERGE_LISTS[l];
      let at = MERGE_AT[l];
      while (at < list.length && list[at] <= last) at++;
      MERGE_AT[l] = at;
      if (at < list.length && (next < 0 || list[at] < next)) next = list[at];
    }
    if (next < 0) return undefined;
    if (ruleMatches(rules[next], attrs)) return rules[next];
    last = next;
  }
}

/** Scratch space of {@link firstMatchingRule}: the unpinned list and one per identity key (a request has three). */
const MERGE_LISTS: (readonly number[])[] = [[], [], [], [], [], [], [], []];
const MERGE_AT = new Int32Array(MERGE_LISTS.length);

/** Human descriptions of why a matching rule matched, e.g. `source namespace dev matched`. */
export function explainRuleMatch(rule: CompiledRule, attrs: RequestAttributes): string[] {
  const parts: string[] = [];
  const describe = (c: FieldConstraint): void => {
    const shown = c.attribute.show(attrs);
    const name = c.condition ? c.field : c.attribute.label;
    if (c.values) parts.push(`${name} ${shown ?? '(absent)'} matched`);
    if (c.notValues) parts.push(`${name} ${shown ?? '(absent)'} not in ${c.notField} [${c.notValues.map((v) => v.raw).join(', ')}]`);
  };
  const source = rule.sources ? firstMatching(rule.sources, attrs) : undefined;
  const operation = rule.operations ? firstMatching(rule.operations, attrs) : undefined;
  source?.forEach(describe);
  operation?.forEach(describe);
  rule.conditions.forEach(describe);
  if (parts.length === 0) {
    parts.push(rule.sources || rule.operations || rule.conditions.length > 0 ? 'every field of the rule matches any request' : 'empty rule matches every request');
  }
  appendAll(parts, rule.ignored);
  return parts;
}

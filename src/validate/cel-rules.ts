/**
 * `x-kubernetes-validations` (CEL) rules of a structural schema: compiled once into a tree that
 * mirrors the schema but holds only the branches that lead to rules, then evaluated per object
 * along the fields the object actually has.
 *
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation-rules
 * @module
 */
import { isCelError, parse, plan, type CelEnv, type CelInput, type CelResult } from '@bufbuild/cel';
import { collectReferences, type Expr, keysOnly, presenceOnly } from './cel-expression';
import { precompiledExpression } from './cel-precompiled';
import { toCelValue } from './cel-value';
import { childPath } from './field-path';
import { isJsonObject, type JsonObject } from './json';
import { isRecord } from '../private/records';

type Program = (bindings: Record<string, CelInput>) => CelResult;

/** What became of one rule of the schema. */
export interface CelRuleReport {
  /** Where the rule sits in the schema, e.g. `.spec.rules[*].from[*].source`. */
  readonly schemaPath: string;
  /** The CEL expression. */
  readonly rule: string;
  /**
   * `compiled`: evaluated on every object. `transition`: uses `oldSelf`, so it only means something
   * on update (there is no old object here); skipped. `unsupported`: does not parse, or uses a
   * function or variable this environment lacks; skipped (see `problem`).
   */
  readonly status: 'compiled' | 'transition' | 'unsupported';
  /** Why the rule is unsupported. */
  readonly problem?: string;
}

/** A rule that did not hold for an object. */
export interface CelRuleFailure {
  /** Field path in the object, e.g. `spec.rules[0].from[0].source`. */
  readonly path: string;
  /** The rule's message (or evaluated messageExpression), or `failed rule: <rule>`. */
  readonly message: string;
  /** The CEL expression. */
  readonly rule: string;
  /** The rule's reason, e.g. `FieldValueForbidden`; `FieldValueInvalid` when the rule names none. */
  readonly reason: string;
  /** The value the rule was evaluated on. */
  readonly value: unknown;
  /** True when the rule could not be evaluated (a CEL runtime error), rather than evaluated to false. */
  readonly evaluationError?: string;
}

interface CompiledRule {
  readonly rule: string;
  readonly program: Program;
  /**
   * For a rule that looks at `self` only through `has(self.<field>)` (e.g. "only one of targetRefs
   * or selector can be set"): those fields. Its result depends on which of them are present, so a
   * presence pattern that held once is not evaluated again.
   */
  readonly presenceFields?: readonly string[];
  /**
   * For a rule that looks at a map `self` only through its keys (`self.all(key, …)`): its result
   * depends on the key list alone, so a key list that passed once is not evaluated again.
   */
  readonly keysOnly?: boolean;
  /** The presence patterns or key lists on which the rule held. */
  readonly passedShapes: Set<string>;
  readonly message?: string;
  readonly messageProgram?: Program;
  readonly fieldPath?: string;
  readonly reason: string;
}

interface RuleNode {
  readonly schema: JsonObject;
  readonly rules: readonly CompiledRule[];
  /**
   * Values (as JSON) on which every rule of this node held. Rules are pure functions of `self`, and
   * large meshes repeat the same selectors, sources and operations thousands of times: a value seen
   * before is not evaluated again. Failing values are never cached (their messages are rebuilt).
   */
  readonly passed: Set<string>;
  readonly properties?: ReadonlyMap<string, RuleNode>;
  /** The names and nodes of {@link properties}, as two lists (walked for every object). */
  readonly propertyNames: readonly string[];
  readonly propertyNodes: readonly RuleNode[];
  readonly items?: RuleNode;
  readonly values?: RuleNode;
}

/**
 * The compiled rules of one schema (one CRD version).
 *
 * @example
 * const tree = CelRuleTree.compile(crd.schema, kubernetesCelEnv());
 * const failures = tree.evaluate(object);
 */
export class CelRuleTree {
  /**
   * Compiles every rule of `schema` (the CRD's `openAPIV3Schema`) once.
   *
   * @param schema the structural schema, root = the whole object
   * @param env the environment to plan against (see `kubernetesCelEnv`)
   * @param functionNames names `env` resolves (see `knownFunctionNames`)
   */
  public static compile(schema: JsonObject, env: CelEnv, functionNames: ReadonlySet<string>): CelRuleTree {
    const reports: CelRuleReport[] = [];
    const root = build(schema, '', { env, functionNames, reports });
    return new CelRuleTree(root, reports);
  }

  /** Every rule found in the schema, with what became of it. */
  public readonly reports: readonly CelRuleReport[];
  private readonly root: RuleNode | undefined;

  private constructor(root: RuleNode | undefined, reports: readonly CelRuleReport[]) {
    this.root = root;
    this.reports = reports;
  }

  /** True if the schema has at least one rule that is evaluated. */
  public get hasRules(): boolean {
    return this.root !== undefined;
  }

  /** Evaluates the rules where the object has the field they are attached to. */
  public evaluate(object: unknown): CelRuleFailure[] {
    const failures: CelRuleFailure[] = [];
    if (this.root) walk(object, undefined, this.root, undefined, failures);
    return failures;
  }
}

interface BuildContext {
  readonly env: CelEnv;
  readonly functionNames: ReadonlySet<string>;
  readonly reports: CelRuleReport[];
}

function build(schema: JsonObject, path: string, ctx: BuildContext): RuleNode | undefined {
  const rules = compileRules(schema, path, ctx);
  const properties = new Map<string, RuleNode>();
  if (isJsonObject(schema.properties)) {
    for (const [name, sub] of Object.entries(schema.properties)) {
      const node = isJsonObject(sub) ? build(sub, `${path}.${name}`, ctx) : undefined;
      if (node) properties.set(name, node);
    }
  }
  const items = isJsonObject(schema.items) ? build(schema.items, `${path}[*]`, ctx) : undefined;
  const values = isJsonObject(schema.additionalProperties) ? build(schema.additionalProperties, `${path}[*]`, ctx) : undefined;
  // Kubernetes does not allow rules inside value-validation branches; report any so they are not silently lost.
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) branches.filter(isJsonObject).forEach((b: JsonObject) => reportNested(b, `${path}(${key})`, ctx));
  }
  if (isJsonObject(schema.not)) reportNested(schema.not, `${path}(not)`, ctx);

  if (rules.length === 0 && properties.size === 0 && !items && !values) return undefined;
  return {
    schema,
    rules,
    passed: new Set(),
    properties: properties.size > 0 ? properties : undefined,
    propertyNames: [...properties.keys()],
    propertyNodes: [...properties.values()],
    items,
    values,
  };
}

function reportNested(schema: JsonObject, path: string, ctx: BuildContext): void {
  for (const r of rawRules(schema)) {
    ctx.reports.push({ schemaPath: path, rule: r.rule, status: 'unsupported', problem: 'rule inside allOf/anyOf/oneOf/not is not evaluated by Kubernetes' });
  }
}

interface RawRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
}

function rawRules(schema: JsonObject): RawRule[] {
  const list = schema['x-kubernetes-validations'];
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).filter((r) => typeof r.rule === 'string').map((r) => ({
    rule: r.rule as string,
    message: typeof r.message === 'string' ? r.message : undefined,
    messageExpression: typeof r.messageExpression === 'string' ? r.messageExpression : undefined,
    fieldPath: typeof r.fieldPath === 'string' ? r.fieldPath : undefined,
    reason: typeof r.reason === 'string' ? r.reason : undefined,
  }));
}

function compileRules(schema: JsonObject, path: string, ctx: BuildContext): CompiledRule[] {
  const compiled: CompiledRule[] = [];
  for (const raw of rawRules(schema)) {
    const result = compileExpression(raw.rule, ctx);
    if (result.status !== 'compiled') {
      ctx.reports.push({ schemaPath: path || '.', rule: raw.rule, status: result.status, problem: result.problem });
      continue;
    }
    // A messageExpression that does not compile falls back to the message, like a bad one at run time.
    const messageResult = raw.messageExpression === undefined ? undefined : compileExpression(raw.messageExpression, ctx);
    compiled.push({
      rule: raw.rule,
      program: result.program,
      ...(result.presenceFields ? { presenceFields: result.presenceFields } : {}),
      ...(result.keysOnly ? { keysOnly: true } : {}),
      passedShapes: new Set(),
      message: raw.message,
      messageProgram: messageResult?.status === 'compiled' ? messageResult.program : undefined,
      fieldPath: raw.fieldPath,
      reason: raw.reason ?? 'FieldValueInvalid',
    });
    ctx.reports.push({ schemaPath: path || '.', rule: raw.rule, status: 'compiled' });
  }
  return compiled;
}

type CompileResult =
  | { readonly status: 'compiled'; readonly program: Program; readonly presenceFields?: readonly string[]; readonly keysOnly?: boolean }
  | { readonly status: 'transition' | 'unsupported'; readonly problem: string };

/**
 * Compiled expressions by environment, function names and source. CRDs repeat rules (the same
 * selector and label rules sit in a dozen kinds), and CEL's parser is the slow part of compiling
 * (tens of milliseconds for a kind while it is cold); a program is a pure function, safe to share.
 */
const compiledExpressions = new WeakMap<CelEnv, WeakMap<ReadonlySet<string>, Map<string, CompileResult>>>();

function compileExpression(source: string, ctx: BuildContext): CompileResult {
  let byNames = compiledExpressions.get(ctx.env);
  if (!byNames) compiledExpressions.set(ctx.env, (byNames = new WeakMap()));
  let bySource = byNames.get(ctx.functionNames);
  if (!bySource) byNames.set(ctx.functionNames, (bySource = new Map()));
  let result = bySource.get(source);
  if (!result) bySource.set(source, (result = compileUncached(source, ctx)));
  return result;
}

function compileUncached(source: string, ctx: BuildContext): CompileResult {
  let expr: Expr;
  try {
    expr = precompiledExpression(source) ?? parse(source).expr;
  } catch (e) {
    return { status: 'unsupported', problem: `does not parse: ${e instanceof Error ? e.message : String(e)}` };
  }
  const refs = { idents: new Set<string>(), functions: new Set<string>() };
  collectReferences(expr, new Set(), refs);
  // Transition rules compare with the previous version of the object, which only exists on update.
  if (refs.idents.has('oldSelf')) return { status: 'transition', problem: 'uses oldSelf (transition rule, only meaningful on update)' };
  const unknownIdent = [...refs.idents].find((n) => n !== 'self');
  if (unknownIdent !== undefined) return { status: 'unsupported', problem: `undeclared reference to ${unknownIdent}` };
  const unknownFunctions = [...refs.functions].filter((n) => !ctx.functionNames.has(n)).sort();
  if (unknownFunctions.length > 0) {
    return { status: 'unsupported', problem: `function${unknownFunctions.length > 1 ? 's' : ''} ${unknownFunctions.join(', ')} not provided` };
  }
  try {
    const planned = plan(ctx.env, expr);
    const presence = new Set<string>();
    const presenceFields = presenceOnly(expr, presence) ? [...presence].sort() : undefined;
    return {
      status: 'compiled',
      program: (bindings) => planned(bindings),
      ...(presenceFields ? { presenceFields } : {}),
      ...(keysOnly(expr) ? { keysOnly: true } : {}),
    };
  } catch (e) {
    return { status: 'unsupported', problem: `does not plan: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Bound on cached passing values per schema node. */
const PASSED_CACHE_LIMIT = 20_000;

/**
 * Where the walk is in the object: a chain of segments, rendered as a field path
 * (`spec.rules[0].from[0].source`) only for a failure. Objects of a large mesh have tens of
 * thousands of nodes along rule branches and almost no failures.
 */
interface WalkPath {
  readonly parent: WalkPath | undefined;
  /** A field name (`.name`), or an index or map key (`[key]`). */
  readonly segment: string | number;
  readonly field: boolean;
}

function renderPath(path: WalkPath | undefined): string {
  if (!path) return '';
  const parent = renderPath(path.parent);
  return path.field ? childPath(parent, path.segment as string) : `${parent}[${path.segment}]`;
}

function walk(raw: unknown, cel: CelInput | undefined, node: RuleNode, path: WalkPath | undefined, out: CelRuleFailure[]): void {
  if (raw === null || raw === undefined || !typeMatches(raw, node.schema)) return;
  // A parent's converted value is reused; a plain object handed down unconverted is wrapped once here.
  let value = cel !== raw ? cel : undefined;
  if (node.rules.length > 0) {
    const pending = pendingRules(node.rules, raw);
    if (pending.length > 0) {
      const key = JSON.stringify(raw);
      if (!node.passed.has(key)) {
        value ??= toCelValue(raw, node.schema);
        const before = out.length;
        const at = renderPath(path);
        for (const rule of pending) {
          const failed = out.length;
          evaluateRule(rule, raw, value, at, out);
          const shape = out.length === failed ? shapeKey(rule, raw) : undefined;
          if (shape !== undefined && rule.passedShapes.size < PASSED_CACHE_LIMIT) rule.passedShapes.add(shape);
        }
        if (out.length === before && node.passed.size < PASSED_CACHE_LIMIT) node.passed.add(key);
      }
    }
  }
  if (node.propertyNames.length > 0 && isRecord(raw)) {
    for (let i = 0; i < node.propertyNames.length; i++) {
      const name = node.propertyNames[i];
      const sub = raw[name];
      if (sub !== undefined) {
        walk(sub, value instanceof Map ? value.get(name) : undefined, node.propertyNodes[i], { parent: path, segment: name, field: true }, out);
      }
    }
  }
  if (node.items && Array.isArray(raw)) {
    const list = Array.isArray(value) ? value : undefined;
    for (let i = 0; i < raw.length; i++) walk(raw[i], list?.[i], node.items, { parent: path, segment: i, field: false }, out);
  }
  if (node.values && isRecord(raw)) {
    const known = isJsonObject(node.schema.properties) ? node.schema.properties : undefined;
    for (const [key, sub] of Object.entries(raw)) {
      if (known?.[key] !== undefined || sub === undefined) continue;
      walk(sub, value instanceof Map ? value.get(key) : undefined, node.values, { parent: path, segment: key, field: false }, out);
    }
  }
}

/** The rules of a node not already known to hold for a value of this shape (see {@link shapeKey}). */
function pendingRules(rules: readonly CompiledRule[], raw: unknown): readonly CompiledRule[] {
  // Undefined while every rule so far is pending: the common cases allocate nothing.
  let pending: CompiledRule[] | undefined;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const shape = shapeKey(rule, raw);
    if (shape !== undefined && rule.passedShapes.has(shape)) pending ??= rules.slice(0, i);
    else pending?.push(rule);
  }
  return pending ?? rules;
}

/**
 * What a rule's result depends on, when that is less than the whole value: which of its fields are
 * present (a presence-only rule), or the key list of a map (a keys-only rule). Undefined otherwise.
 */
function shapeKey(rule: CompiledRule, raw: unknown): string | undefined {
  if (!isRecord(raw)) return undefined;
  if (rule.presenceFields) return presenceKey(rule.presenceFields, raw);
  if (!rule.keysOnly) return undefined;
  const keys = Object.keys(raw);
  // A key with an undefined value is dropped by one CEL conversion and kept by another: not cached.
  return keys.every((k) => raw[k] !== undefined) ? JSON.stringify(keys) : undefined;
}

function presenceKey(fields: readonly string[], raw: Readonly<Record<string, unknown>>): string {
  let key = '';
  for (const f of fields) key += raw[f] === undefined ? '0' : raw[f] === null ? 'n' : '1';
  return key;
}

function evaluateRule(rule: CompiledRule, raw: unknown, self: CelInput, path: string, out: CelRuleFailure[]): void {
  const result = rule.program({ self });
  if (result === true) return;
  const at = rule.fieldPath ? joinFieldPath(path, rule.fieldPath) : path;
  if (isCelError(result) || typeof result !== 'boolean') {
    const problem = isCelError(result) ? result.message : `rule returned ${typeof result}, not bool`;
    out.push({ path: at, message: rule.message ?? `failed rule: ${rule.rule}`, rule: rule.rule, reason: rule.reason, value: raw, evaluationError: problem });
    return;
  }
  out.push({ path: at, message: messageOf(rule, self), rule: rule.rule, reason: rule.reason, value: raw });
}

function messageOf(rule: CompiledRule, self: CelInput): string {
  if (rule.messageProgram) {
    const m = rule.messageProgram({ self });
    // Kubernetes falls back to message when messageExpression fails or yields an empty string.
    if (typeof m === 'string' && m.trim() !== '') return m;
  }
  return rule.message ?? `failed rule: ${rule.rule}`;
}

function joinFieldPath(path: string, fieldPath: string): string {
  if (fieldPath.startsWith('.')) return path === '' ? fieldPath.slice(1) : `${path}${fieldPath}`;
  return `${path}${fieldPath}`;
}

function typeMatches(raw: unknown, schema: JsonObject): boolean {
  switch (schema.type) {
    case 'object':
      return isRecord(raw);
    case 'array':
      return Array.isArray(raw);
    case 'string':
      return typeof raw === 'string';
    case 'integer':
      return typeof raw === 'number' && Number.isInteger(raw);
    case 'number':
      return typeof raw === 'number';
    case 'boolean':
      return typeof raw === 'boolean';
    default:
      return true;
  }
}

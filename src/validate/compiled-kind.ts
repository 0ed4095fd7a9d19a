/**
 * Compiled validators of a {@link CrdSchemaSet}: one structural check and one CEL rule tree per
 * distinct schema, built on first use and kept for the life of the set.
 *
 * @module
 */
import type { CelEnv } from '@bufbuild/cel';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { kubernetesCelEnv, knownFunctionNames } from './cel-environment';
import { CelRuleTree } from './cel-rules';
import type { CrdSchemaSet } from './crd-schema';
import type { JsonObject } from './json';
import { createSchemaAjv } from './schema-ajv';
import { quickSchemaCheck, type QuickCheck } from './schema-quick-check';
import { toAjvSchema } from './structural-schema';

/** The validators for one schema. */
export interface CompiledKind {
  /** The ajv schema (kept to render field paths of errors). */
  readonly ajvSchema: Record<string, unknown>;
  /**
   * Whether an object passes the structural schema check: the same answer as {@link validate},
   * without its errors (see `schema-quick-check.ts`).
   */
  readonly isValid: QuickCheck;
  /**
   * The structural schema check with ajv's errors. For a trusted set (whose schemas the tests
   * compile) ajv compiles it on first use, i.e. only once an object fails {@link isValid}.
   */
  readonly validate: ValidateFunction;
  /** The CEL rules. */
  readonly rules: CelRuleTree;
  /** Parts of the schema that are not checked (e.g. patterns JavaScript cannot compile). */
  readonly unchecked: readonly string[];
}

interface SetCache {
  readonly ajv: () => Ajv;
  readonly env: CelEnv;
  readonly functionNames: ReadonlySet<string>;
  readonly bySchema: WeakMap<JsonObject, CompiledKind>;
}

// Keyed by the set, so a set's compiled validators live exactly as long as the set.
const caches = new WeakMap<CrdSchemaSet, SetCache>();

/**
 * The compiled validators for `schema`, a schema of `set` (as returned by `set.lookup`).
 * Compiling is the expensive part (tens of milliseconds for a big kind); it happens once.
 */
export function compiledKind(set: CrdSchemaSet, schema: JsonObject): CompiledKind {
  let cache = caches.get(set);
  if (!cache) {
    const env = kubernetesCelEnv();
    let ajv: Ajv | undefined;
    cache = { ajv: () => (ajv ??= createSchemaAjv({ trusted: set.trusted })), env, functionNames: knownFunctionNames(env), bySchema: new WeakMap() };
    caches.set(set, cache);
  }
  let compiled = cache.bySchema.get(schema);
  if (!compiled) {
    compiled = new Compiled(schema, set.trusted, cache);
    cache.bySchema.set(schema, compiled);
  }
  return compiled;
}

class Compiled implements CompiledKind {
  public readonly ajvSchema: Record<string, unknown>;
  public readonly isValid: QuickCheck;
  public readonly rules: CelRuleTree;
  public readonly unchecked: readonly string[];
  private readonly ajv: () => Ajv;
  private compiledValidate: ValidateFunction | undefined;

  public constructor(schema: JsonObject, trusted: boolean, cache: SetCache) {
    const { schema: ajvSchema, unchecked } = toAjvSchema(schema);
    this.ajvSchema = ajvSchema;
    this.unchecked = unchecked;
    this.ajv = cache.ajv;
    // A user's CRD file may hold a schema ajv refuses: compiled at once, so that surfaces as it always did.
    const quick = trusted ? quickSchemaCheck(ajvSchema) : undefined;
    if (!quick) this.compiledValidate = this.ajv().compile(ajvSchema);
    this.isValid = quick ?? ((data) => this.validate(data) as boolean);
    this.rules = CelRuleTree.compile(schema, cache.env, cache.functionNames);
  }

  public get validate(): ValidateFunction {
    return (this.compiledValidate ??= this.ajv().compile(this.ajvSchema));
  }
}

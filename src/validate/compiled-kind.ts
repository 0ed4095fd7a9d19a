/**
 * Compiled validators of a {@link CrdSchemaSet}: one ajv validator and one CEL rule tree per
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
import { toAjvSchema } from './structural-schema';

/** The validators for one schema. */
export interface CompiledKind {
  /** The ajv schema (kept to render field paths of errors). */
  readonly ajvSchema: Record<string, unknown>;
  /** The structural schema check. */
  readonly validate: ValidateFunction;
  /** The CEL rules. */
  readonly rules: CelRuleTree;
  /** Parts of the schema that are not checked (e.g. patterns JavaScript cannot compile). */
  readonly unchecked: readonly string[];
}

interface SetCache {
  readonly ajv: Ajv;
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
    cache = { ajv: createSchemaAjv({ trusted: set.trusted }), env, functionNames: knownFunctionNames(env), bySchema: new WeakMap() };
    caches.set(set, cache);
  }
  let compiled = cache.bySchema.get(schema);
  if (!compiled) {
    const { schema: ajvSchema, unchecked } = toAjvSchema(schema);
    compiled = {
      ajvSchema,
      validate: cache.ajv.compile(ajvSchema),
      rules: CelRuleTree.compile(schema, cache.env, cache.functionNames),
      unchecked,
    };
    cache.bySchema.set(schema, compiled);
  }
  return compiled;
}

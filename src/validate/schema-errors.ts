/**
 * ajv errors to findings a user can act on: the field path, what is wrong, the value received,
 * what is allowed, and a "did you mean" for misspelt fields.
 *
 * @module
 */
import type { ErrorObject } from 'ajv';
import { describeValue } from '../errors';
import { childPath, fieldPathOf, valueAt } from './field-path';
import { LIST_MAP_KEYS_KEYWORD } from './structural-schema';
import { closestMatch } from '../private/did-you-mean';
import { isRecord } from '../private/records';

/** One schema violation. */
export interface SchemaFinding {
  /** Field path, e.g. `spec.action`. */
  readonly path: string;
  /** What is wrong, e.g. `unknown field "actoin"`. */
  readonly message: string;
  /** The value received, rendered (absent for missing fields). */
  readonly received?: string;
  /** What would be accepted. */
  readonly allowed?: string;
  /** How to fix it. */
  readonly fix?: string;
}

/**
 * Explains ajv's errors for one object. Errors inside an `anyOf`/`oneOf`/`not` that failed as a
 * whole are folded into that one error, and a type error hides the other errors of that value.
 *
 * @param errors ajv's `errors` (compiled with `verbose: true`)
 * @param object the validated object
 * @param schema the ajv schema it was validated with (to tell fields from map keys in paths)
 */
export function explainSchemaErrors(errors: readonly ErrorObject[], object: unknown, schema: unknown): SchemaFinding[] {
  const composite = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'not');
  // A value of the wrong type also fails its enum, format or anyOf; the type error says it all.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const kept = errors.filter((e) => !composite.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`)))
    .filter((e) => e.keyword === 'type' || !wrongType.has(e.instancePath));
  const findings: SchemaFinding[] = [];
  const seen = new Set<string>();
  for (const error of kept) {
    const finding = explain(error, object, schema);
    const key = `${finding.path}\u0000${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  return findings;
}

function explain(error: ErrorObject, object: unknown, schema: unknown): SchemaFinding {
  const path = fieldPathOf(error.instancePath, object, schema);
  const value = valueAt(object, error.instancePath);
  const received = describeValue(value);
  const params: Record<string, unknown> = error.params;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = isRecord(error.parentSchema) && isRecord(error.parentSchema.properties) ? Object.keys(error.parentSchema.properties).sort() : [];
      const guess = closestMatch(name, known);
      return {
        path: childPath(path, name),
        message: `unknown field "${name}"`,
        allowed: known.length > 0 ? `fields ${known.join(', ')}` : 'no fields',
        fix: guess
          ? `Did you mean "${guess}"? Unknown fields are rejected by kubectl's strict validation or silently dropped by the API server.`
          : 'Remove the field: unknown fields are rejected by kubectl\'s strict validation or silently dropped by the API server.',
      };
    }
    case 'required':
      return { path: childPath(path, String(params.missingProperty)), message: `required field "${String(params.missingProperty)}" is missing` };
    case 'enum': {
      const allowedValues = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      const guess = typeof value === 'string' ? closestMatch(value, allowedValues.filter((v): v is string => typeof v === 'string')) : undefined;
      return {
        path,
        message: 'value is not one of the allowed values',
        received,
        allowed: allowedValues.map((v) => describeValue(v)).join(', '),
        fix: guess ? `Did you mean ${JSON.stringify(guess)}?` : undefined,
      };
    }
    case 'type': {
      const types = Array.isArray(params.type) ? params.type.map(String) : String(params.type).split(',');
      return { path, message: `must be ${types.map(article).join(' or ')}`, received };
    }
    case 'format':
      return { path, message: `must be a valid ${String(params.format)}`, received };
    case 'pattern':
      return { path, message: 'does not match the required pattern', received, allowed: `strings matching ${String(params.pattern)}` };
    case 'oneOf':
    case 'anyOf':
      return { path, ...explainAlternatives(error, value) };
    case LIST_MAP_KEYS_KEYWORD:
      return { path, message: error.message ?? 'duplicate entries', fix: 'Merge or remove the duplicate entries.' };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}`, received };
  }
}

/**
 * Istio spells "at most one of a, b" and "exactly one of a, b" as oneOf over `required`; say so
 * instead of "must match exactly one schema in oneOf".
 */
function explainAlternatives(error: ErrorObject, value: unknown): { message: string; received?: string; allowed?: string } {
  const branches = Array.isArray(error.schema) ? error.schema : [];
  const fields = new Set<string>();
  let optional = false;
  for (const b of branches) {
    if (!isRecord(b)) continue;
    if (Array.isArray(b.required)) b.required.forEach((f: unknown) => fields.add(String(f)));
    if (isRecord(b.not)) optional = true;
  }
  if (fields.size > 0) {
    const list = [...fields].sort();
    const present = isRecord(value) ? list.filter((f) => value[f] !== undefined) : [];
    return {
      message: `${optional ? 'at most' : 'exactly'} one of ${list.join(', ')} may be set`,
      received: present.length > 0 ? `fields ${present.join(', ')}` : 'none of them',
    };
  }
  return { message: error.message ?? `fails ${error.keyword}`, received: describeValue(value) };
}

function article(type: string): string {
  if (type === 'null') return 'null';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}


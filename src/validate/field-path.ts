/**
 * Field paths as users read them: `spec.rules[0].from[0].source`, `spec.selector.matchLabels[app.kubernetes.io/name]`.
 *
 * @module
 */
import { isRecord } from '../private/records';

/** The segments of a JSON pointer (`/spec/rules/0`), unescaped. */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Renders a JSON pointer into `object` as a field path. Array indexes become `[i]`; keys that are
 * fields of the schema become `.name`; map keys (and keys that are not identifiers, when no schema
 * is given) become `[key]`.
 *
 * @param pointer the JSON pointer, e.g. ajv's `instancePath`
 * @param object the object the pointer points into
 * @param schema the (ajv) schema of `object`, to tell fields from map keys
 */
export function fieldPathOf(pointer: string, object: unknown, schema?: unknown): string {
  let path = '';
  let value: unknown = object;
  let node: unknown = schema;
  for (const seg of pointerSegments(pointer)) {
    if (Array.isArray(value)) {
      path += `[${seg}]`;
      value = value[Number(seg)];
      node = isRecord(node) ? node.items : undefined;
      continue;
    }
    const props = isRecord(node) && isRecord(node.properties) ? node.properties : undefined;
    const isField = props ? props[seg] !== undefined : (schema === undefined && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg));
    path += isField ? (path === '' ? seg : `.${seg}`) : `[${seg}]`;
    value = isRecord(value) ? value[seg] : undefined;
    node = props?.[seg] ?? (isRecord(node) && isRecord(node.additionalProperties) ? node.additionalProperties : undefined);
  }
  return path;
}

/** Appends a field name to a path. */
export function childPath(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** The value at a JSON pointer, or undefined. */
export function valueAt(object: unknown, pointer: string): unknown {
  let value = object;
  for (const seg of pointerSegments(pointer)) {
    if (Array.isArray(value)) value = value[Number(seg)];
    else if (isRecord(value)) value = value[seg];
    else return undefined;
  }
  return value;
}

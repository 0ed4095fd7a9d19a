/**
 * The fields of AuthorizationPolicy rules, and the fast way to type rules that are well-formed:
 * {@link rulesAsTyped} gives the value field-by-field typing (`toAuthorizationPolicy`) would build
 * for them, sharing every part of the input that already has the typed shape — the lists always,
 * and the records whose keys are in the typed order — instead of copying it. Large meshes (synth's
 * own output) are nearly all well-formed, so their rules are neither walked with field paths nor
 * held twice.
 *
 * @module
 */
import { AuthorizationRule, WorkloadSelector } from './istio-config';

/** The fields of an AuthorizationPolicy rule's `from[].source`. */
export const SOURCE_FIELDS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces',
  'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks',
  'notRemoteIpBlocks'] as const;
/** The fields of an AuthorizationPolicy rule's `to[].operation`. */
export const OPERATION_FIELDS = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;

const RULE_FIELDS = ['from', 'to', 'when'] as const;
const CONDITION_FIELDS = ['key', 'values', 'notValues'] as const;

/**
 * The typed rules of a well-formed `spec.rules`: equal to what field-by-field typing builds (the
 * same keys in the same order, the same lists), sharing every record of the input that already has
 * that shape. Undefined when some part is not well-formed (then field-by-field typing reports it).
 */
export function rulesAsTyped(value: unknown): readonly (AuthorizationRule | null)[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return sharedList(value, typedRuleOrNull);
}

/** Whether `value` is a selector whose typed form is itself: `{ matchLabels }` with string values only. */
export function isSelectorAsTyped(value: unknown): value is WorkloadSelector {
  if (!isPlainRecord(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'matchLabels') return false;
  const labels = value.matchLabels;
  return isPlainRecord(labels) && Object.values(labels).every(isString);
}

/**
 * `list` with each item typed: the list itself when every item is its own typed form, else a copy.
 * Undefined when an item is not well-formed. An index loop: a hole in the list is not well-formed.
 */
function sharedList<T>(list: readonly unknown[], type: (item: unknown) => T | undefined): readonly T[] | undefined {
  let copy: T[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const typed = type(list[i]);
    if (typed === undefined) return undefined;
    if ((typed as unknown) === list[i]) continue;
    // A copy of the whole list, of its exact length (pushing onto an empty array reserves more).
    copy ??= list.slice() as T[];
    copy[i] = typed;
  }
  return copy ?? (list as readonly T[]);
}

// Every record below is read in one pass over its own keys (`for…in`: a plain record has no
// enumerable inherited ones, and its keys come in `Object.keys` order), without a list of its keys
// or a typed copy unless it needs one: it is its own typed form when every key is a known field, in
// the typed order, with a value (field-by-field typing drops an `undefined` one).

function typedRuleOrNull(rule: unknown): AuthorizationRule | null | undefined {
  return rule === null ? null : typedRule(rule);
}

function typedRule(rule: unknown): AuthorizationRule | undefined {
  if (!isPlainRecord(rule)) return undefined;
  let from: readonly unknown[] | undefined;
  let to: readonly unknown[] | undefined;
  let when: readonly unknown[] | undefined;
  let last = -1;
  let same = true;
  for (const key in rule) {
    const at = RULE_FIELDS.indexOf(key as typeof RULE_FIELDS[number]);
    if (at < 0) return undefined;
    const list = rule[key];
    if (list === undefined) {
      same = false;
      continue;
    }
    if (!Array.isArray(list)) return undefined;
    const typed = at === 0 ? sharedList(list, typedSourceEntry) : at === 1 ? sharedList(list, typedOperationEntry) : sharedList(list, typedCondition);
    if (typed === undefined) return undefined;
    if (at === 0) from = typed;
    else if (at === 1) to = typed;
    else when = typed;
    if (typed !== list || at < last) same = false;
    last = at;
  }
  if (same) return rule as AuthorizationRule;
  const parts: Record<string, readonly unknown[]> = {};
  if (from !== undefined) parts.from = from;
  if (to !== undefined) parts.to = to;
  if (when !== undefined) parts.when = when;
  return parts as AuthorizationRule;
}

function typedSourceEntry(entry: unknown): Record<string, unknown> | undefined {
  return typedEntry(entry, 'source', SOURCE_FIELDS);
}

function typedOperationEntry(entry: unknown): Record<string, unknown> | undefined {
  return typedEntry(entry, 'operation', OPERATION_FIELDS);
}

// `{ source: {…} }` or `{ operation: {…} }`, its fields lists of strings.
function typedEntry(entry: unknown, name: 'source' | 'operation', fields: readonly string[]): Record<string, unknown> | undefined {
  if (!isPlainRecord(entry)) return undefined;
  let inner: unknown;
  let count = 0;
  for (const key in entry) {
    if (key !== name) return undefined;
    inner = entry[key];
    count++;
  }
  if (count !== 1 || !isPlainRecord(inner)) return undefined;
  const form = recordForm(inner, fields, isStringListField);
  if (form === undefined) return undefined;
  if (form === 'same') return entry;
  const typed: Record<string, unknown> = {};
  for (const f of fields) {
    const v = inner[f];
    if (v !== undefined) typed[f] = v;
  }
  return name === 'source' ? { source: typed } : { operation: typed };
}

function typedCondition(condition: unknown): Record<string, unknown> | undefined {
  if (!isPlainRecord(condition) || typeof condition.key !== 'string') return undefined;
  const form = recordForm(condition, CONDITION_FIELDS, isConditionField);
  if (form === undefined) return undefined;
  if (form === 'same') return condition;
  const { key, values, notValues } = condition;
  return { key, ...(values !== undefined ? { values } : {}), ...(notValues !== undefined ? { notValues } : {}) };
}

/**
 * How a record compares with its typed form, read in one pass over its own keys: `undefined` when
 * a key is not one of `fields` or `valid` rejects its value; `'same'` when it is its own typed form
 * (every key known, in the order of `fields`, with a value); `'copy'` when the typed form is a copy.
 */
function recordForm(rec: Record<string, unknown>, fields: readonly string[], valid: (at: number, value: unknown) => boolean): 'same' | 'copy' | undefined {
  let last = -1;
  let same = true;
  for (const key in rec) {
    const at = fields.indexOf(key);
    if (at < 0) return undefined;
    const v = rec[key];
    if (v === undefined) {
      same = false;
      continue;
    }
    if (!valid(at, v)) return undefined;
    if (at < last) same = false;
    last = at;
  }
  return same ? 'same' : 'copy';
}

function isStringListField(_at: number, value: unknown): boolean {
  return isStringList(value);
}

// A condition's `key` is checked apart; its `values` and `notValues` are lists of strings.
function isConditionField(at: number, value: unknown): boolean {
  return at === 0 || isStringList(value);
}

// A JSON or YAML mapping (not a list, a Date or a class instance, which the checks read differently).
function isPlainRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

// What field-by-field typing keeps as it is: a list whose items are strings (`every` skips holes, so does this).
function isStringList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string' && (v[i] !== undefined || i in v)) return false;
  }
  return true;
}

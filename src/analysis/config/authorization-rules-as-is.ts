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
  return sharedList(value, (rule) => (rule === null ? null : typedRule(rule)));
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

function typedRule(rule: unknown): AuthorizationRule | undefined {
  if (!isPlainRecord(rule) || !knownKeys(rule, RULE_FIELDS)) return undefined;
  const parts: Record<string, readonly unknown[]> = {};
  for (const field of RULE_FIELDS) {
    const list = rule[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return undefined;
    const typed = field === 'when' ? sharedList(list, typedCondition)
      : sharedList(list, (entry) => typedEntry(entry, field === 'from' ? 'source' : 'operation', field === 'from' ? SOURCE_FIELDS : OPERATION_FIELDS));
    if (typed === undefined) return undefined;
    parts[field] = typed;
  }
  return sameRecord(rule, parts) ? rule as AuthorizationRule : parts as AuthorizationRule;
}

// `{ source: {…} }` or `{ operation: {…} }`, its fields lists of strings.
function typedEntry(entry: unknown, name: string, fields: readonly string[]): Record<string, unknown> | undefined {
  if (!isPlainRecord(entry)) return undefined;
  const keys = Object.keys(entry);
  const inner = entry[name];
  if (keys.length !== 1 || keys[0] !== name || !isPlainRecord(inner) || !knownKeys(inner, fields)) return undefined;
  const typed: Record<string, unknown> = {};
  for (const f of fields) {
    const v = inner[f];
    if (v === undefined) continue;
    if (!isStringList(v)) return undefined;
    typed[f] = v;
  }
  if (sameRecord(inner, typed)) return entry;
  return name === 'source' ? { source: typed } : { operation: typed };
}

function typedCondition(condition: unknown): Record<string, unknown> | undefined {
  if (!isPlainRecord(condition) || !knownKeys(condition, CONDITION_FIELDS) || typeof condition.key !== 'string') return undefined;
  const { key, values, notValues } = condition;
  if ((values !== undefined && !isStringList(values)) || (notValues !== undefined && !isStringList(notValues))) return undefined;
  const typed = { key, ...(values !== undefined ? { values } : {}), ...(notValues !== undefined ? { notValues } : {}) };
  return sameRecord(condition, typed) ? condition : typed;
}

function knownKeys(rec: Record<string, unknown>, fields: readonly string[]): boolean {
  return Object.keys(rec).every((k) => fields.includes(k));
}

/** Whether `rec` lists the typed record's keys in the same order, each with the very same value. */
function sameRecord(rec: Record<string, unknown>, typed: Record<string, unknown>): boolean {
  const keys = Object.keys(rec);
  const typedKeys = Object.keys(typed);
  return keys.length === typedKeys.length && keys.every((k, i) => k === typedKeys[i] && rec[k] === typed[k]);
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

// What field-by-field typing keeps as it is.
function isStringList(v: unknown): boolean {
  return Array.isArray(v) && v.every(isString);
}

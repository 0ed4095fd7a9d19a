/**
 * The ajv instance CRD schemas are compiled with: Kubernetes formats and the list-map keyword.
 *
 * @module
 */
import Ajv, { type ErrorObject, type Format } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';
import { LIST_MAP_KEYS_KEYWORD } from './structural-schema';
import { isRecord } from '../private/records';

const INT32 = 2 ** 31;
const UINT32 = 2 ** 32;
// Go's time.ParseDuration grammar (what Kubernetes' `duration` format accepts).
const GO_DURATION = /^[-+]?(0|(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const CIDR_V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{2}[:-]){7}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;


const ipv6 = fullFormats.ipv6;
const isIp = (s: string, f: unknown): boolean => (f instanceof RegExp ? f.test(s) : false);

/**
 * The formats Kubernetes checks (`structural-schema.ts` keeps only these), as registered on ajv;
 * also read by `schema-quick-check.ts`.
 */
export const KUBERNETES_FORMATS: Readonly<Record<string, Format>> = {
  'int32': { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 },
  'int64': { type: 'number', validate: (n: number) => Number.isInteger(n) },
  'uint32': { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 && n < UINT32 },
  'float': { type: 'number', validate: () => true },
  'double': { type: 'number', validate: () => true },
  'byte': fullFormats.byte,
  'date-time': fullFormats['date-time'],
  'datetime': fullFormats['date-time'],
  'date': fullFormats.date,
  'duration': GO_DURATION,
  'ipv4': fullFormats.ipv4,
  'ipv6': ipv6,
  'cidr': (s: string) => {
    const v4 = CIDR_V4.exec(s);
    if (v4) return v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32;
    const slash = s.lastIndexOf('/');
    return slash > 0 && isIp(s.slice(0, slash), ipv6) && /^\d{1,3}$/.test(s.slice(slash + 1)) && Number(s.slice(slash + 1)) <= 128;
  },
  'mac': MAC,
  'uuid': UUID,
  'uuid3': UUID,
  'uuid4': UUID,
  'uuid5': UUID,
  'hostname': fullFormats.hostname,
  'email': fullFormats.email,
  // Kubernetes checks `uri` with Go's url.ParseRequestURI: an absolute URI or an absolute path.
  'uri': (s: string) => /^([a-zA-Z][a-zA-Z0-9+.-]*:|\/)[^\s]*$/.test(s),
};

/** Options of {@link createSchemaAjv}. */
export interface SchemaAjvOptions {
  /**
   * The schemas compiled with this instance are trusted (the bundled CRD schemas, which a test
   * checks against the JSON Schema meta-schema): skip validating each against the meta-schema
   * at compile time.
   * @default false
   */
  readonly trusted?: boolean;
}

/**
 * A new ajv instance for schemas produced by `toAjvSchema` (all errors reported, strict about
 * schema keywords, Kubernetes formats registered). The generated code is not optimized: a synth
 * compiles each kind once and validates a few thousand objects at most, where ajv's optimizer
 * passes cost more than they save.
 */
export function createSchemaAjv(options: SchemaAjvOptions = {}): Ajv {
  const ajv = new Ajv({
    code: { optimize: false },
    validateSchema: !options.trusted,
    allErrors: true,
    // Errors carry their schema and parent schema, for messages ("allowed: fields a, b").
    verbose: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    validateFormats: true,
  });
  for (const [name, format] of Object.entries(KUBERNETES_FORMATS)) ajv.addFormat(name, format);
  ajv.addKeyword({
    keyword: LIST_MAP_KEYS_KEYWORD,
    type: 'array',
    schemaType: 'array',
    errors: true,
    validate: validateListMapKeys,
  });
  return ajv;
}

interface ListMapValidate {
  (keys: readonly string[], data: readonly unknown[]): boolean;
  errors?: Partial<ErrorObject>[];
}

/** Whether the items of an `x-kubernetes-list-type: map` list are unique by their map keys (the keyword's yes/no). */
export function listMapKeysUnique(keys: readonly string[], data: readonly unknown[]): boolean {
  const seen = new Set<string>();
  for (const item of data) {
    if (!isRecord(item)) continue;
    const id = JSON.stringify(keys.map((k) => item[k] ?? null));
    if (seen.has(id)) return false;
    seen.add(id);
  }
  return true;
}

/** Items of an `x-kubernetes-list-type: map` list must be unique by their map keys. */
const validateListMapKeys: ListMapValidate = (keys, data) => {
  const seen = new Map<string, number>();
  const errors: Partial<ErrorObject>[] = [];
  data.forEach((item, index) => {
    if (!isRecord(item)) return;
    const id = JSON.stringify(keys.map((k) => item[k] ?? null));
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, index);
    } else {
      errors.push({
        keyword: LIST_MAP_KEYS_KEYWORD,
        message: `duplicate entry: items ${first} and ${index} have the same ${keys.join(', ')}`,
        params: { keys, first, duplicate: index },
      });
    }
  });
  validateListMapKeys.errors = errors;
  return errors.length === 0;
};

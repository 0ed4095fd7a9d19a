/**
 * The ajv instance CRD schemas are compiled with: Kubernetes formats and the list-map keyword.
 *
 * @module
 */
import Ajv, { type ErrorObject } from 'ajv';
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
  const ipv4 = fullFormats.ipv4;
  const ipv6 = fullFormats.ipv6;
  const isIp = (s: string, f: unknown): boolean => (f instanceof RegExp ? f.test(s) : false);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('uint32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 && n < UINT32 });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', fullFormats.byte);
  ajv.addFormat('date-time', fullFormats['date-time']);
  ajv.addFormat('datetime', fullFormats['date-time']);
  ajv.addFormat('date', fullFormats.date);
  ajv.addFormat('duration', GO_DURATION);
  ajv.addFormat('ipv4', ipv4);
  ajv.addFormat('ipv6', ipv6);
  ajv.addFormat('cidr', (s: string) => {
    const v4 = CIDR_V4.exec(s);
    if (v4) return v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32;
    const slash = s.lastIndexOf('/');
    return slash > 0 && isIp(s.slice(0, slash), ipv6) && /^\d{1,3}$/.test(s.slice(slash + 1)) && Number(s.slice(slash + 1)) <= 128;
  });
  ajv.addFormat('mac', MAC);
  for (const name of ['uuid', 'uuid3', 'uuid4', 'uuid5']) ajv.addFormat(name, UUID);
  ajv.addFormat('hostname', fullFormats.hostname);
  ajv.addFormat('email', fullFormats.email);
  // Kubernetes checks `uri` with Go's url.ParseRequestURI: an absolute URI or an absolute path.
  ajv.addFormat('uri', (s: string) => /^([a-zA-Z][a-zA-Z0-9+.-]*:|\/)[^\s]*$/.test(s));
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

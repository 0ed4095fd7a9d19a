/**
 * The CEL environment `x-kubernetes-validations` rules run in: CEL's standard library, the strings
 * extension, and the parts of the Kubernetes CEL library that CRDs use (`url()` and its accessors,
 * `isURL()`, list functions, regex `find`), with Kubernetes' strict `int(string)`.
 *
 * @see https://kubernetes.io/docs/reference/using-api/cel/#cel-options-language-features-and-libraries
 * @module
 */
import {
  celEnv, celFunc, celList, celMap, celMethod, CelScalar, isCelList, listType, mapType,
  type CelEnv, type CelFunc, type CelMap, type CelValue,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

const { BOOL, DYN, INT, STRING } = CelScalar;
const LIST = listType(DYN);
const MAP = mapType(DYN, DYN);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Maps returned by `url()`. A URL is a CEL map underneath (the evaluator has no opaque values
 * without protobuf descriptors); the brand keeps `getScheme()` and friends off ordinary maps.
 */
const urls = new WeakSet<object>();

/** Parsed URL parts, following Go's net/url (which the Kubernetes library wraps). */
interface UrlParts {
  readonly scheme: string;
  readonly host: string;
  readonly path: string;
  readonly rawQuery: string;
}

/**
 * Creates the CEL environment for Kubernetes validation rules. Create it once and reuse it: rules
 * are planned against it.
 */
export function kubernetesCelEnv(): CelEnv {
  return celEnv({ funcs: [...strings, ...kubernetesLibrary()] });
}

/**
 * Names of every function and method the environment provides, plus the operators the planner
 * handles itself. Used to tell "compiles here" from "would fail at run time with unbound function".
 */
export function knownFunctionNames(env: CelEnv): ReadonlySet<string> {
  const names = new Set<string>(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);
  for (const f of env.funcs) names.add(f.name);
  return names;
}

function kubernetesLibrary(): CelFunc[] {
  return [
    // Kubernetes parses with strconv.ParseInt(s, 10, 64): no hex, no blanks, no empty string.
    celFunc('int', [STRING], INT, (s: string) => {
      if (!/^[+-]?\d+$/.test(s)) throw new Error(`cannot convert "${s}" to int`);
      const n = BigInt(s);
      if (n < INT64_MIN || n > INT64_MAX) throw new Error(`int "${s}" out of range`);
      return n;
    }),
    celFunc('url', [STRING], MAP, (s: string) => toUrlValue(s)),
    celFunc('isURL', [STRING], BOOL, (s: string) => parseUrl(s) !== undefined),
    celMethod('getScheme', MAP, [], STRING, function (this: CelMap) {
      return urlPart(this, 'scheme');
    }),
    celMethod('getHost', MAP, [], STRING, function (this: CelMap) {
      return urlPart(this, 'host');
    }),
    celMethod('getHostname', MAP, [], STRING, function (this: CelMap) {
      return splitHost(urlPart(this, 'host')).hostname;
    }),
    celMethod('getPort', MAP, [], STRING, function (this: CelMap) {
      return splitHost(urlPart(this, 'host')).port;
    }),
    celMethod('getEscapedPath', MAP, [], STRING, function (this: CelMap) {
      return urlPart(this, 'path');
    }),
    celMethod('getQuery', MAP, [], MAP, function (this: CelMap) {
      const query = new Map<string, CelValue>();
      const raw = urlPart(this, 'rawQuery');
      for (const pair of raw === '' ? [] : raw.split('&')) {
        const eq = pair.indexOf('=');
        const key = decodeQuery(eq < 0 ? pair : pair.slice(0, eq));
        const value = eq < 0 ? '' : decodeQuery(pair.slice(eq + 1));
        const list = query.get(key);
        query.set(key, celList(isCelList(list) ? [...list, value] : [value]));
      }
      return celMap(query);
    }),
    celMethod('isSorted', LIST, [], BOOL, function (this: ReturnType<typeof celList>) {
      const items = [...this];
      return items.every((v, i) => i === 0 || compareValues(items[i - 1], v) <= 0);
    }),
    celMethod('sum', LIST, [], DYN, function (this: ReturnType<typeof celList>) {
      const items = [...this];
      if (items.every((v) => typeof v === 'bigint')) return items.reduce<bigint>((a, v) => a + (v as bigint), 0n);
      return items.reduce<number>((a, v) => a + Number(v), 0);
    }),
    celMethod('min', LIST, [], DYN, function (this: ReturnType<typeof celList>) {
      const items = [...this];
      if (items.length === 0) throw new Error('min called on empty list');
      return items.reduce((a, v) => (compareValues(v, a) < 0 ? v : a));
    }),
    celMethod('max', LIST, [], DYN, function (this: ReturnType<typeof celList>) {
      const items = [...this];
      if (items.length === 0) throw new Error('max called on empty list');
      return items.reduce((a, v) => (compareValues(v, a) > 0 ? v : a));
    }),
    celMethod('indexOf', LIST, [DYN], INT, function (this: ReturnType<typeof celList>, x: CelValue) {
      return BigInt([...this].findIndex((v) => v === x));
    }),
    celMethod('lastIndexOf', LIST, [DYN], INT, function (this: ReturnType<typeof celList>, x: CelValue) {
      const items = [...this];
      for (let i = items.length - 1; i >= 0; i--) if (items[i] === x) return BigInt(i);
      return -1n;
    }),
    celMethod('find', STRING, [STRING], STRING, function (this: string, pattern: string) {
      return new RegExp(pattern, 'u').exec(this)?.[0] ?? '';
    }),
    celMethod('findAll', STRING, [STRING], LIST, function (this: string, pattern: string) {
      return celList([...this.matchAll(new RegExp(pattern, 'gu'))].map((m) => m[0]));
    }),
  ];
}

function toUrlValue(s: string): CelMap {
  const parts = parseUrl(s);
  if (!parts) throw new Error(`URL parse error during conversion from string: ${JSON.stringify(s)}`);
  const value = celMap(new Map<string, string>([
    ['scheme', parts.scheme], ['host', parts.host], ['path', parts.path], ['rawQuery', parts.rawQuery],
  ]));
  urls.add(value);
  return value;
}

function urlPart(value: CelMap, part: keyof UrlParts): string {
  const v = urls.has(value) ? value.get(part) : undefined;
  if (typeof v !== 'string') throw new Error('no such overload: URL accessor called on a value that is not a URL');
  return v;
}

/**
 * Go's url.ParseRequestURI, reduced to what matters for validation: an absolute URI (`scheme:…`)
 * or an absolute path; no control characters or spaces; a numeric port. Fragments are split off
 * as url.Parse does.
 */
function parseUrl(s: string): UrlParts | undefined {
  // eslint-disable-next-line no-control-regex
  if (s === '' || /[\u0000-\u001f\u007f ]/.test(s)) return undefined;
  const hash = s.indexOf('#');
  const noFragment = hash < 0 ? s : s.slice(0, hash);
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?]*))?([^?]*)(?:\?(.*))?$/.exec(noFragment);
  if (!m) return undefined;
  const [, scheme = '', host = '', path, rawQuery = ''] = m;
  if (scheme === '' && !noFragment.startsWith('/')) return undefined;
  if (scheme !== '' && host === '' && path !== '' && !path.startsWith('/') && !noFragment.includes('://')) {
    // Opaque URIs such as `mailto:x@y` are valid for Go.
    return { scheme: scheme.toLowerCase(), host: '', path: '', rawQuery };
  }
  const { port } = splitHost(host.slice(host.lastIndexOf('@') + 1));
  if (port !== '' && !/^\d+$/.test(port)) return undefined;
  return { scheme: scheme.toLowerCase(), host: host.slice(host.lastIndexOf('@') + 1), path, rawQuery };
}

function splitHost(host: string): { hostname: string; port: string } {
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    const rest = host.slice(close + 1);
    return { hostname: host.slice(1, close), port: rest.startsWith(':') ? rest.slice(1) : '' };
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? { hostname: host, port: '' } : { hostname: host.slice(0, colon), port: host.slice(colon + 1) };
}

function decodeQuery(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function compareValues(a: CelValue, b: CelValue): number {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new Error('no such overload: values are not comparable');
}

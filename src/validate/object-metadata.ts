/**
 * `metadata` checks the API server makes on every object and CRD schemas do not express: name and
 * namespace syntax, namespace presence by scope, label and annotation syntax.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 * @module
 */
import { describeValue } from '../errors';
import { isDns1035Label, isDnsLabel, isDnsSubdomain, isLabelValue, isQualifiedName } from '../private/k8s-names';
import { isRecord } from '../private/records';

/** Which name syntax a kind requires (`path-segment`: any name usable in a URL path, for kinds without a stricter rule). */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment';

/** One metadata problem. */
export interface MetadataFinding {
  /** Field path, e.g. `metadata.name`. */
  readonly path: string;
  readonly message: string;
  readonly received?: string;
  readonly allowed?: string;
}

const TOTAL_ANNOTATION_BYTES = 256 * 1024;

const NAME_RULES: Record<NameRule, { readonly valid: (name: string) => boolean; readonly max: number; readonly allowed: string }> = {
  'dns1123-subdomain': {
    valid: isDnsSubdomain,
    max: 253,
    allowed: 'a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters',
  },
  'dns1123-label': {
    valid: isDnsLabel,
    max: 63,
    allowed: 'a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
  },
  'dns1035-label': {
    valid: isDns1035Label,
    max: 63,
    allowed: 'a DNS-1035 label: lower-case letters, digits and "-", starting with a letter, ending with a letter or digit, at most 63 characters',
  },
  // apimachinery's ValidatePathSegmentName, what every kind's name must at least be.
  'path-segment': {
    valid: (name) => name !== '' && name !== '.' && name !== '..' && !/[/%]/.test(name),
    max: 253,
    allowed: 'a path segment: not "." or "..", without "/" or "%"',
  },
};

/** Checks a name against a Kubernetes name rule; returns the problem or undefined. */
export function checkName(name: string, rule: NameRule): string | undefined {
  const r = NAME_RULES[rule];
  if (name.length > r.max) return `is longer than ${r.max} characters`;
  if (!r.valid(name)) return `is not ${r.allowed.split(':')[0]}`;
  return undefined;
}

/**
 * Checks `metadata` of an object.
 *
 * @param metadata the object's `metadata`
 * @param nameRule the syntax the kind's names follow
 * @param namespaced whether the kind lives in a namespace (cluster-scoped kinds must not set one)
 */
export function checkMetadata(metadata: unknown, nameRule: NameRule, namespaced: boolean): MetadataFinding[] {
  const out: MetadataFinding[] = [];
  if (metadata === undefined) return [{ path: 'metadata', message: 'is missing; every object needs metadata.name' }];
  if (!isRecord(metadata)) return [{ path: 'metadata', message: 'must be an object', received: describeValue(metadata) }];

  const { name, generateName, namespace, labels, annotations } = metadata;
  if (name === undefined) {
    if (typeof generateName !== 'string') out.push({ path: 'metadata.name', message: 'is missing' });
  } else if (typeof name !== 'string') {
    out.push({ path: 'metadata.name', message: 'must be a string', received: describeValue(name) });
  } else {
    const problem = checkName(name, nameRule);
    if (problem) out.push({ path: 'metadata.name', message: problem, received: describeValue(name), allowed: NAME_RULES[nameRule].allowed });
  }

  if (namespace !== undefined) {
    if (!namespaced) {
      out.push({ path: 'metadata.namespace', message: 'must not be set: this kind is cluster-scoped', received: describeValue(namespace) });
    } else if (typeof namespace !== 'string' || checkName(namespace, 'dns1123-label')) {
      out.push({ path: 'metadata.namespace', message: 'is not a valid namespace name', received: describeValue(namespace), allowed: NAME_RULES['dns1123-label'].allowed });
    }
  }

  if (labels !== undefined) checkLabels(labels, out);
  if (annotations !== undefined) checkAnnotations(annotations, out);
  return out;
}

function checkLabels(labels: unknown, out: MetadataFinding[]): void {
  if (!isRecord(labels)) {
    out.push({ path: 'metadata.labels', message: 'must be a map of strings', received: describeValue(labels) });
    return;
  }
  for (const [key, value] of Object.entries(labels)) {
    const path = `metadata.labels[${key}]`;
    const keyProblem = checkQualifiedName(key);
    if (keyProblem) out.push({ path, message: `label key ${keyProblem}`, received: describeValue(key), allowed: 'an optional DNS subdomain prefix and "/", then a name of at most 63 characters ([A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9])' });
    if (typeof value !== 'string') {
      out.push({ path, message: 'label value must be a string', received: describeValue(value) });
    } else if (!isLabelValue(value)) {
      out.push({ path, message: 'is not a valid label value', received: describeValue(value), allowed: 'empty, or at most 63 characters [A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]' });
    }
  }
}

function checkAnnotations(annotations: unknown, out: MetadataFinding[]): void {
  if (!isRecord(annotations)) {
    out.push({ path: 'metadata.annotations', message: 'must be a map of strings', received: describeValue(annotations) });
    return;
  }
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    const path = `metadata.annotations[${key}]`;
    const keyProblem = checkQualifiedName(key);
    if (keyProblem) out.push({ path, message: `annotation key ${keyProblem}`, received: describeValue(key) });
    if (typeof value !== 'string') out.push({ path, message: 'annotation value must be a string', received: describeValue(value) });
    else total += key.length + value.length;
  }
  if (total > TOTAL_ANNOTATION_BYTES) out.push({ path: 'metadata.annotations', message: `are ${total} bytes in total; at most ${TOTAL_ANNOTATION_BYTES} are allowed` });
}

function checkQualifiedName(key: string): string | undefined {
  if (isQualifiedName(key)) return undefined;
  const slash = key.indexOf('/');
  if (slash >= 0 && !isDnsSubdomain(key.slice(0, slash))) return 'has a prefix that is not a DNS-1123 subdomain';
  return 'is not a valid qualified name';
}

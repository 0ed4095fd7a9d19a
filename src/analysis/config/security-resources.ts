/**
 * Validation and typing of the security.istio.io kinds (`v1` and `v1beta1`, which share one
 * schema). Structural problems the API server would reject (wrong types, unknown fields, bad enum
 * values) become `TM_POLICY_INVALID` diagnostics pointing at the field's `file:line:column`.
 * Semantic values (CIDRs, ports, `when` keys) are checked by the evaluator, which mirrors what
 * istiod does with values its webhook would have refused.
 *
 * @module
 */
import { isSelectorAsTyped, OPERATION_FIELDS, rulesAsTyped, SOURCE_FIELDS } from './authorization-rules-as-is';
import {
  AuthorizationAction, AuthorizationCondition, AuthorizationOperation, AuthorizationPolicyResource, AuthorizationRule,
  AuthorizationSource, JwtRule, LoadedObject, MtlsMode, PeerAuthenticationResource, PolicyTargetReference,
  RequestAuthenticationResource, WorkloadSelector,
} from './istio-config';
import { FieldPath, fieldString } from './yaml-source';
import { Diagnostic } from '../../errors';
import { closestMatch } from '../../private/did-you-mean';
import { isRecord } from '../../private/records';

export { OPERATION_FIELDS, SOURCE_FIELDS } from './authorization-rules-as-is';

/** API versions of the security kinds that Istio serves with the same schema. */
export const SECURITY_API_VERSIONS: readonly string[] = ['security.istio.io/v1', 'security.istio.io/v1beta1'];

const ACTIONS: readonly AuthorizationAction[] = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'];
const MODES: readonly MtlsMode[] = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];
const JWT_RULE_FIELDS = ['issuer', 'audiences', 'jwksUri', 'jwks_uri', 'jwks', 'fromHeaders', 'fromParams', 'fromCookies',
  'outputPayloadToHeader', 'forwardOriginalToken', 'outputClaimToHeaders', 'timeout', 'spaceDelimitedClaims', 'presence'];

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** Collects problems found in one object. */
class Checker {
  public readonly diagnostics: Diagnostic[] = [];

  public constructor(private readonly obj: LoadedObject) {}

  public error(path: FieldPath, message: string, fix?: string): void {
    this.diagnostics.push({
      code: 'TM_POLICY_INVALID',
      severity: 'error',
      message: `${this.obj.kind} ${this.obj.metadata.namespace}/${this.obj.metadata.name}: ${message}`,
      location: this.obj.locate(path),
      fix,
    });
  }

  public record(value: unknown, path: FieldPath, allowed: readonly string[]): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.error(path, `${fieldString(path)} must be an object, got ${describe(value)}`);
      return undefined;
    }
    const rec = value as Record<string, unknown>;
    // Own keys in Object.keys order, without a list of them (every object of a large mesh is checked).
    for (const key in rec) {
      if (!Object.prototype.hasOwnProperty.call(rec, key)) continue;
      if (!allowed.includes(key)) {
        const near = closest(key, allowed);
        this.error([...path, key], `unknown field "${key}" in ${fieldString(path) || 'the object'}`,
          near ? `Did you mean "${near}"? Allowed: ${allowed.join(', ')}.` : `Allowed: ${allowed.join(', ')}.`);
      }
    }
    return rec;
  }

  public list(value: unknown, path: FieldPath): readonly unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.error(path, `${fieldString(path)} must be a list, got ${describe(value)}`, `Write it as a YAML list: [${JSON.stringify(value)}]`);
      return undefined;
    }
    return value;
  }

  public strings(value: unknown, path: FieldPath): readonly string[] | undefined {
    const l = this.list(value, path);
    if (!l) return undefined;
    // Nearly always every item is a string: then the list itself, not a copy (large inputs).
    if (l.every(isString)) return l as readonly string[];
    const out: string[] = [];
    l.forEach((v, i) => {
      if (typeof v === 'string') {out.push(v);} else {
        this.error([...path, i], `${fieldString([...path, i])} must be a string, got ${describe(v)}`,
          typeof v === 'number' ? `Quote it: "${v}".` : undefined);
      }
    });
    return out;
  }

  public string(value: unknown, path: FieldPath): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.error(path, `${fieldString(path)} must be a string, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  public bool(value: unknown, path: FieldPath): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.error(path, `${fieldString(path)} must be true or false, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  public selector(value: unknown, path: FieldPath): WorkloadSelector | undefined {
    if (isSelectorAsTyped(value)) return value;
    const rec = this.record(value, path, ['matchLabels']);
    if (!rec) return undefined;
    const labels: Record<string, string> = {};
    const ml = this.record(rec.matchLabels, [...path, 'matchLabels'], Object.keys(isRecord(rec.matchLabels) ? rec.matchLabels : {}));
    for (const [k, v] of Object.entries(ml ?? {})) {
      if (typeof v === 'string') {labels[k] = v;} else if (typeof v === 'number' || typeof v === 'boolean') {
        this.error([...path, 'matchLabels', k], `label value must be a string, got ${describe(v)}`, `Quote it: "${String(v)}".`);
      } else {this.error([...path, 'matchLabels', k], `label value must be a string, got ${describe(v)}`);}
    }
    return { matchLabels: labels };
  }

  public targetRefs(spec: Record<string, unknown>, path: FieldPath): PolicyTargetReference[] {
    const refs: PolicyTargetReference[] = [];
    const one = (v: unknown, p: FieldPath): void => {
      const rec = this.record(v, p, ['group', 'kind', 'name', 'namespace']);
      if (!rec) return;
      const kind = this.string(rec.kind, [...p, 'kind']);
      const name = this.string(rec.name, [...p, 'name']);
      if (kind === undefined || name === undefined) {
        this.error(p, 'a target reference needs kind and name');
        return;
      }
      const namespace = this.string(rec.namespace, [...p, 'namespace']);
      refs.push({ group: this.string(rec.group, [...p, 'group']) ?? '', kind, name, ...(namespace ? { namespace } : {}) });
    };
    if (spec.targetRef !== undefined && spec.targetRef !== null) one(spec.targetRef, [...path, 'targetRef']);
    // Nearly no policy has targetRefs: no path built for the absent field.
    if (spec.targetRefs !== undefined && spec.targetRefs !== null) {
      this.list(spec.targetRefs, [...path, 'targetRefs'])?.forEach((r, i) => one(r, [...path, 'targetRefs', i]));
    }
    return refs;
  }
}

/** Types and validates an AuthorizationPolicy; returns the diagnostics and, if none are errors, the typed object. */
export function toAuthorizationPolicy(obj: LoadedObject): { resource?: AuthorizationPolicyResource; diagnostics: Diagnostic[] } {
  const c = new Checker(obj);
  const specPath: FieldPath = SPEC_PATH;
  const spec = c.record(obj.body.spec, specPath, AUTHORIZATION_POLICY_FIELDS) ?? {};
  const selector = c.selector(spec.selector, SELECTOR_PATH);
  const targetRefs = c.targetRefs(spec, specPath);
  let action: AuthorizationAction = 'ALLOW';
  if (spec.action !== undefined && spec.action !== null) {
    if (typeof spec.action === 'string' && (ACTIONS as readonly string[]).includes(spec.action)) {action = spec.action as AuthorizationAction;} else {
      const upper = typeof spec.action === 'string' ? spec.action.toUpperCase() : '';
      c.error([...specPath, 'action'], `action must be one of ${ACTIONS.join(', ')}, got ${describe(spec.action)}`,
        (ACTIONS as readonly string[]).includes(upper) ? `Did you mean "${upper}"?` : undefined);
    }
  }
  const providerRec = spec.provider === undefined || spec.provider === null ? undefined : c.record(spec.provider, [...specPath, 'provider'], ['name']);
  const provider = providerRec ? { name: c.string(providerRec.name, [...specPath, 'provider', 'name']) } : undefined;
  // Rules that are already well-formed are typed without field paths, sharing what already has the
  // typed shape (no second copy of every rule of a large mesh); the rest field by field, with problems.
  const rules = rulesAsTyped(spec.rules) ?? typedRules(c, spec.rules, specPath);
  const diagnostics = c.diagnostics;
  if (diagnostics.length > 0) return { diagnostics };
  return {
    diagnostics,
    resource: typedResource(obj, 'AuthorizationPolicy', { ...(selector ? { selector } : {}), targetRefs, action, ...(provider ? { provider } : {}), rules }),
  };
}

/** The rules of an AuthorizationPolicy typed field by field, their problems reported to `c`. */
function typedRules(c: Checker, value: unknown, specPath: FieldPath): (AuthorizationRule | null)[] {
  const rules: (AuthorizationRule | null)[] = [];
  c.list(value, [...specPath, 'rules'])?.forEach((r, i) => {
    const rulePath = [...specPath, 'rules', i];
    if (r === null) {
      rules.push(null);
      return;
    }
    const rec = c.record(r, rulePath, ['from', 'to', 'when']);
    if (!rec) return;
    const rule: { from?: { source?: AuthorizationSource }[]; to?: { operation?: AuthorizationOperation }[]; when?: AuthorizationCondition[] } = {};
    const from = c.list(rec.from, [...rulePath, 'from']);
    if (from) {
      rule.from = from.map((f, j) => {
        const fr = c.record(f, [...rulePath, 'from', j], ['source']);
        const src = c.record(fr?.source, [...rulePath, 'from', j, 'source'], SOURCE_FIELDS);
        if (!src) return {};
        const source: Record<string, readonly string[]> = {};
        for (const field of SOURCE_FIELDS) {
          // Most fields are absent: skip them before building their path (large inputs).
          if (src[field] === undefined || src[field] === null) continue;
          const v = c.strings(src[field], [...rulePath, 'from', j, 'source', field]);
          if (v) source[field] = v;
        }
        return { source: source as AuthorizationSource };
      });
    }
    const to = c.list(rec.to, [...rulePath, 'to']);
    if (to) {
      rule.to = to.map((t, j) => {
        const tr = c.record(t, [...rulePath, 'to', j], ['operation']);
        const op = c.record(tr?.operation, [...rulePath, 'to', j, 'operation'], OPERATION_FIELDS);
        if (!op) return {};
        const operation: Record<string, readonly string[]> = {};
        for (const field of OPERATION_FIELDS) {
          if (op[field] === undefined || op[field] === null) continue;
          const v = c.strings(op[field], [...rulePath, 'to', j, 'operation', field]);
          if (v) operation[field] = v;
        }
        return { operation: operation as AuthorizationOperation };
      });
    }
    const when = c.list(rec.when, [...rulePath, 'when']);
    if (when) {
      rule.when = [];
      when.forEach((w, j) => {
        const wp = [...rulePath, 'when', j];
        const wr = c.record(w, wp, ['key', 'values', 'notValues']);
        if (!wr) return;
        const key = c.string(wr.key, [...wp, 'key']);
        if (key === undefined) {
          c.error(wp, 'a condition needs a key');
          return;
        }
        const values = c.strings(wr.values, [...wp, 'values']);
        const notValues = c.strings(wr.notValues, [...wp, 'notValues']);
        rule.when!.push({ key, ...(values ? { values } : {}), ...(notValues ? { notValues } : {}) });
      });
    }
    rules.push(rule);
  });
  return rules;
}

/** Types and validates a PeerAuthentication. */
export function toPeerAuthentication(obj: LoadedObject): { resource?: PeerAuthenticationResource; diagnostics: Diagnostic[] } {
  const c = new Checker(obj);
  const spec = c.record(obj.body.spec, SPEC_PATH, PEER_AUTHENTICATION_FIELDS) ?? {};
  const selector = c.selector(spec.selector, SELECTOR_PATH);
  const mode = (v: unknown, p: FieldPath): MtlsMode => {
    const rec = c.record(v, p, ['mode']);
    if (!rec || rec.mode === undefined || rec.mode === null) return 'UNSET';
    if (typeof rec.mode === 'string' && (MODES as readonly string[]).includes(rec.mode)) return rec.mode as MtlsMode;
    const upper = typeof rec.mode === 'string' ? rec.mode.toUpperCase() : '';
    c.error([...p, 'mode'], `mtls mode must be one of ${MODES.join(', ')}, got ${describe(rec.mode)}`,
      (MODES as readonly string[]).includes(upper) ? `Did you mean "${upper}"?` : undefined);
    return 'UNSET';
  };
  const mtls = mode(spec.mtls, MTLS_PATH);
  const ports: Record<number, MtlsMode> = {};
  // Most PeerAuthentications set no ports: nothing to list then.
  const plm = spec.portLevelMtls === undefined || spec.portLevelMtls === null ? undefined
    : c.record(spec.portLevelMtls, ['spec', 'portLevelMtls'], Object.keys(isRecord(spec.portLevelMtls) ? spec.portLevelMtls : {}));
  for (const [key, v] of plm ? Object.entries(plm) : []) {
    const port = Number(key);
    if (!/^\d+$/.test(key) || port < 1 || port > 65535) {
      c.error(['spec', 'portLevelMtls', key], `portLevelMtls key must be a port number 1-65535, got "${key}"`);
      continue;
    }
    ports[port] = mode(v, ['spec', 'portLevelMtls', key]);
  }
  if (c.diagnostics.length > 0) return { diagnostics: c.diagnostics };
  return {
    diagnostics: [],
    resource: typedResource(obj, 'PeerAuthentication', { ...(selector ? { selector } : {}), mode: mtls, portLevelMtls: ports }),
  };
}

/** Types and validates a RequestAuthentication. */
export function toRequestAuthentication(obj: LoadedObject): { resource?: RequestAuthenticationResource; diagnostics: Diagnostic[] } {
  const c = new Checker(obj);
  const spec = c.record(obj.body.spec, SPEC_PATH, REQUEST_AUTHENTICATION_FIELDS) ?? {};
  const selector = c.selector(spec.selector, SELECTOR_PATH);
  const targetRefs = c.targetRefs(spec, SPEC_PATH);
  const jwtRules: JwtRule[] = [];
  c.list(spec.jwtRules, ['spec', 'jwtRules'])?.forEach((r, i) => {
    const p: FieldPath = ['spec', 'jwtRules', i];
    const rec = c.record(r, p, JWT_RULE_FIELDS);
    if (!rec) return;
    const fromHeaders: { name: string; prefix?: string }[] = [];
    c.list(rec.fromHeaders, [...p, 'fromHeaders'])?.forEach((h, j) => {
      const hp = [...p, 'fromHeaders', j];
      // The generated docs show `fromHeaders: ["x-goog-iap-jwt-assertion"]`; the schema wants objects.
      if (typeof h === 'string') {
        c.error(hp, `fromHeaders entries are objects, got the string "${h}"`, `Write it as {name: "${h}"}.`);
        return;
      }
      const hr = c.record(h, hp, ['name', 'prefix']);
      const name = c.string(hr?.name, [...hp, 'name']);
      if (!name) {
        c.error(hp, 'fromHeaders entries need a name');
        return;
      }
      const prefix = c.string(hr?.prefix, [...hp, 'prefix']);
      fromHeaders.push({ name, ...(prefix !== undefined ? { prefix } : {}) });
    });
    const claimHeaders: { header: string; claim: string }[] = [];
    c.list(rec.outputClaimToHeaders, [...p, 'outputClaimToHeaders'])?.forEach((h, j) => {
      const hr = c.record(h, [...p, 'outputClaimToHeaders', j], ['header', 'claim']);
      const header = c.string(hr?.header, [...p, 'outputClaimToHeaders', j, 'header']);
      const claim = c.string(hr?.claim, [...p, 'outputClaimToHeaders', j, 'claim']);
      if (header !== undefined && claim !== undefined) claimHeaders.push({ header, claim });
    });
    const opt = <T>(k: string, v: T | undefined): Record<string, T> => (v === undefined ? {} : { [k]: v });
    jwtRules.push({
      ...opt('issuer', c.string(rec.issuer, [...p, 'issuer'])),
      audiences: c.strings(rec.audiences, [...p, 'audiences']) ?? [],
      ...opt('jwksUri', c.string(rec.jwksUri ?? rec.jwks_uri, [...p, rec.jwksUri !== undefined ? 'jwksUri' : 'jwks_uri'])),
      ...opt('jwks', c.string(rec.jwks, [...p, 'jwks'])),
      fromHeaders,
      fromParams: c.strings(rec.fromParams, [...p, 'fromParams']) ?? [],
      fromCookies: c.strings(rec.fromCookies, [...p, 'fromCookies']) ?? [],
      ...opt('outputPayloadToHeader', c.string(rec.outputPayloadToHeader, [...p, 'outputPayloadToHeader'])),
      ...opt('forwardOriginalToken', c.bool(rec.forwardOriginalToken, [...p, 'forwardOriginalToken'])),
      outputClaimToHeaders: claimHeaders,
      ...opt('timeout', c.string(rec.timeout, [...p, 'timeout'])),
      spaceDelimitedClaims: c.strings(rec.spaceDelimitedClaims, [...p, 'spaceDelimitedClaims']) ?? [],
      ...opt('presence', c.string(rec.presence, [...p, 'presence'])),
    });
  });
  if (c.diagnostics.length > 0) return { diagnostics: c.diagnostics };
  return {
    diagnostics: [],
    resource: typedResource(obj, 'RequestAuthentication', { ...(selector ? { selector } : {}), targetRefs, jwtRules }),
  };
}

const LOADED_FIELDS = ['apiVersion', 'kind', 'metadata', 'body', 'source', 'locate', 'documentText'];
// The field paths and field lists every object of a kind is checked with, built once.
const SPEC_PATH: FieldPath = ['spec'];
const SELECTOR_PATH: FieldPath = ['spec', 'selector'];
const MTLS_PATH: FieldPath = ['spec', 'mtls'];
const AUTHORIZATION_POLICY_FIELDS: readonly string[] = ['selector', 'targetRef', 'targetRefs', 'action', 'provider', 'rules'];
const PEER_AUTHENTICATION_FIELDS: readonly string[] = ['selector', 'mtls', 'portLevelMtls'];
const REQUEST_AUTHENTICATION_FIELDS: readonly string[] = ['selector', 'targetRef', 'targetRefs', 'jwtRules'];

/**
 * `{ ...obj, kind, spec }`, built as one object literal when `obj` has just the loader's fields:
 * the same fields in the same order, in a fraction of the memory a spread copy takes (~470 bytes).
 */
function typedResource<K extends string, S>(obj: LoadedObject, kind: K, spec: S): LoadedObject & { readonly kind: K; readonly spec: S } {
  if (!hasLoadedFieldsOnly(obj)) return { ...obj, kind, spec };
  const { apiVersion, metadata, body, source, locate, documentText } = obj;
  return { apiVersion, kind, metadata, body, source, locate, documentText, spec };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  const best = closestMatch(word, candidates);
  // snake_case spelling of a camelCase field (proto field names are not accepted by the CRD schema).
  const camel = word.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
  if (camel !== word && candidates.includes(camel)) return camel;
  return best;
}

/** Whether the own keys of `obj` are exactly {@link LOADED_FIELDS}, in that order (no list of them built). */
function hasLoadedFieldsOnly(obj: LoadedObject): boolean {
  let n = 0;
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    if (key !== LOADED_FIELDS[n]) return false;
    n++;
  }
  return n === LOADED_FIELDS.length;
}

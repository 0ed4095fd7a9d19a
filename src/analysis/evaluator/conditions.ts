/**
 * The attributes AuthorizationPolicy can test — source/operation fields and every documented
 * `when` key — and how each value is compiled, mirroring istiod's RBAC generators
 * (`pilot/pkg/security/authz/model/generator.go`).
 *
 * @see https://istio.io/latest/docs/reference/config/security/conditions/
 * @module
 */
import { RequestAttributes } from './request-attributes';
import { cidrContains, parseCidr } from '../../semantics/ip-match';
import { compilePathTemplate, isPathTemplate } from '../../semantics/path-normalization';
import { principalNamespace } from '../../semantics/principal';
import { compileHeaderPattern, compileStringPattern, StringPattern } from '../../semantics/string-match';

/** A compiled value: tests one attribute of a request. Absent attributes never match. */
export interface ValueMatcher {
  readonly raw: string;
  test(attrs: RequestAttributes): boolean;
}

/** How values of one attribute are compiled and shown. */
export interface AttributeDefinition {
  /** The `when` key (or the equivalent key of a source/operation field). */
  readonly key: string;
  /** Human label used in explanations, e.g. `source namespace`. */
  readonly label: string;
  /** HTTP-only attributes cannot be evaluated on TCP (ALLOW rules using them are dropped, DENY ignores them). */
  readonly httpOnly: boolean;
  /** Compiles one value, or returns why Istio would not accept it. */
  compile(value: string, policyNamespace: string): ValueMatcher | { readonly error: string };
  /** The request's value, for explanations; undefined when absent. */
  show(attrs: RequestAttributes): string | undefined;
}

const ANY_NON_EMPTY: StringPattern = compileStringPattern('*');

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function stringAttr(key: string, label: string, httpOnly: boolean, get: (a: RequestAttributes) => string | undefined,
  header = false, ignoreCase = false): AttributeDefinition {
  return {
    key,
    label,
    httpOnly,
    compile: (value) => {
      const p = header ? compileHeaderPattern(value, ignoreCase) : compileStringPattern(value, ignoreCase);
      return { raw: value, test: (a) => { const v = get(a); return v !== undefined && p.test(v); } };
    },
    show: get,
  };
}

function ipAttr(key: string, label: string, get: (a: RequestAttributes) => RequestAttributes['sourceIp'], text: (a: RequestAttributes) => string | undefined): AttributeDefinition {
  return {
    key,
    label,
    httpOnly: false,
    compile: (value) => {
      const range = parseCidr(value);
      if (!range) return { error: `"${value}" is not an IP address or CIDR range` };
      return { raw: value, test: (a) => { const ip = get(a); return ip !== undefined && cidrContains(range, ip); } };
    },
    show: text,
  };
}

/** Values of a claim as strings: a string claim, or the string elements of a list claim. */
function claimValues(claims: Readonly<Record<string, unknown>> | undefined, path: readonly string[]): readonly string[] | undefined {
  if (claims === undefined) return undefined;
  let cur: unknown = claims;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (typeof cur === 'string') return [cur];
  if (Array.isArray(cur)) return cur.filter((x): x is string => typeof x === 'string');
  return undefined;
}

function claimAttr(key: string, label: string, path: readonly string[]): AttributeDefinition {
  return {
    key,
    label,
    httpOnly: true,
    compile: (value) => {
      // Istio: MetadataListValueMatcherForJWTClaims(claims, StringOrMatcher(values)) — a list claim
      // matches when one element matches; only string and list-of-string claims are supported.
      const p = compileStringPattern(value);
      return { raw: value, test: (a) => claimValues(a.claims, path)?.some((v) => p.test(v)) ?? false };
    },
    show: (a) => claimValues(a.claims, path)?.join(','),
  };
}

const requestPrincipalAttr: AttributeDefinition = {
  key: 'request.auth.principal',
  label: 'request principal',
  httpOnly: true,
  compile: (value) => {
    // requestPrincipalGenerator: split at the last "/" into issuer and subject and match the `iss`
    // and `sub` claims separately, so "*" needs both to be non-empty.
    const idx = value.lastIndexOf('/');
    const found = idx >= 0;
    const iss = found ? value.slice(0, idx) : value;
    const sub = found ? value.slice(idx + 1) : '';
    let matchIss: StringPattern;
    let matchSub: StringPattern;
    if (value === '*') {
      matchIss = ANY_NON_EMPTY;
      matchSub = ANY_NON_EMPTY;
    } else if (value.startsWith('*')) {
      if (found) {
        matchIss = iss === '*' ? ANY_NON_EMPTY : compileStringPattern(iss); // "*suffix"
        matchSub = exact(sub);
      } else {
        matchIss = ANY_NON_EMPTY;
        matchSub = compileStringPattern(value);
      }
    } else if (value.endsWith('*')) {
      if (found) {
        matchIss = exact(iss);
        matchSub = sub === '*' ? ANY_NON_EMPTY : compileStringPattern(sub);
      } else {
        matchIss = compileStringPattern(value);
        matchSub = ANY_NON_EMPTY;
      }
    } else {
      matchIss = exact(iss);
      matchSub = exact(sub);
    }
    return {
      raw: value,
      test: (a) => {
        const c = a.claims;
        if (c === undefined) return false;
        return typeof c.iss === 'string' && typeof c.sub === 'string' && matchIss.test(c.iss) && matchSub.test(c.sub);
      },
    };
  },
  show: (a) => (a.claims === undefined ? undefined : `${String(a.claims.iss ?? '')}/${String(a.claims.sub ?? '')}`),
};

function exact(s: string): StringPattern {
  return { raw: s, test: (v) => v === s };
}

const FIXED: ReadonlyMap<string, AttributeDefinition> = new Map<string, AttributeDefinition>([
  ['source.principal', stringAttr('source.principal', 'source principal', false, (a) => a.principal)],
  ['source.namespace', {
    key: 'source.namespace',
    label: 'source namespace',
    httpOnly: false,
    compile: (value) => {
      // srcNamespaceGenerator: regex ".*/ns/<value with * as .*>/.*" on the peer's SPIFFE URI.
      if (!value.includes('*')) {
        // Without a wildcard the regex is "spiffe://<principal> contains /ns/<value>/": the same
        // test, without a regex (the needle can start at the last "/" of "spiffe://" only).
        const needle = `/ns/${value}/`;
        const head = needle.slice(1);
        return { raw: value, test: (a) => a.principal !== undefined && (a.principal.includes(needle) || a.principal.startsWith(head)) };
      }
      const re = new RegExp(`^.*/ns/${escapeRegex(value).replace(/\\\*/g, '.*')}/.*$`);
      return { raw: value, test: (a) => a.principal !== undefined && re.test(`spiffe://${a.principal}`) };
    },
    show: (a) => (a.principal === undefined ? undefined : principalNamespace(a.principal)),
  }],
  ['source.serviceAccount', {
    key: 'source.serviceAccount',
    label: 'source service account',
    httpOnly: false,
    compile: (value, policyNamespace) => {
      if (value === '' || value.includes('*') || value.split('/').length > 2) {
        return { error: `"${value}" is not a service account ("<sa>" or "<ns>/<sa>", no wildcards)` };
      }
      const [ns, sa] = value.includes('/') ? value.split('/') : [policyNamespace, value];
      // srcServiceAccountGenerator: "spiffe://.+/ns/<ns>/(.+/|)sa/<sa>(/.+)?" — built on first use:
      // canonical principals (nearly all) never need it.
      let re: RegExp | undefined;
      const key = `${ns}/${sa}`;
      // For a canonical principal the regex holds exactly when namespace and account are equal.
      return {
        raw: value,
        test: (a) => {
          if (a.principal === undefined) return false;
          const canonical = a.canonicalServiceAccount;
          if (canonical !== null) return canonical === key;
          re ??= new RegExp(`^spiffe://.+/ns/${escapeRegex(ns)}/(.+/|)sa/${escapeRegex(sa)}(/.+)?$`);
          return re.test(`spiffe://${a.principal}`);
        },
      };
    },
    show: (a) => {
      const m = a.principal === undefined ? null : /\/ns\/([^/]+)\/sa\/([^/]+)/.exec(a.principal);
      return m ? `${m[1]}/${m[2]}` : undefined;
    },
  }],
  ['source.trustDomain', {
    key: 'source.trustDomain',
    label: 'source trust domain',
    httpOnly: false,
    compile: (value) => {
      if (value.includes('/')) return { error: `trust domain "${value}" must not contain "/"` };
      const p = compileStringPattern(value);
      return { raw: value, test: (a) => a.principal !== undefined && a.principal.includes('/') && p.test(a.principal.split('/')[0]) };
    },
    show: (a) => (a.principal?.includes('/') ? a.principal.split('/')[0] : undefined),
  }],
  ['source.ip', ipAttr('source.ip', 'source ip', (a) => a.sourceIp, (a) => a.sourceIpText)],
  ['remote.ip', ipAttr('remote.ip', 'remote ip', (a) => a.remoteIp, (a) => a.remoteIpText)],
  ['destination.ip', ipAttr('destination.ip', 'destination ip', (a) => a.destinationIp, (a) => a.destinationIpText)],
  ['destination.port', {
    key: 'destination.port',
    label: 'port',
    httpOnly: false,
    compile: (value) => {
      if (!/^\d+$/.test(value) || Number(value) > 65535) return { error: `"${value}" is not a port number 0-65535` };
      const port = Number(value);
      return { raw: value, test: (a) => a.port === port };
    },
    show: (a) => String(a.port),
  }],
  ['connection.sni', stringAttr('connection.sni', 'SNI', false, (a) => a.sni)],
  ['request.auth.principal', requestPrincipalAttr],
  ['request.auth.audiences', claimAttr('request.auth.audiences', 'token audience', ['aud'])],
  ['request.auth.presenter', claimAttr('request.auth.presenter', 'token presenter', ['azp'])],
]);

/** `hosts`: the `:authority` header, case-insensitive, exact strings (a port is part of the value). */
export const HOST_ATTRIBUTE: AttributeDefinition = stringAttr(':authority', 'host', true, (a) => a.host, true, true);
/** `methods`: the `:method` header. */
export const METHOD_ATTRIBUTE: AttributeDefinition = stringAttr(':method', 'method', true, (a) => a.method, true);
/** `paths`: the normalized path without query; exact/prefix/suffix/presence or a `{*}`/`{**}` template. */
export const PATH_ATTRIBUTE: AttributeDefinition = {
  key: 'path',
  label: 'path',
  httpOnly: true,
  compile: (value) => {
    if (isPathTemplate(value)) {
      const re = compilePathTemplate(value);
      if (!re) return { error: `"${value}" is not a valid path template` };
      return { raw: value, test: (a) => a.path !== undefined && re.test(a.path) };
    }
    const p = compileStringPattern(value);
    return { raw: value, test: (a) => a.path !== undefined && p.test(a.path) };
  },
  show: (a) => a.path,
};

/** The attribute a source field tests. */
export const SOURCE_FIELD_ATTRIBUTES: Readonly<Record<string, string>> = {
  principals: 'source.principal',
  requestPrincipals: 'request.auth.principal',
  namespaces: 'source.namespace',
  serviceAccounts: 'source.serviceAccount',
  trustDomains: 'source.trustDomain',
  ipBlocks: 'source.ip',
  remoteIpBlocks: 'remote.ip',
};

/** Looks up a source-field attribute by its key (see {@link SOURCE_FIELD_ATTRIBUTES}). */
export function fixedAttribute(key: string): AttributeDefinition | undefined {
  return FIXED.get(key);
}

/**
 * The attribute for a `when` key, following istiod's `model.New`: exact keys, then the
 * `request.headers`, `request.auth.claims` and `experimental.envoy.filters.` prefixes. Returns
 * undefined for unknown keys (istiod skips the whole rule). A prefix key in the wrong form yields
 * an attribute whose values do not compile (treated like any invalid value).
 */
export function conditionAttribute(key: string): AttributeDefinition | undefined {
  const fixed = FIXED.get(key);
  if (fixed) return fixed;
  if (key.startsWith('request.headers')) {
    const name = bracketed(key.slice('request.headers'.length));
    if (name === undefined || name.length !== 1) return invalidKey(key, true, 'expecting request.headers[<name>]');
    const header = name[0].toLowerCase();
    return stringAttr(key, `header ${name[0]}`, true, (a) => a.header(header), true);
  }
  if (key.startsWith('request.auth.claims')) {
    const path = bracketed(key.slice('request.auth.claims'.length));
    if (path === undefined || path.length === 0) return invalidKey(key, true, 'expecting request.auth.claims[<claim>] or [<a>][<b>]');
    return claimAttr(key, `claim ${path.join('.')}`, path);
  }
  if (key.startsWith('experimental.envoy.filters.')) {
    const open = key.indexOf('[');
    if (open < 0 || !key.endsWith(']')) return invalidKey(key, false, 'expecting experimental.envoy.filters.<filter>[<key>]');
    // Filter metadata is not part of an access request, so these conditions see an absent value.
    return { key, label: key, httpOnly: false, compile: (value) => ({ raw: value, test: () => false }), show: () => undefined };
  }
  return undefined;
}

function invalidKey(key: string, httpOnly: boolean, why: string): AttributeDefinition {
  return { key, label: key, httpOnly, compile: () => ({ error: `invalid key "${key}": ${why}` }), show: () => undefined };
}

/** Parses `[a][b]…` into `['a', 'b']`; undefined when malformed. */
function bracketed(s: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] !== '[') return undefined;
    const end = s.indexOf(']', i + 1);
    if (end < 0) return undefined;
    const name = s.slice(i + 1, end);
    if (name === '') return undefined;
    out.push(name);
    i = end + 1;
  }
  return out;
}

import { TrustmeshError } from '../errors';
import { Enforcement, HttpMethod } from './enums';
import { EndUsers } from './peer';
import { assertHttpMethod } from '../model/http-method';
import { Enforcement as EnforcementName, HeaderMatchSpec, MatchSpec, matchUsesHttpOnlyFields } from '../model/intention';
import { assertSupports, IstioFeature, IstioVersion } from '../model/istio-version';
import { assertHeaderName } from '../model/jwt-issuer';
import { ServiceSpec } from '../model/mesh-spec';
import { isHttpProtocol } from '../model/service-port';
import { classifyPathPattern } from '../semantics/path-pattern';

/**
 * What part of the destination an intention covers. Every list is optional and, when given, must
 * not be empty. HTTP-only fields (methods, paths, hosts, headers, end users) need HTTP ports.
 */
export interface AccessMatchOptions {
  /** Service ports (not container ports) the intention covers. @default - all ports */
  readonly ports?: number[];
  /** Service ports excluded. @default - none */
  readonly notPorts?: number[];
  /** HTTP methods. @default - any method */
  readonly methods?: (HttpMethod | string)[];
  /** Excluded methods. @default - none */
  readonly notMethods?: (HttpMethod | string)[];
  /**
   * Paths: exact `/a`, prefix `/a/*`, suffix `*.css`, or templates `/users/{*}/orders`,
   * `/files/{**}` (Istio 1.22+). Matched after Istio's path normalization.
   * @default - any path
   */
  readonly paths?: string[];
  /** Excluded paths, same syntax. @default - none */
  readonly notPaths?: string[];
  /** Host (`:authority`) patterns, case-insensitive. @default - any host */
  readonly hosts?: string[];
  /** Excluded hosts. @default - none */
  readonly notHosts?: string[];
  /** Header name to accepted value pattern(s). @default - no header condition */
  readonly headers?: Record<string, string | string[]>;
  /** Header name to rejected value pattern(s). @default - no header condition */
  readonly notHeaders?: Record<string, string | string[]>;
}

/** Options of the verbs `allowFrom`, `denyFrom` and `auditFrom`. */
export interface AccessOptions extends AccessMatchOptions {
  /**
   * Also require an end user: the call must carry a valid token from this issuer (with these
   * claims). Combines with the peer: "frontend, on behalf of a logged-in admin".
   * @default - no end-user requirement
   */
  readonly onBehalfOf?: EndUsers;
  /** @default Enforcement.ENFORCE */
  readonly enforcement?: Enforcement;
}

/**
 * Validates match options against the destination and the target Istio version, and converts
 * them to the model's MatchSpec.
 * @throws TrustmeshError on bad local input
 */
export function toMatchSpec(options: AccessMatchOptions, service: ServiceSpec, version: IstioVersion, hasEndUser: boolean): MatchSpec {
  const ports = list('ports', options.ports);
  const notPorts = list('notPorts', options.notPorts);
  assertPortsOfService(ports, service);
  assertPortsOfService(notPorts, service);
  const methods = list('methods', options.methods);
  const notMethods = list('notMethods', options.notMethods);
  for (const m of [...(methods ?? []), ...(notMethods ?? [])]) assertHttpMethod(m);
  const paths = list('paths', options.paths);
  const notPaths = list('notPaths', options.notPaths);
  assertPathPatternsSupported([...(paths ?? []), ...(notPaths ?? [])], version);
  const hosts = hostPatterns('hosts', options.hosts);
  const notHosts = hostPatterns('notHosts', options.notHosts);
  const headers: HeaderMatchSpec[] = [];
  const headerMap = new Map<string, { values?: string[]; notValues?: string[] }>();
  for (const [field, record] of [['values', options.headers], ['notValues', options.notHeaders]] as const) {
    for (const [name, value] of Object.entries(record ?? {})) {
      assertHeaderName(name, 'header condition');
      const values = Array.isArray(value) ? [...value] : [value];
      if (values.length === 0 || values.some((v) => typeof v !== 'string' || v === '')) {
        throw new TrustmeshError('TM_EMPTY_MATCH_LIST', `header "${name}" has no value pattern`, {
          value, allowed: 'one or more non-empty patterns ("*" means present)',
        });
      }
      const entry = headerMap.get(name.toLowerCase()) ?? {};
      entry[field] = values;
      headerMap.set(name.toLowerCase(), entry);
    }
  }
  for (const [name, entry] of [...headerMap].sort(([a], [b]) => (a < b ? -1 : 1))) headers.push({ name, ...entry });

  // Only the keys that are set, assigned in this order: an object that had keys deleted turns into
  // a dictionary in V8 (several times the memory of one with a fixed shape, and slower to read), and
  // a mesh holds one match per intention (synth10: 44 of the 100 MB of a declared S=8,000 mesh).
  const match: { -readonly [K in keyof MatchSpec]: MatchSpec[K] } = {};
  if (ports !== undefined) match.ports = ports;
  if (notPorts !== undefined) match.notPorts = notPorts;
  if (methods !== undefined) match.methods = methods;
  if (notMethods !== undefined) match.notMethods = notMethods;
  if (paths !== undefined) match.paths = paths;
  if (notPaths !== undefined) match.notPaths = notPaths;
  if (hosts !== undefined) match.hosts = hosts;
  if (notHosts !== undefined) match.notHosts = notHosts;
  if (headers.length > 0) match.headers = headers;
  assertHttpFieldsOnHttpPorts(match, service, hasEndUser);
  return match;
}

/**
 * The checks of {@link toMatchSpec} that depend on the destination, for a match it made from the
 * same options for another destination (or an earlier intention): its other checks depend on the
 * options and the target release alone.
 * @throws TrustmeshError TM_UNKNOWN_PORT, TM_HTTP_MATCH_WITHOUT_HTTP_PORT, TM_HTTP_MATCH_ON_TCP_PORT
 */
export function assertMatchFitsService(match: MatchSpec, service: ServiceSpec, hasEndUser: boolean): void {
  assertPortsOfService(match.ports, service);
  assertPortsOfService(match.notPorts, service);
  assertHttpFieldsOnHttpPorts(match, service, hasEndUser);
}

/**
 * Rejects path patterns the target release cannot match (templates need Istio 1.22).
 * @throws TrustmeshError TM_VERSION_UNSUPPORTED_FEATURE
 */
export function assertPathPatternsSupported(paths: readonly string[], version: IstioVersion): void {
  for (const p of paths) {
    if (classifyPathPattern(p) === 'template') assertSupports(version, IstioFeature.PATH_TEMPLATES);
  }
}

/**
 * Validates the host patterns of option `name` (when given: a non-empty list) and widens each
 * exact host to any port (see {@link withAnyPort}).
 * @throws TrustmeshError TM_EMPTY_MATCH_LIST, TM_INVALID_HOST
 */
export function hostPatterns(name: string, values: readonly string[] | undefined): readonly string[] | undefined {
  return withAnyPort(list(name, values));
}

function list<T>(name: string, values: readonly T[] | undefined): readonly T[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.length === 0) {
    throw new TrustmeshError('TM_EMPTY_MATCH_LIST', `"${name}" is an empty list, which would match nothing in Istio terms`, {
      value: values, allowed: 'a non-empty list, or leave the option out to match everything',
    });
  }
  return [...values];
}

function assertPortsOfService(ports: readonly number[] | undefined, service: ServiceSpec): void {
  for (const p of ports ?? []) {
    if (!service.ports.some((sp) => sp.port === p)) {
      throw new TrustmeshError('TM_UNKNOWN_PORT', `port ${p} is not a port of service ${service.namespace}/${service.name}`, {
        value: p,
        allowed: service.ports.length > 0 ? `one of ${service.ports.map((sp) => sp.port).join(', ')}` : 'none: the service declares no ports',
        fix: 'name Service ports (not container ports), or add the port to the service',
      });
    }
  }
}

function assertHttpFieldsOnHttpPorts(match: MatchSpec, service: ServiceSpec, hasEndUser: boolean): void {
  if (!hasEndUser && !matchUsesHttpOnlyFields(match)) return;
  // The usual case, asked for every intention, passes without building the lists the messages name.
  if (service.ports.some((p) => isHttpProtocol(p.protocol)) && (match.ports ?? []).every((n) => isHttpPort(service, n))) return;
  const httpPorts = service.ports.filter((p) => isHttpProtocol(p.protocol));
  if (httpPorts.length === 0) {
    throw new TrustmeshError('TM_HTTP_MATCH_WITHOUT_HTTP_PORT',
      `the intention uses HTTP-only attributes (methods, paths, hosts, headers or end users) but ${service.namespace}/${service.name} has no HTTP port`, {
        value: service.ports.map((p) => `${p.port}/${p.protocol}`),
        allowed: 'an HTTP, HTTP2, GRPC or GRPC_WEB port',
        fix: 'declare the port with Port.http(...)/Port.grpc(...), or drop the HTTP-only attributes (Istio drops such ALLOW rules and widens such DENY rules on TCP)',
      });
  }
  const tcp = (match.ports ?? []).filter((p) => !httpPorts.some((hp) => hp.port === p));
  if (tcp.length > 0) {
    throw new TrustmeshError('TM_HTTP_MATCH_ON_TCP_PORT',
      `the intention uses HTTP-only attributes on non-HTTP port(s) ${tcp.join(', ')} of ${service.namespace}/${service.name}`, {
        value: tcp,
        allowed: `HTTP ports: ${httpPorts.map((p) => p.port).join(', ')}`,
        fix: 'on TCP ports Istio drops an ALLOW rule with HTTP-only fields and applies a DENY rule to all traffic: split the intention per port type',
      });
  }
}

function isHttpPort(service: ServiceSpec, port: number): boolean {
  return service.ports.some((p) => p.port === port && isHttpProtocol(p.protocol));
}

/**
 * Istio compares hosts with the `Host` header as sent, port included: an exact `example.com`
 * would not match `example.com:8080`, so a DENY on it could be bypassed by adding a port. An exact
 * host name without a port therefore means "this host on any port" and also gets `<host>:*`.
 * @see https://istio.io/latest/news/security/istio-security-2021-008/
 */
function withAnyPort(hosts: readonly string[] | undefined): readonly string[] | undefined {
  if (!hosts) return undefined;
  const out: string[] = [];
  for (const h of hosts) {
    if (typeof h !== 'string' || h === '' || /\s|\//.test(h) || h.split('*').length > 2 || (h.includes('*') && !h.startsWith('*') && !h.endsWith('*'))) {
      throw new TrustmeshError('TM_INVALID_HOST', 'host pattern is not a host name, host:port, "*" prefix or suffix pattern', {
        value: h, allowed: 'e.g. "api.example.com", "api.example.com:8443", "*.example.com", "api.*"',
      });
    }
    out.push(h);
    if (!h.includes('*') && !/:\d+$/.test(h)) out.push(`${h}:*`);
  }
  return out;
}

/** Enforcement option to the model's name. */
export function enforcementOf(value: Enforcement | undefined): EnforcementName {
  return value ?? Enforcement.ENFORCE;
}

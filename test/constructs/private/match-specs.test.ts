import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AccessMatchOptions, assertMatchFitsService, toMatchSpec } from '../../../src/constructs/access-options';
import { MatchSpecs, matchKey } from '../../../src/constructs/private/match-specs';
import { MatchSpec } from '../../../src/model/intention';
import { parseIstioVersion } from '../../../src/model/istio-version';
import { ServiceSpec } from '../../../src/model/mesh-spec';
import { isHttpProtocol, PortProtocol } from '../../../src/model/service-port';

function service(name: string, ports: readonly [number, PortProtocol][]): ServiceSpec {
  return {
    namespace: 'shop',
    name,
    serviceAccount: name,
    labels: { app: name },
    inMesh: true,
    ports: ports.map(([port, protocol]) => ({ name: `${protocol.toLowerCase()}-${port}`, port, targetPort: port, protocol })),
  };
}

const SERVICES: readonly ServiceSpec[] = [
  service('web', [[8080, 'HTTP']]),
  service('grpc', [[9090, 'GRPC'], [8080, 'HTTP']]),
  service('db', [[5432, 'TCP']]),
  service('mixed', [[8080, 'HTTP'], [5432, 'TCP']]),
  service('client', []),
];

/** The value toMatchSpec returns or the error it raises, comparable with toEqual. */
function outcome(make: () => unknown): unknown {
  try {
    return { value: make() };
  } catch (e) {
    const error = e as Error & { code?: string };
    // The message names the caller's line (this file's), which differs between the two calls.
    return { error: error.constructor.name, code: error.code, message: error.message.replace(/ at test\/\S+:\d+:\d+/, '') };
  }
}

// Each option mostly absent, else a good list, else a bad one: empty, values of the wrong type,
// unknown ports, bad methods, path templates (Istio 1.22+), host patterns refused or widened.
function field<T>(good: T[], bad: T[]): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.constantFrom(...good) },
    { weight: 1, arbitrary: fc.constantFrom(...bad) },
  );
}
const portLists = field<unknown[]>([[8080], [5432], [9090, 8080], [8080, 5432], [1234]], [[], ['8080'], [8080.5], [NaN]]);
const methodLists = field<unknown[]>([['GET'], ['GET', 'POST'], ['POST', 'GET']], [['BREW'], [], [7], ['GET', undefined]]);
const pathLists = field<unknown[]>([['/a'], ['/api/*', '*.json'], ['/users/{*}/orders'], ['/a', '/b']], [[], ['no-slash'], [1]]);
const hostLists = field<unknown[]>([['example.com'], ['*.example.com', 'api.example.com:8443']], [['bad host'], [], [{}]]);
const headerRecords = field<Record<string, unknown>>([{ 'x-user': 'a' }, { 'X-User': ['a', 'b'] }], [{ 'x-user': [] }]);

const options: fc.Arbitrary<AccessMatchOptions> = fc.record({
  ports: portLists,
  notPorts: portLists,
  methods: methodLists,
  notMethods: methodLists,
  paths: pathLists,
  notPaths: pathLists,
  hosts: hostLists,
  notHosts: hostLists,
  headers: headerRecords,
  notHeaders: headerRecords,
}) as fc.Arbitrary<AccessMatchOptions>;

// Calls draw their options from a few, copied afresh each time (as a user's literals are), so
// that equal options come back often.
const calls = fc.tuple(
  fc.array(options, { minLength: 1, maxLength: 6 }),
  fc.array(fc.record({ pick: fc.nat(), service: fc.constantFrom(...SERVICES), hasEndUser: fc.boolean() }), { maxLength: 40 }),
).map(([pool, picks]) => picks.map(({ pick, ...call }) => ({ ...call, options: structuredClone(pool[pick % pool.length]) })));

describe('MatchSpecs', () => {
  test.each(['1.21', '1.30'])('gives what toMatchSpec gives, value or error, for every call in any order (Istio %s)', (release) => {
    const version = parseIstioVersion(release);
    let reused = 0;
    fc.assert(fc.property(calls, (list) => {
      const matches = new MatchSpecs(version);
      const made = new Set<unknown>();
      for (const call of list) {
        const fresh = outcome(() => toMatchSpec(call.options, call.service, version, call.hasEndUser));
        const shared = outcome(() => matches.of(call.options, call.service, call.hasEndUser));
        expect(shared).toEqual(fresh);
        const value = (shared as { value?: unknown }).value;
        if (made.has(value)) reused++;
        if (value) made.add(value);
      }
    }), { numRuns: 200, seed: 11 });
    // The shared path was taken, not only the fresh one.
    expect(reused).toBeGreaterThan(20);
  });

  test('intentions with equal options share one match, which later changes to the options do not reach', () => {
    const matches = new MatchSpecs(parseIstioVersion('1.30'));
    const methods = ['GET'];
    const first = matches.of({ methods, paths: ['/a'] }, SERVICES[0], false);
    const second = matches.of({ methods: ['GET'], paths: ['/a'] }, SERVICES[1], false);
    expect(second).toBe(first);
    methods.push('POST');
    expect(first.methods).toEqual(['GET']);
    expect(matches.of({ methods: ['GET', 'POST'], paths: ['/a'] }, SERVICES[0], false)).not.toBe(first);
    expect(matches.of({}, SERVICES[0], false)).toBe(matches.of({}, SERVICES[2], false));
  });

  test('a shared match is still checked against each destination', () => {
    const matches = new MatchSpecs(parseIstioVersion('1.30'));
    matches.of({ ports: [8080], methods: ['GET'] }, SERVICES[0], false);
    expect(() => matches.of({ ports: [8080], methods: ['GET'] }, SERVICES[2], false)).toThrow(expect.objectContaining({ code: 'TM_UNKNOWN_PORT' }));
    matches.of({ methods: ['GET'] }, SERVICES[0], false);
    expect(() => matches.of({ methods: ['GET'] }, SERVICES[2], false)).toThrow(expect.objectContaining({ code: 'TM_HTTP_MATCH_WITHOUT_HTTP_PORT' }));
    matches.of({}, SERVICES[2], false);
    expect(() => matches.of({}, SERVICES[2], true)).toThrow(expect.objectContaining({ code: 'TM_HTTP_MATCH_WITHOUT_HTTP_PORT' }));
  });

  test('the destination checks pass and fail as they did before their fast path', () => {
    // The checks as they were written before the fast path: which error, if any, for which input.
    const before = (match: MatchSpec, s: ServiceSpec, hasEndUser: boolean): string | undefined => {
      for (const p of [...(match.ports ?? []), ...(match.notPorts ?? [])]) if (!s.ports.some((sp) => sp.port === p)) return 'TM_UNKNOWN_PORT';
      const lists = [match.methods, match.notMethods, match.paths, match.notPaths, match.hosts, match.notHosts, match.headers];
      if (!hasEndUser && !lists.some((l) => l !== undefined && l.length > 0)) return undefined;
      const httpPorts = s.ports.filter((p) => isHttpProtocol(p.protocol));
      if (httpPorts.length === 0) return 'TM_HTTP_MATCH_WITHOUT_HTTP_PORT';
      return (match.ports ?? []).some((p) => !httpPorts.some((hp) => hp.port === p)) ? 'TM_HTTP_MATCH_ON_TCP_PORT' : undefined;
    };
    const list = <T>(values: T[]): fc.Arbitrary<T[] | undefined> => fc.option(fc.subarray(values), { nil: undefined });
    const matches = fc.record({
      ports: list([8080, 9090, 5432, 1234]),
      notPorts: list([8080, 5432]),
      methods: list(['GET']),
      paths: list(['/a']),
      headers: list([{ name: 'x-user', values: ['a'] }]),
    });
    fc.assert(fc.property(matches, fc.constantFrom(...SERVICES), fc.boolean(), (match, s, hasEndUser) => {
      const code = outcome(() => assertMatchFitsService(match, s, hasEndUser)) as { code?: string };
      expect(code.code).toBe(before(match, s, hasEndUser));
    }), { numRuns: 500, seed: 11 });
  });

  test('only options of the common shapes get a key, and equal options only', () => {
    expect(matchKey({ methods: ['GET'] })).toBe(matchKey({ methods: ['GET'] }));
    expect(matchKey({ methods: ['GET'] })).not.toBe(matchKey({ notMethods: ['GET'] }));
    expect(matchKey({ paths: ['/a,/b'] })).not.toBe(matchKey({ paths: ['/a', '/b'] }));
    expect(matchKey({ methods: ['GET'], toString: ['x'] } as AccessMatchOptions)).toBe(matchKey({ methods: ['GET'] }));
    class Options {
      public get methods(): string[] { return ['GET']; }
    }
    const hidden = Object.defineProperty({}, 'methods', { value: ['GET'], enumerable: false });
    for (const uncommon of [
      { headers: { a: 'b' } }, { notHeaders: { a: 'b' } }, { methods: [] }, { ports: ['8080'] }, { ports: [8080.5] }, { paths: [1] },
      { paths: ['/a\0'] }, { hosts: 'a.com' }, new Options(),
    ]) {
      expect(matchKey(uncommon as AccessMatchOptions)).toBeUndefined();
    }
    // An option that is not enumerable is still an option.
    expect(matchKey(hidden)).toBe(matchKey({ methods: ['GET'] }));
  });
});

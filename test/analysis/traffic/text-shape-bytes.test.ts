// The byte fast path for TEXT lines (text-shape-bytes.ts, used by readTraffic with a sink) against
// the full parser: on the same lines — valid ones in many variants, unusual and malformed ones —
// every record must carry the same judging fields and time, and the malformed lines, their line
// numbers and the counts must be the same.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonShapeScanner } from '../../../src/analysis/traffic/json-shape-bytes';
import { ShapeStore } from '../../../src/analysis/traffic/shape-store';
import { isoMillis, TextShapeScanner } from '../../../src/analysis/traffic/text-shape-bytes';
import { readTraffic, TrafficSink } from '../../../src/analysis/traffic/traffic-reader';
import { TrafficRecord } from '../../../src/analysis/traffic/traffic-record';

const SEED = 20261206;

/** Everything resolve-request and recordedVerdict read of a record (all but the time, the location and the line). */
function judgingFields(r: TrafficRecord): string {
  return JSON.stringify([
    r.format, r.direction, r.protocol, r.method, r.path, r.authority, r.responseCode, r.responseFlags, r.responseCodeDetails,
    r.connectionTerminationDetails, r.upstreamCluster, r.upstreamHost, r.downstreamLocal, r.downstreamRemote?.ip, r.requestedServerName,
    r.peerUriSan, r.logPod, r.destinationWorkload, r.jwtClaims,
  ]);
}

const TIMES = ['2026-11-30T10:00:01.123Z', '2026-11-30T23:59:59.999Z', '2026-12-01T00:00:00.000Z', '2028-02-29T12:00:00.000Z', '-',
  '2026-11-30T10:00:01Z', '2026-02-30T10:00:01.123Z', '2026-11-30T24:00:01.123Z', '0099-01-01T00:00:00.000Z', '2026-11-30T10:00:01.123+01:00', ''];
const REQUESTS = ['GET /api/balance HTTP/1.1', 'POST /api/orders?id=1 HTTP/2', '- - -', 'GET  /a HTTP/1.1', 'GET /a', 'GET /é HTTP/1.1', 'GET /a\tb HTTP/1.1'];
const CODES = ['200', '403', '401', '503', '0', '1000', 'x', ''];
const FLAGS = ['-', 'UAEX', 'UF,URX', 'NR'];
const DETAILS = ['via_upstream', 'rbac_access_denied_matched_policy[ns[shop]-policy[deny-all]-rule[0]]', 'jwt_authn_access_denied{Jwt_is_missing}', '-'];
const TERMINATION = ['-', 'rbac_access_denied_matched_policy[none]'];
const AUTHORITIES = ['payments.shop.svc.cluster.local:8080', '-', 'bücher.example', ''];
const UPSTREAM_HOSTS = ['10.0.0.2:8080', '[fd00::2]:8080', '-', '10.0.0.2:99999999'];
const CLUSTERS = ['inbound|8080||', 'outbound|8080||payments.shop.svc.cluster.local', 'PassthroughCluster', '-'];
const LOCALS = ['10.0.0.2:8080', '[fd00::2]:8080', '-'];
const REMOTES = ['10.0.0.9:51234', '10.0.0.9:5123', '10.0.0.9:123456', '[fd00::9]:1', '10.0.0.9', '-', 'x:12', '10.0.0.9:'];
const SNIS = ['-', 'outbound_.8080_._.payments.shop.svc.cluster.local'];
const AGENTS = ['curl/8.5.0', 'a "quoted" agent', '-', 'x"y'];
const PREFIXES = ['[pod/payments-5f7b9c-abcde/istio-proxy] ', '', '[pod/payments-5f7b9c-abcde/istio-proxy] ', '[pod/web-1/istio-proxy] ', '[pod/paymènts/istio-proxy] ', '[pod/a/b]', '[pod//x] ', '[pod/a/b c] ', '[pod/a/b]\t'];
const SEPARATORS = [' ', ' ', ' ', ' ', '  ', '\t'];

/** Mostly the first (a usual value), sometimes any. */
function mostly<T>(values: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: fc.constant(values[0]), weight: 6 }, { arbitrary: fc.constantFrom(...values), weight: 1 });
}

const shape = fc.record({
  prefix: mostly(PREFIXES),
  request: mostly(REQUESTS),
  code: mostly(CODES),
  flags: mostly(FLAGS),
  details: mostly(DETAILS),
  termination: mostly(TERMINATION),
  authority: mostly(AUTHORITIES),
  upstreamHost: mostly(UPSTREAM_HOSTS),
  cluster: mostly(CLUSTERS),
  local: mostly(LOCALS),
  sni: mostly(SNIS),
  separator: mostly(SEPARATORS),
  /** 0: as is; 1: a field less; 2: a field more; 3: an unclosed quote; 4: a JSON line; 5: the proxy's own line; 6: blank. */
  mutation: mostly([0, 1, 2, 3, 4, 5, 6]),
  json: fc.boolean(),
  /** JSON: 0 as is; 1 the trustmesh format with a token; 2 a repeated member; 3 an escape; 4 an unread nested member; 5 an invalid number in an unread member; 6 a missing comma; 7 trailing text; 8 white space; 9 codes as strings, values null; 10 a nested read member with odd content. */
  jsonVariant: fc.constantFrom(0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
});
const variant = fc.record({
  time: mostly(TIMES),
  remote: fc.constantFrom(...REMOTES),
  agent: mostly(AGENTS),
  id: fc.nat(99999),
});

type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;
type Variant = typeof variant extends fc.Arbitrary<infer T> ? T : never;

function jsonLine(s: Shape, v: Variant): string {
  const [method, p, protocol] = s.request.split(' ');
  const str = (x: string | undefined): string => (x === undefined || x === '-' ? 'null' : JSON.stringify(x));
  const members: [string, string][] = [
    ['start_time', v.time === '' ? 'null' : JSON.stringify(v.time)], ['method', str(method)], ['path', str(p)], ['protocol', str(protocol)],
    ['response_code', /^\d{1,3}$/.test(s.code) && s.jsonVariant !== 9 ? s.code : JSON.stringify(s.code)], ['response_flags', str(s.flags)],
    ['response_code_details', str(s.details)], ['connection_termination_details', str(s.termination)], ['bytes_received', '120'],
    ['user_agent', JSON.stringify(v.agent)], ['x_request_id', `"r-${v.id}"`], ['authority', str(s.authority)],
    ['upstream_host', str(s.upstreamHost)], ['upstream_cluster', str(s.cluster)], ['downstream_local_address', str(s.local)],
    ['downstream_remote_address', str(v.remote)], ['requested_server_name', str(s.sni)], ['duration', String(v.id % 7)],
  ];
  if (s.jsonVariant === 1) {
    members.push(['trustmesh', '"1"'], ['peer_uri_san', '"spiffe://cluster.local/ns/shop/sa/web"'], ['pod_name', '"payments-1"'],
      ['pod_namespace', '"shop"'], ['service_account', '"payments"'], ['jwt', '{"https://login.example.com":{"iss":"https://login.example.com","sub":"alice","n":[1,{"a":"}"}]}}']);
  }
  if (s.jsonVariant === 2) members.push(['response_code', '403'], ['start_time', JSON.stringify(TIMES[v.id % TIMES.length])]);
  if (s.jsonVariant === 3) members.push(['path', '"/a\\u0041"']);
  if (s.jsonVariant === 4) members.push(['extra', '{"a":[1,2]}']);
  if (s.jsonVariant === 5) members.push(['bytes_sent', v.id % 3 === 0 ? '01' : '10']);
  if (s.jsonVariant === 9) members.forEach((m) => (m[1] = m[0] === 'response_flags' || m[0] === 'start_time' ? 'null' : m[1]));
  if (s.jsonVariant === 10) members.push(['jwt', '{"x":"y" "z"}']);
  const sep = s.jsonVariant === 8 ? ' ,\t' : s.jsonVariant === 6 && v.id % 2 === 0 ? ' ' : ',';
  const body = `{${members.map(([k, x]) => `${JSON.stringify(k)}${s.jsonVariant === 8 ? ' : ' : ':'}${x}`).join(sep)}}`;
  return s.prefix + body + (s.jsonVariant === 7 ? ' x' : s.jsonVariant === 8 ? ' ' : '');
}

function line(s: Shape, v: Variant): string {
  if (s.json && s.mutation !== 5 && s.mutation !== 6) return jsonLine(s, v);
  if (s.mutation === 4) return `${s.prefix}{"start_time":"${v.time}","method":"GET","path":"/a","response_code":200,"upstream_cluster":"${s.cluster}"}`;
  if (s.mutation === 5) return `${s.prefix}2026-11-30T10:00:00.000000Z\tinfo\tenvoy main: starting`;
  if (s.mutation === 6) return s.prefix;
  const fields = [`[${v.time}]`, `"${s.request}"`, s.code, s.flags, s.details, s.termination, '"-"', '120', '42', '3', '2', '"-"', `"${v.agent}"`,
    `"r-${v.id}"`, `"${s.authority}"`, `"${s.upstreamHost}"`, s.cluster, '127.0.0.6:40000', s.local, v.remote, s.sni, 'default'];
  if (s.mutation === 1) fields.splice(7, 1);
  if (s.mutation === 2) fields.splice(7, 0, '7');
  if (s.mutation === 3) fields[12] = `"${v.agent}`;
  return s.prefix + fields.join(s.separator);
}

interface Seen {
  readonly fields: string;
  readonly time: string | undefined;
}

async function readBoth(file: string): Promise<{ full: Seen[]; fast: Seen[]; summaries: [unknown, unknown]; repeats: number }> {
  const full: Seen[] = [];
  const fullSummary = await readTraffic([file], {}, (r) => full.push({ fields: judgingFields(r), time: r.time }));
  const fast: Seen[] = [];
  let repeats = 0;
  const sink: TrafficSink<string> = {
    first: (r) => {
      const fields = judgingFields(r);
      fast.push({ fields, time: r.time });
      return fields;
    },
    again: (fields, time, text) => {
      repeats++;
      fast.push({ fields, time: text ?? (Number.isNaN(time) ? undefined : new Date(time).toISOString()) });
    },
  };
  const fastSummary = await readTraffic([file], {}, sink);
  return { full, fast, summaries: [fullSummary, fastSummary], repeats };
}

describe('the byte fast paths (TEXT and JSON)', () => {
  it('gives the same records, times, malformed lines and line numbers as the full parser', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-text-shape-'));
    let repeats = 0;
    let records = 0;
    let malformed = 0;
    let byteLines = 0;
    let jsonByteLines = 0;
    const scanner = new TextShapeScanner();
    scanner.json = new JsonShapeScanner(scanner);
    await fc.assert(fc.asyncProperty(fc.array(shape, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.nat(5), variant), { minLength: 20, maxLength: 60 }), fc.constantFrom('\n', '\r\n'), fc.boolean(),
      async (shapes, picks, eol, finalEol) => {
        const text = picks.map(([i, v]) => line(shapes[i % shapes.length], v)).join(eol) + (finalEol ? eol : '');
        const file = path.join(dir, 'access.log');
        fs.writeFileSync(file, text);
        const both = await readBoth(file);
        expect(both.fast).toEqual(both.full);
        expect(both.summaries[1]).toEqual(both.summaries[0]);
        repeats += both.repeats;
        for (const l of text.split(eol)) {
          if (!scanner.scan(Buffer.from(l), 0, Buffer.byteLength(l))) continue;
          byteLines++;
          if (l.includes('{"')) jsonByteLines++;
        }
        records += both.full.length;
        malformed += (both.summaries[0] as { malformedCount: number }).malformedCount;
      }), { seed: SEED, numRuns: 400 });
    // The property exercised the fast path, the full parser and malformed lines alike.
    console.log(`records ${records}, of known shapes ${repeats}, lines the byte paths read ${byteLines} (JSON ${jsonByteLines}), malformed ${malformed}`);
    expect(byteLines - jsonByteLines).toBeGreaterThan(1000);
    expect(jsonByteLines).toBeGreaterThan(1000);
    expect(repeats).toBeGreaterThan(1000);
    expect(records - repeats).toBeGreaterThan(300);
    expect(malformed).toBeGreaterThan(100);
  }, 120_000);

  it('keys a line by its deciding fields only: the time, request ID, byte counts and caller port do not make a new shape', () => {
    const scanner = new TextShapeScanner();
    const key = (l: string): string => {
      const bytes = Buffer.from(l);
      expect(scanner.scan(bytes, 0, bytes.length)).toBe(true);
      return scanner.key.toString('latin1', 0, scanner.length);
    };
    const base = '[pod/payments-1/istio-proxy] [2026-11-30T10:00:01.123Z] "GET /a HTTP/1.1" 200 - via_upstream - "-" 0 42 3 2 "-" "curl" "r1" "payments" "10.0.0.2:8080" inbound|8080|| 127.0.0.6:40000 10.0.0.2:8080 10.0.0.9:51234 outbound_.8080_._.payments.shop.svc.cluster.local default';
    const same = base.replace('10:00:01.123Z', '11:00:00.000Z').replace('"r1"', '"r2"').replace(' 0 42 3 2 ', ' 7 8 9 10 ').replace(':51234', ':40001');
    const baseKey = key(base);
    expect(key(same)).toBe(baseKey);
    expect(scanner.time).toBe(Date.parse('2026-11-30T11:00:00.000Z'));
    for (const other of [base.replace('GET /a', 'GET /b'), base.replace(' 200 ', ' 403 '), base.replace('10.0.0.9:', '10.0.0.8:'), base.replace('payments-1', 'payments-2'), base.replace('[pod/payments-1/istio-proxy] ', '')]) {
      expect(key(other)).not.toBe(baseKey);
    }
  });

  it('leaves to the full parser what it cannot read exactly', () => {
    const scanner = new TextShapeScanner();
    const scan = (l: string): boolean => scanner.scan(Buffer.from(l), 0, Buffer.byteLength(l));
    const base = '[2026-11-30T10:00:01.123Z] "GET /a HTTP/1.1" 200 - via_upstream - "-" 0 42 3 2 "-" "curl" "r1" "payments" "10.0.0.2:8080" inbound|8080|| 127.0.0.6:40000 10.0.0.2:8080 10.0.0.9:51234 - default';
    expect(scan(base)).toBe(true);
    expect(scan(base.replace('10:00:01.123Z', '10:00:01Z'))).toBe(false);
    expect(scan(base.replace('2026-11-30', '2026-02-30'))).toBe(false);
    expect(scan(base.replace(' default', ''))).toBe(false);
    expect(scan(base.replace('"curl"', '"curl'))).toBe(false);
    expect(scan('{"response_code":200}')).toBe(false);
    expect(scan(`[pod/pödname/istio-proxy] ${base}`)).toBe(false);
    expect(scan(base.replace('/a', `/${'a'.repeat(70_000)}`))).toBe(false);
  });
});

describe('the shape store', () => {
  it('finds exactly the keys it keeps, and forgets them all when full', () => {
    const store = new ShapeStore<number>(1000);
    const key = (i: number): Buffer => Buffer.from(`shape-${i}`);
    const hash = (b: Buffer): number => b.length; // colliding hashes: the bytes decide
    for (let i = 0; i < 999; i++) store.set(key(i), key(i).length, hash(key(i)), i);
    for (let i = 0; i < 999; i++) expect(store.get(key(i), key(i).length, hash(key(i)))).toBe(i);
    expect(store.get(key(5000), key(5000).length, hash(key(5000)))).toBeUndefined();
    store.set(key(999), key(999).length, hash(key(999)), 999);
    store.set(key(1000), key(1000).length, hash(key(1000)), 1000);
    expect(store.size).toBe(1);
    expect(store.get(key(1), key(1).length, hash(key(1)))).toBeUndefined();
    expect(store.get(key(1000), key(1000).length, hash(key(1000)))).toBe(1000);
  });

  it('reads Envoy times back exactly, and no other', () => {
    expect(isoMillis('2026-11-30T10:00:01.123Z')).toBe(Date.parse('2026-11-30T10:00:01.123Z'));
    expect(isoMillis('2026-11-30T10:00:01Z')).toBeNaN();
    expect(isoMillis('2026-02-30T10:00:01.123Z')).toBeNaN();
    expect(isoMillis(undefined)).toBeNaN();
  });
});

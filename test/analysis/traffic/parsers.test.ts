// The access-log parsers on hand-written real-format lines (test/fixtures/traffic/shop/README.md
// cites the format strings they follow).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { parseEnvoyJson } from '../../../src/analysis/traffic/envoy-json';
import { parseEnvoyText, tokenize } from '../../../src/analysis/traffic/envoy-text';
import { parsePrometheusResult } from '../../../src/analysis/traffic/prometheus';
import { shapeKey } from '../../../src/analysis/traffic/record-shape';
import { recordedVerdict } from '../../../src/analysis/traffic/resolve-request';
import { readTraffic } from '../../../src/analysis/traffic/traffic-reader';
import { TrafficRecord } from '../../../src/analysis/traffic/traffic-record';
import { parseUpstreamCluster, serviceOfHost } from '../../../src/analysis/traffic/upstream-cluster';

const SHOP = path.join(__dirname, '..', '..', 'fixtures', 'traffic', 'shop');
const fixture = (name: string): string => path.join(SHOP, name);
const lines = (name: string): string[] => fs.readFileSync(fixture(name), 'utf8').split('\n');
const stripPrefix = (line: string): string => line.replace(/^\[pod\/[^\]]+\] /, '');

function text(lineNo: number): TrafficRecord {
  const r = parseEnvoyText(stripPrefix(lines('text.log')[lineNo - 1]), 'text.log', lineNo);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

function json(lineNo: number, file = 'json.log'): TrafficRecord {
  const r = parseEnvoyJson(lines(file)[lineNo - 1], file, lineNo);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

describe('Istio default TEXT format', () => {
  it('reads an inbound HTTP/1.1 200 with the caller address, the workload port and the mTLS SNI', () => {
    const r = text(2);
    expect(r).toMatchObject({
      protocol: 'HTTP',
      method: 'GET',
      path: '/api/balance',
      responseCode: 200,
      responseFlags: '-',
      responseCodeDetails: 'via_upstream',
      upstreamCluster: 'inbound|8080||',
      downstreamLocal: { ip: '10.0.2.20', port: 8080 },
      downstreamRemote: { ip: '10.0.1.10', port: 51234 },
      requestedServerName: 'outbound_.8080_._.payments.shop.svc.cluster.local',
      time: '2026-11-30T10:00:01.123Z',
    });
    expect(recordedVerdict(r, 'inbound')).toBe('served');
  });

  it('reads an HTTP/2 request', () => {
    expect(text(3)).toMatchObject({ protocol: 'HTTP', method: 'POST', path: '/api/charge', responseCode: 200 });
  });

  it('reads a 403 from the RBAC filter as denied, and a 503 UF as no decision', () => {
    const denied = text(5);
    expect(denied).toMatchObject({ responseCode: 403, responseCodeDetails: 'rbac_access_denied_matched_policy[none]' });
    expect(denied.upstreamHost).toBeUndefined();
    expect(recordedVerdict(denied, 'inbound')).toBe('denied');
    const failed = text(6);
    expect(failed).toMatchObject({ responseCode: 503, responseFlags: 'UF' });
    expect(recordedVerdict(failed, 'inbound')).toBe('unknown');
  });

  it('reads IPv6 addresses in brackets on an outbound entry, and the caller side of a 403 as denied', () => {
    const r = text(8);
    expect(r).toMatchObject({
      upstreamHost: { ip: 'fd00::30', port: 8080 },
      downstreamRemote: { ip: 'fd00::10', port: 39000 },
      upstreamCluster: 'outbound|80||orders.shop.svc.cluster.local',
      responseCodeDetails: 'via_upstream',
    });
    expect(recordedVerdict(r, 'outbound')).toBe('denied');
    expect(recordedVerdict(r, 'inbound')).toBe('served');
  });

  it('reads TCP entries: served, and closed by the RBAC network filter', () => {
    const served = text(10);
    expect(served).toMatchObject({ protocol: 'TCP', responseCode: 0, upstreamCluster: 'inbound|5432||' });
    expect(served.method).toBeUndefined();
    expect(recordedVerdict(served, 'inbound')).toBe('served');
    const closed = text(11);
    expect(closed.connectionTerminationDetails).toBe('rbac_access_denied_matched_policy[none]');
    expect(recordedVerdict(closed, 'inbound')).toBe('denied');
  });

  it('says why a line is not the format', () => {
    expect(parseEnvoyText('[2026-11-30T10:00:01.123Z] "GET / HTTP/1.1" 200', 'f', 1)).toMatch(/expected the 22 fields/);
    expect(parseEnvoyText('[2026-11-30T10:00:01.123Z "GET', 'f', 1)).toBe('unclosed quote or bracket');
    expect(tokenize('[t] "a b" c [fd00::1]:80')).toEqual(['t', 'a b', 'c', '[fd00::1]:80']);
  });
});

describe('entry shapes (what replay judges once)', () => {
  const base = stripPrefix(lines('text.log')[1]);
  const shape = (line: string): string | undefined => {
    const r = parseEnvoyText(line, 'text.log', 2);
    if (typeof r === 'string') throw new Error(r);
    return shapeKey(r);
  };

  it('is shared by entries that differ only in time, request ID, byte counts, user agent and the caller\'s port', () => {
    const other = base.replace('2026-11-30T10:00:01.123Z', '2026-12-01T00:00:00.000Z').replace('6f1e2a0c-1b1d-4c1e-9a55-0d3f1b2c3d4e', 'x')
      .replace('" 0 42 3 2 "', '" 7 4200 30 20 "').replace('curl/8.5.0', 'wget').replace('10.0.1.10:51234', '10.0.1.10:6');
    expect(other).not.toBe(base);
    expect(shape(other)).toBe(shape(base));
  });

  it('differs when anything replay decides by differs: method, path, code, caller address, a caller port it cannot read, SNI, pod', () => {
    const variants = [
      base.replace('GET /api/balance', 'POST /api/balance'),
      base.replace('/api/balance', '/api/balance2'),
      base.replace('" 200 - via_upstream', '" 403 - via_upstream'),
      base.replace('10.0.1.10:51234', '10.0.1.11:51234'),
      base.replace('10.0.1.10:51234', '10.0.1.10:abc'),
      base.replace('outbound_.8080_._.payments', 'outbound_.8080_._.orders'),
    ];
    const shapes = new Set([base, ...variants].map(shape));
    expect(shapes.size).toBe(variants.length + 1);
    const pod = (name: string): string | undefined => shapeKey(parseEnvoyText(base, 'f', 1, { name }) as TrafficRecord);
    expect(pod('a')).not.toBe(pod('b'));
  });
});

describe('Istio JSON encoding and the trustmesh format', () => {
  it('reads null as unset and numbers as numbers', () => {
    const r = json(1);
    expect(r).toMatchObject({ format: 'json', protocol: 'HTTP', responseCode: 200, downstreamLocal: { ip: 'fd00::30', port: 8080 } });
    expect(r.connectionTerminationDetails).toBeUndefined();
  });

  it('reads a TCP outbound entry (method, path and protocol null)', () => {
    expect(json(3)).toMatchObject({ protocol: 'TCP', upstreamCluster: 'outbound|5432||db.shop.svc.cluster.local', upstreamHost: { ip: '10.0.4.40', port: 5432 } });
  });

  it('reads the peer SPIFFE ID, the logging pod and the verified JWT payload of the trustmesh format', () => {
    expect(json(1, 'trustmesh.log')).toMatchObject({
      format: 'trustmesh',
      peerUriSan: 'spiffe://cluster.local/ns/shop/sa/web',
      logPod: { name: 'payments-5f7b9c-abcde', namespace: 'shop' },
      destinationWorkload: { namespace: 'shop', serviceAccount: 'payments' },
      jwtClaims: { iss: 'https://login.example.com', sub: 'alice' },
    });
    expect(json(2, 'trustmesh.log').jwtClaims).toBeUndefined();
  });

  it('says why a JSON line is not an entry', () => {
    expect(parseEnvoyJson(lines('json.log')[4], 'json.log', 5)).toMatch(/^not valid JSON/);
    expect(parseEnvoyJson('{"level":"info","msg":"ready"}', 'f', 1)).toMatch(/no numeric "response_code"/);
    expect(parseEnvoyJson('[1,2]', 'f', 1)).toMatch(/not an object/);
  });
});

describe('cluster names', () => {
  it('splits inbound, outbound and subset clusters; passthrough is none of them', () => {
    expect(parseUpstreamCluster('outbound|8080||payments.shop.svc.cluster.local')).toEqual({ direction: 'outbound', port: 8080, host: 'payments.shop.svc.cluster.local' });
    expect(parseUpstreamCluster('outbound|9080|v2|reviews.bookinfo.svc.cluster.local')).toMatchObject({ subset: 'v2' });
    expect(parseUpstreamCluster('inbound|8080||')).toEqual({ direction: 'inbound', port: 8080 });
    expect(parseUpstreamCluster('PassthroughCluster')).toBeUndefined();
    expect(serviceOfHost('payments.shop.svc.cluster.local')).toEqual({ name: 'payments', namespace: 'shop' });
    expect(serviceOfHost('example.com.')).toBeUndefined();
  });
});

describe('Prometheus query results', () => {
  it('takes the destination-reported samples with their counts and skips the source-reported duplicates', () => {
    const result = parsePrometheusResult(fs.readFileSync(fixture('prometheus.json'), 'utf8'), 'prometheus.json');
    expect(result.malformed).toEqual([]);
    expect(result.skipped).toBe(1);
    expect(result.records.map((r) => [r.protocol, r.count, r.responseCode, r.sourcePrincipal])).toEqual([
      ['HTTP', 1204, 200, 'spiffe://cluster.local/ns/shop/sa/web'],
      ['HTTP', 17, 403, 'spiffe://cluster.local/ns/shop/sa/orders'],
      ['TCP', 88, 0, 'spiffe://cluster.local/ns/shop/sa/orders'],
    ]);
  });

  it('reports a result that is not a vector', () => {
    expect(parsePrometheusResult('{"status":"error","error":"bad query"}', 'p.json').malformed[0].reason).toMatch(/not a Prometheus vector/);
  });
});

describe('reading files', () => {
  it('streams every file, strips kubectl --prefix, skips the proxy\'s own lines and counts malformed lines with their numbers', async () => {
    const records: TrafficRecord[] = [];
    const summary = await readTraffic([fixture('text.log'), fixture('json.log')], {}, (r) => records.push(r));
    expect(summary.malformed.map((m) => `${path.basename(m.file)}:${m.line}`)).toEqual(['text.log:7', 'json.log:5']);
    expect(summary.malformedCount).toBe(2);
    expect(summary.skipped).toEqual({ 'the proxy\'s own log lines (not access-log entries)': 1 });
    expect(records).toHaveLength(13);
    expect(records[0]).toMatchObject({ line: 2, logPod: { name: 'payments-5f7b9c-abcde' } });
    expect(records.find((r) => r.line === 9 && r.format === 'text')?.logPod).toEqual({ name: 'web-6d8f7c9b5-xyz12' });
  });

  it('gives lines without a prefix the --pod', async () => {
    const records: TrafficRecord[] = [];
    await readTraffic([fixture('json.log')], { pod: { namespace: 'shop', name: 'orders-7c4d5-q9w8e' } }, (r) => records.push(r));
    expect(records[0].logPod).toEqual({ namespace: 'shop', name: 'orders-7c4d5-q9w8e' });
  });

  it('ends lines at \\n, \\r\\n and a lone \\r, as readline does, across chunk boundaries and without a final line end', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-traffic-'));
    const entry = lines('text.log').filter((l) => l.startsWith('[pod/payments') && l.includes('"GET /api/balance'))[0];
    const file = path.join(dir, 'mixed.log');
    // 2 MiB of padding lines puts the next entries after the reader's first 1 MiB chunk.
    const padding = Array.from({ length: 30_000 }, () => '2026-11-30T09:59:59.000000Z\tinfo\tpadding line of the proxy\'s own log').join('\r\n');
    fs.writeFileSync(file, `${entry}\r\n${padding}\r\n${entry}\r\r${entry}\n\n${entry}`);
    const records: TrafficRecord[] = [];
    const summary = await readTraffic([file], {}, (r) => records.push(r));
    expect(summary.lines).toBe(30_006);
    expect(summary.skipped).toEqual({ 'blank lines': 2, 'the proxy\'s own log lines (not access-log entries)': 30_000 });
    expect(records.map((r) => r.line)).toEqual([1, 30_002, 30_004, 30_006]);
    expect(records.every((r) => r.time === '2026-11-30T10:00:01.123Z' && r.logPod?.name === 'payments-5f7b9c-abcde' && !r.raw.includes('\r'))).toBe(true);
  });

  it('never crashes on binary or empty input', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-traffic-'));
    const bin = path.join(dir, 'bin.log');
    fs.writeFileSync(bin, Buffer.from([0, 255, 10, 123, 34, 10, 91, 0, 10, 10]));
    const summary = await readTraffic([bin], {}, () => undefined);
    expect(summary.records).toBe(0);
    expect(summary.malformedCount).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { requestDoc } from './evaluate-helpers';
import { parseAccessRequestDocument } from '../../../src/analysis/evaluator/request-document';
import { TrustmeshAggregateError } from '../../../src/errors';
import { parseAccessRequest } from '../../../src/semantics/parse-access-request';
import { catchTrustmesh } from '../../helpers';

describe('parseAccessRequest', () => {
  it('accepts the issue shape and fills HTTP defaults (GET, "/")', () => {
    const r = parseAccessRequest({
      protocol: 'HTTP',
      source: { principal: 'cluster.local/ns/dev/sa/sleep', namespace: 'dev', ip: '10.0.0.1' },
      jwt: null,
      destination: { namespace: 'foo', labels: { app: 'httpbin' }, port: 18080 },
    });
    expect(r).toEqual({
      protocol: 'HTTP',
      source: { principal: 'cluster.local/ns/dev/sa/sleep', namespace: 'dev', ip: '10.0.0.1' },
      jwt: null,
      destination: { namespace: 'foo', labels: { app: 'httpbin' }, port: 18080 },
      method: 'GET',
      path: '/',
    });
  });

  it('derives source.namespace from the principal when omitted, and rejects a disagreeing one', () => {
    expect(parseAccessRequest(requestDoc()).source.namespace).toBe('dev');
    const e = catchTrustmesh(() => parseAccessRequest(requestDoc({ namespace: 'prod' })));
    expect(e.code).toBe('TM_REQUEST_INVALID');
    expect(e.location?.field).toBe('source.namespace');
  });

  it('lower-cases header names, merges list values with commas, and takes host from the Host header', () => {
    const r = parseAccessRequest({ ...requestDoc(), headers: { 'X-Env': ['a', 'b'], 'Host': 'Httpbin.Foo' } });
    expect(r.headers).toEqual({ 'x-env': 'a,b', 'host': 'Httpbin.Foo' });
    expect(r.host).toBe('Httpbin.Foo');
  });

  it.each([
    [{ protocol: 'http' }, 'protocol', /Did you mean "HTTP"/],
    [{ source: { principal: 'spiffe://cluster.local/ns/a/sa/b', ip: '10.0.0.1' } }, 'source.principal', /Did you mean "cluster\.local\/ns\/a\/sa\/b"/],
    [{ source: { principal: null, ip: '10.0.0.0/8' } }, 'source.ip', /an address, not a CIDR/],
    [{ destination: { namespace: 'foo', labels: {}, port: '8080' } }, 'destination.port', /Write it as a number: 8080/],
    [{ method: 'get' }, 'method', /Did you mean "GET"/],
    [{ path: 'admin' }, 'path', /must start with/],
    [{ path: '/a%00b' }, 'path', /400/],
    [{ jwt: { status: 'valid' } }, 'jwt.claims', /jwt\.claims is missing/],
    [{ jwt: { status: 'valid', claims: [] } }, 'jwt.claims', /must be a JSON object/],
    [{ jwt: { claims: {} } }, 'jwt.status', /jwt\.status is missing/],
    [{ source: { principal: 'checkout', ip: '10.0.0.1' } }, 'source.principal', /not a workload principal[\s\S]*"cluster\.local\/ns\/<namespace>\/sa\/checkout"/],
    [{ source: { principal: 'ns/shop/sa/checkout', ip: '10.0.0.1' } }, 'source.principal', /Did you mean "cluster\.local\/ns\/shop\/sa\/checkout"/],
    [{ source: { principal: 'cluster.local/ns/shop', ip: '10.0.0.1' } }, 'source.principal', /<trust-domain>\/ns\/<namespace>\/sa\/<service-account>/],
    [{ protocol: undefined }, 'protocol', /protocol is missing/],
    [{ source: undefined }, 'source', /source is missing/],
    [{ source: { principal: null } }, 'source.ip', /source\.ip is missing[\s\S]*fix: Add "ip"/],
    [{ destination: undefined }, 'destination', /destination is missing/],
    [{ destination: { labels: {}, port: 8080 } }, 'destination.namespace', /destination\.namespace is missing/],
    [{ destination: { namespace: 'foo' } }, 'destination.port', /destination\.port is missing/],
    [{ jwt: { status: 'invalid', reason: 'revoked' } }, 'jwt.reason', /"expired" or "malformed"/],
    [{ jwt: { status: 'valid', claims: {}, location: 'body:x' } }, 'jwt.location', /where the token is sent/],
    [{ soruce: {} }, 'soruce', /Did you mean "source"/],
  ] as const)('rejects %j naming the field %s', (patch, field, hint) => {
    const e = catchTrustmesh(() => parseAccessRequest({ ...requestDoc(), ...patch }));
    expect(e.code).toBe('TM_REQUEST_INVALID');
    expect(e.location?.field).toBe(field);
    expect(e.message).toMatch(hint);
  });

  it('rejects HTTP-only fields and tokens on a TCP request', () => {
    expect(catchTrustmesh(() => parseAccessRequest({ ...requestDoc({ protocol: 'TCP' }), method: 'GET' })).location?.field).toBe('method');
    expect(catchTrustmesh(() => parseAccessRequest(requestDoc({ protocol: 'TCP', jwt: { status: 'invalid', reason: 'expired' } }))).location?.field).toBe('jwt');
  });

  it('accepts IPv6 addresses', () => {
    expect(parseAccessRequest(requestDoc({ ip: 'fd00::1', destIp: '::ffff:10.0.0.1' })).source.ip).toBe('fd00::1');
  });

  it('rejects an IPv6 address whose dotted quad is not its last 32 bits', () => {
    const e = catchTrustmesh(() => parseAccessRequest(requestDoc({ ip: '1.2.3.4::' })));
    expect(e.code).toBe('TM_REQUEST_INVALID');
    expect(e.location?.field).toBe('source.ip');
  });
});

describe('parseAccessRequestDocument', () => {
  const line = (o: Record<string, unknown>): string => JSON.stringify(o);

  it('reads one pretty-printed JSON object', () => {
    const doc = parseAccessRequestDocument(JSON.stringify(requestDoc(), null, 2), 'r.json');
    expect(doc.format).toBe('json');
    expect(doc.requests).toHaveLength(1);
  });

  it('reads JSON Lines, skipping blank lines', () => {
    const doc = parseAccessRequestDocument(`${line(requestDoc())}\n\n${line(requestDoc({ method: 'POST' }))}\n`, 'r.jsonl');
    expect(doc.format).toBe('jsonl');
    expect(doc.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  it('names the line of an invalid request in JSON Lines', () => {
    const e = catchTrustmesh(() => parseAccessRequestDocument(`${line(requestDoc())}\n${line(requestDoc({ ip: 'x' }))}\n`, 'r.jsonl'));
    expect(e.location).toMatchObject({ file: 'r.jsonl', line: 2, field: 'source.ip' });
    expect(e.message).toMatch(/r\.jsonl:2 \(source\.ip\)/);
  });

  it('names the line of a JSON syntax error in JSON Lines', () => {
    const e = catchTrustmesh(() => parseAccessRequestDocument(`${line(requestDoc())}\n{"protocol": \n`, 'r.jsonl'));
    expect(e.code).toBe('TM_REQUEST_PARSE');
    expect(e.location?.line).toBe(2);
  });

  it('reports a syntax error in a pretty-printed object at its line', () => {
    const e = catchTrustmesh(() => parseAccessRequestDocument('{\n  "protocol": "HTTP",\n  "source": }\n', 'r.json'));
    expect(e.code).toBe('TM_REQUEST_PARSE');
    expect(e.location?.file).toBe('r.json');
    expect(e.location?.line).toBe(3);
  });

  it('reads a JSON array and names the index of an invalid element', () => {
    const e = catchTrustmesh(() => parseAccessRequestDocument(JSON.stringify([requestDoc(), requestDoc({ port: 0 })]), 'r.json'));
    expect(e.location?.field).toBe('[1].destination.port');
  });

  it('reports every bad line of a JSON Lines file, not only the first (syntax errors and invalid fields alike)', () => {
    const text = [line(requestDoc()), line(requestDoc({ protocol: 'HTP' as never })), '{bad json', '', line(requestDoc({ ip: '1' })), line(requestDoc())].join('\n');
    const e = catchTrustmesh(() => parseAccessRequestDocument(text, 'r.jsonl'));
    expect(e).toBeInstanceOf(TrustmeshAggregateError);
    expect(e.code).toBe('TM_REQUEST_INVALID');
    expect(e.summary).toMatch(/^3 of the 5 requests in r\.jsonl are invalid:\n/);
    const errors = (e as TrustmeshAggregateError).errors;
    expect(errors.map((x) => [x.code, x.location?.line])).toEqual([['TM_REQUEST_INVALID', 2], ['TM_REQUEST_PARSE', 3], ['TM_REQUEST_INVALID', 5]]);
    expect(e.message).toMatch(/r\.jsonl:2 \(protocol\)[\s\S]*r\.jsonl:3:2[\s\S]*r\.jsonl:5 \(source\.ip\)/);
  });

  it('reports every bad element of a JSON array', () => {
    const e = catchTrustmesh(() => parseAccessRequestDocument(JSON.stringify([requestDoc({ port: 0 }), requestDoc(), requestDoc({ method: 'get' })]), 'r.json'));
    expect((e as TrustmeshAggregateError).errors.map((x) => x.location?.field)).toEqual(['[0].destination.port', '[2].method']);
  });

  it('rejects an empty document', () => {
    expect(catchTrustmesh(() => parseAccessRequestDocument('  \n', 'r.json')).code).toBe('TM_REQUEST_PARSE');
  });
});

import * as path from 'path';
import { describe, expect, it } from 'vitest';
import {
  describeValue, Diagnostic, diagnosticHead, formatDiagnostic, TrustmeshAggregateError, TrustmeshError, TrustmeshUsageError,
} from '../src/errors';

const located: Diagnostic = {
  code: 'TM_SCHEMA_INVALID',
  severity: 'error',
  message: 'AuthorizationPolicy ns/p: spec.action: bad',
  location: { file: 'dist/ns.yaml', line: 3 },
  fix: 'Use ALLOW.',
};

describe('diagnostics and errors', () => {
  it('fromDiagnostic keeps code, message as summary, location and fix', () => {
    const e = TrustmeshError.fromDiagnostic(located);
    expect(e).toMatchObject({ code: 'TM_SCHEMA_INVALID', summary: located.message, location: located.location, fix: 'Use ALLOW.' });
    expect(e.message).toBe('TM_SCHEMA_INVALID: AuthorizationPolicy ns/p: spec.action: bad at dist/ns.yaml:3\n  fix: Use ALLOW.');
  });

  it('toDiagnostic is the reverse, omitting what the error lacks', () => {
    expect(TrustmeshError.fromDiagnostic(located).toDiagnostic()).toEqual(located);
    expect(new TrustmeshError('TM_YAML_PARSE', 'bad YAML', { callerLocation: false }).toDiagnostic()).toEqual({ code: 'TM_YAML_PARSE', severity: 'error', message: 'bad YAML' });
    expect(new TrustmeshError('TM_YAML_PARSE', 'bad YAML').toDiagnostic('warning').severity).toBe('warning');
  });

  it('an error raised without a location records the first frame of the caller\'s code (runSynth and the CLI print no stack)', () => {
    const e = new TrustmeshError('TM_INVALID_PORT', 'service port is out of range', { value: Number.NaN });
    expect(e.location).toEqual({ file: path.join('test', 'errors.test.ts'), line: expect.any(Number), column: expect.any(Number) });
    expect(e.message).toMatch(/^TM_INVALID_PORT: service port is out of range at test[\\/]errors\.test\.ts:\d+:\d+\n {2}received: NaN$/);
    // A location given, an aggregate, or callerLocation: false: none recorded.
    expect(new TrustmeshError('TM_YAML_PARSE', 'x', { location: { file: 'a.yaml', line: 1 } }).location).toEqual({ file: 'a.yaml', line: 1 });
    expect(new TrustmeshAggregateError('TM_SYNTH_FAILED', 'x', [e]).location).toBeUndefined();
  });

  it('received values print as JavaScript shows them: NaN and Infinity are not null', () => {
    expect(describeValue(Number.NaN)).toBe('NaN');
    expect(describeValue(-Infinity)).toBe('-Infinity');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue({ port: 1 })).toBe('{"port":1}');
  });

  it('API misuse is a TypeError that carries the caller\'s position and converts to TM_API_MISUSE', () => {
    const e = new TrustmeshUsageError('peer must be a MeshService');
    expect(e).toBeInstanceOf(TypeError);
    expect(TrustmeshUsageError.isUsageError(e)).toBe(true);
    expect(TrustmeshUsageError.isUsageError(new TypeError('x'))).toBe(false);
    expect(e.location?.file).toBe(path.join('test', 'errors.test.ts'));
    const coded = e.withLocation({ constructPath: 'shop/shop/payments' }).toTrustmeshError();
    expect(coded.code).toBe('TM_API_MISUSE');
    expect(coded.message).toMatch(/^TM_API_MISUSE: peer must be a MeshService at test[\\/]errors\.test\.ts:\d+:\d+ \[shop\/shop\/payments\]\n {2}fix: /);
  });

  it('diagnosticHead is "severity CODE [UPSTREAM]", as formatDiagnostic prints it', () => {
    expect(diagnosticHead(located)).toBe('error TM_SCHEMA_INVALID');
    const upstream: Diagnostic = { ...located, severity: 'warning', upstreamCode: 'IST0101', location: undefined, fix: undefined };
    expect(diagnosticHead(upstream)).toBe('warning TM_SCHEMA_INVALID [IST0101]');
    expect(formatDiagnostic(upstream)).toBe(`warning TM_SCHEMA_INVALID [IST0101]: ${located.message}`);
  });
});

import { describe, expect, it } from 'vitest';
import { Diagnostic, diagnosticHead, formatDiagnostic, TrustmeshError } from '../src/errors';

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
    expect(new TrustmeshError('TM_YAML_PARSE', 'bad YAML').toDiagnostic()).toEqual({ code: 'TM_YAML_PARSE', severity: 'error', message: 'bad YAML' });
    expect(new TrustmeshError('TM_YAML_PARSE', 'bad YAML').toDiagnostic('warning').severity).toBe('warning');
  });

  it('diagnosticHead is "severity CODE [UPSTREAM]", as formatDiagnostic prints it', () => {
    expect(diagnosticHead(located)).toBe('error TM_SCHEMA_INVALID');
    const upstream: Diagnostic = { ...located, severity: 'warning', upstreamCode: 'IST0101', location: undefined, fix: undefined };
    expect(diagnosticHead(upstream)).toBe('warning TM_SCHEMA_INVALID [IST0101]');
    expect(formatDiagnostic(upstream)).toBe(`warning TM_SCHEMA_INVALID [IST0101]: ${located.message}`);
  });
});

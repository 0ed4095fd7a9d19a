// TM_MTLS_FIELDS_WITHOUT_MTLS — Kiali KIA0105.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, analyzeFixtureText, lineOf, where, withCode } from './fixture';

const POSITIVE = 'mtls-fields-without-mtls/positive.yaml';
const NEGATIVE = 'mtls-fields-without-mtls/negative.yaml';

describe('TM_MTLS_FIELDS_WITHOUT_MTLS', () => {
  it('reports identity fields on DISABLE (error) and PERMISSIVE (warning) workloads, per port', () => {
    const found = withCode(analyzeFixture(POSITIVE), 'TM_MTLS_FIELDS_WITHOUT_MTLS');
    expect(found.map((d) => [where(d), d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'principals:')}`, 'error', 'KIA0105'],
      [`positive.yaml:${lineOf(POSITIVE, 'key: source.namespace')}`, 'warning', 'KIA0105'],
      [`positive.yaml:${lineOf(POSITIVE, 'namespaces: [admin]')}`, 'warning', 'KIA0105'],
    ]);
    expect(found[0].message).toMatch(/PeerAuthentication foo\/default sets DISABLE \(namespace level\)/);
    expect(found[1].message).toMatch(/no PeerAuthentication applies, so Istio's default PERMISSIVE holds/);
    expect(found[2].message).toMatch(/PeerAuthentication baz\/db sets PERMISSIVE on port 9000 \(port level\)/);
  });

  it('stays quiet under STRICT, on rules limited to STRICT ports, and for ipBlocks', () => {
    expect(analyzeFixture(NEGATIVE)).toEqual([]);
  });

  it('resolves the mode per inventory workload when the namespace has workloads', () => {
    // Both fixtures define foo/allow-sleep: read as text, the last one applies.
    const found = withCode(analyzeFixtureText(['mtls-fields-without-mtls/positive.yaml', 'reference-not-found/positive.yaml']),
      'TM_MTLS_FIELDS_WITHOUT_MTLS');
    expect(found.some((d) => /Deployment foo\/httpbin accepts plaintext/.test(d.message))).toBe(true);
  });
});

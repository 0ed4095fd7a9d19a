// TM_NAMESPACE_NOT_FOUND (istioctl IST0101, Kiali KIA0101) and TM_SERVICE_ACCOUNT_NOT_FOUND (Kiali KIA0106).
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'reference-not-found/positive.yaml';
const NEGATIVE = 'reference-not-found/negative.yaml';
const CODES = ['TM_NAMESPACE_NOT_FOUND', 'TM_SERVICE_ACCOUNT_NOT_FOUND'];

describe('TM_NAMESPACE_NOT_FOUND and TM_SERVICE_ACCOUNT_NOT_FOUND', () => {
  it('reports unknown namespaces and service accounts at the value, as warnings when the inventory is inferred', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'namespaces: [deev]')}`, 'TM_NAMESPACE_NOT_FOUND', 'warning', 'IST0101'],
      [`positive.yaml:${lineOf(POSITIVE, 'sa/slep')}`, 'TM_SERVICE_ACCOUNT_NOT_FOUND', 'warning', 'KIA0106'],
      [`positive.yaml:${lineOf(POSITIVE, 'foo/httbin')}`, 'TM_SERVICE_ACCOUNT_NOT_FOUND', 'warning', 'KIA0106'],
      [`positive.yaml:${lineOf(POSITIVE, 'values: [qa]')}`, 'TM_NAMESPACE_NOT_FOUND', 'warning', 'IST0101'],
    ]);
    expect(found[0].message).toMatch(/DENY does not deny anyone/);
    expect(found[1].message).toMatch(/service account foo\/slep/);
  });

  it('reports them as errors when the inventory is declared complete', () => {
    const found = analyzeFixture(POSITIVE, { inventory: 'complete' }).filter((d) => CODES.includes(d.code));
    expect(found).toHaveLength(4);
    expect(found.every((d) => d.severity === 'error')).toBe(true);
  });

  it('stays quiet for existing and wildcard references and for namespaces whose inventory is not in the input', () => {
    expect(analyzeFixture(NEGATIVE).filter((d) => CODES.includes(d.code))).toEqual([]);
  });

  it('does not judge references when the input has no inventory at all', () => {
    // The positive policies alone (without Namespace, ServiceAccount and Deployment objects).
    const found = analyzeFixture(POSITIVE, { inventory: 'none' }).filter((d) => CODES.includes(d.code));
    expect(found).toEqual([]);
  });
});

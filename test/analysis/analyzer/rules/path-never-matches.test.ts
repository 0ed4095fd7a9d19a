// TM_PATH_NEVER_MATCHES — no upstream code.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where, withCode } from './fixture';

const POSITIVE = 'path-never-matches/positive.yaml';
const NEGATIVE = 'path-never-matches/negative.yaml';

describe('TM_PATH_NEVER_MATCHES', () => {
  it('warns on a raw space, a query and a control character, saying what the rule then does', () => {
    const found = withCode(analyzeFixture(POSITIVE), 'TM_PATH_NEVER_MATCHES');
    expect(found.map((d) => [where(d), d.severity])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'annual report')}`, 'warning'],
      [`positive.yaml:${lineOf(POSITIVE, 'format=csv')}`, 'warning'],
      [`positive.yaml:${lineOf(POSITIVE, 'notPaths:')}`, 'warning'],
    ]);
    expect(found[0].message).toMatch(/never holds a raw space.*so the rule never allows a request on it/);
    expect(found[0].fix).toContain('"/reports/annual%20report"');
    expect(found[1].message).toMatch(/compares the path without its query.*this DENY rule never applies/);
    expect(found[1].fix).toContain('"/export"');
    expect(found[2].message).toMatch(/raw tab.*the exclusion never excludes anything/);
  });

  it('accepts percent-encoded paths, templates, prefixes and suffixes', () => {
    expect(withCode(analyzeFixture(NEGATIVE), 'TM_PATH_NEVER_MATCHES')).toEqual([]);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { collectCodes, renderErrorIndex } from '../../projenrc/error-index';
import { ERROR_CODES } from '../../src/error-codes';

const ROOT = path.join(__dirname, '..', '..');

/** Text of every test file except this one. */
function testSources(): string {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|snap)$/.test(e.name) && p !== __filename) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(path.join(ROOT, 'test'));
  return out.join('\n');
}

describe('docs/errors.md', () => {
  it('lists every code raised in src/, as generated (run `npx projen docs:errors` after adding one)', () => {
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'errors.md'), 'utf8')).toBe(renderErrorIndex(ROOT));
  });

  it('finds the codes however they are raised: thrown, in diagnostics, in analyzer checks, through helpers', () => {
    const codes = collectCodes(ROOT);
    expect(codes.size).toBeGreaterThan(150);
    expect(codes.get('TM_INVALID_NAME')?.[0].severities).toEqual(['error']);
    expect(codes.get('TM_SELECTOR_NO_WORKLOAD')?.[0]).toMatchObject({ severities: ['warning'], message: 'the policy selects no workload of the input' });
    expect(codes.get('TM_CERT_EXPIRING')?.[0]).toMatchObject({ file: 'src/pki/expiry.ts', severities: ['warning'] });
    expect(codes.get('TM_CA_INVALID_CREDENTIAL_NAME')?.[0].message).toBe('invalid credential name');
    // Chosen by a condition as the first argument of new TrustmeshError(…).
    expect(codes.get('TM_CLIENT_CREDENTIAL_KIND')?.[0].severities).toEqual(['error']);
  });

  it('the registry (src/error-codes.ts) lists exactly the codes raised in src/, sorted, each with a one-line summary', () => {
    const registered = Object.keys(ERROR_CODES);
    expect(registered).toEqual([...registered].sort());
    expect([...collectCodes(ROOT).keys()].sort()).toEqual(registered);
    for (const [code, summary] of Object.entries(ERROR_CODES)) expect(`${code}: ${/^\S[^\n]*$/.test(summary)}`).toBe(`${code}: true`);
  });

  it('renders the registry: a registered code nothing raises still gets a row', () => {
    const doc = renderErrorIndex(ROOT, new Map(), { TM_ONLY_REGISTERED: 'a summary' });
    expect(doc).toContain('| `TM_ONLY_REGISTERED` | error | a summary | — |');
  });

  it('every code is asserted by at least one test', () => {
    const tests = testSources();
    const untested = [...collectCodes(ROOT).keys()].filter((code) => !new RegExp(`\\b${code}\\b`).test(tests));
    expect(untested).toEqual([]);
  });
});

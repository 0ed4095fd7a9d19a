// docs/validation.md has the coverage table of istiod's webhook rule families: every trustmesh code
// of src/validate/webhook appears in it, with the istiod function it implements.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_CHECKS } from '../../../src/validate/webhook/validate-webhook';

const DOC = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'validation.md'), 'utf8');
const TABLE = DOC.slice(DOC.indexOf('## istiod\'s validating webhook rules'), DOC.indexOf('## The bundled schemas'));

describe('the webhook coverage table', () => {
  it('lists every rule family code', () => {
    expect(WEBHOOK_CHECKS.length).toBeGreaterThan(40);
    expect(WEBHOOK_CHECKS.map((c) => c.code).filter((code) => !TABLE.includes(`\`${code}\``))).toEqual([]);
  });

  it('names the istiod functions each family implements', () => {
    const functions = WEBHOOK_CHECKS.flatMap((c) => c.istiod.split(/, | → /)).map((f) => f.trim());
    expect(functions.filter((f) => !TABLE.includes(f.replace(/^.*\./, '')))).toEqual([]);
  });

  it('has one code per family: no two checks share a code', () => {
    const codes = WEBHOOK_CHECKS.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { parse } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { precompiledExpression, precompiledExpressionsJson } from '../../src/validate/cel-precompiled';

const SCHEMAS = path.resolve(__dirname, '../../src/schemas');
const read = (file: string): string => fs.readFileSync(path.join(SCHEMAS, file), 'utf8');

describe('precompiled CEL expressions (src/schemas/istio-cel.generated.json)', () => {
  const generated = JSON.parse(read('istio-cel.generated.json')) as { expressions: Record<string, unknown> };

  it('are exactly what parsing the expressions of src/schemas/*.generated.json gives (else run `npx projen import`)', () => {
    const documents = ['istio-crds.generated.json', 'istio-legacy-crds.generated.json'].map((f) => JSON.parse(read(f)) as unknown);
    expect(precompiledExpressionsJson(documents)).toBe(read('istio-cel.generated.json'));
  });

  it('decode to the parser\'s own expression for every source', () => {
    const sources = Object.keys(generated.expressions);
    expect(sources.length).toBeGreaterThan(30);
    for (const source of sources) expect(precompiledExpression(source), source).toStrictEqual(parse(source).expr);
  });

  it('leave any other expression to the parser', () => {
    expect(precompiledExpression('self.size() < 7')).toBeUndefined();
  });
});

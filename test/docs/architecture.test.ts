import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { findCycles, runtimeImportGraph } from '../../projenrc/import-cycles';

const ROOT = path.join(__dirname, '..', '..');

interface LintMessage {
  readonly ruleId: string | null;
  readonly message: string;
}

interface LegacyEslint {
  lintText(code: string, options: { filePath: string }): Promise<{ messages: LintMessage[] }[]>;
}

interface EslintRc {
  parser: string;
  plugins: string[];
  settings: object;
  rules: Record<string, unknown>;
  overrides: { files: string[]; rules: Record<string, unknown> }[];
}

/** The layering rules of the generated .eslintrc.json, alone (no type information needed), with eslint's own engine. */
async function lintImports(file: string, code: string): Promise<LintMessage[]> {
  // eslint 9 runs the project's .eslintrc (projen's ESLINT_USE_FLAT_CONFIG=false) through its legacy engine.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LegacyESLint } = require('eslint/use-at-your-own-risk') as { LegacyESLint: new (options: object) => LegacyEslint };
  const rc = JSON.parse(fs.readFileSync(path.join(ROOT, '.eslintrc.json'), 'utf8').replace(/^\/\/.*\n/, '')) as EslintRc;
  const eslint = new LegacyESLint({
    cwd: ROOT,
    useEslintrc: false,
    baseConfig: {
      root: true,
      parser: rc.parser,
      plugins: rc.plugins,
      settings: rc.settings,
      parserOptions: { ecmaVersion: 2022, sourceType: 'module' },
      rules: { 'import/no-restricted-paths': rc.rules['import/no-restricted-paths'] },
      overrides: rc.overrides.filter((o) => 'no-restricted-imports' in o.rules),
    },
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

/** A fixture file in a folder of src/, importing one module, and whether the layering forbids it. */
const IMPORTS: [string, string, boolean][] = [
  ['src/model/fixture.ts', '../constructs/mesh', true],
  ['src/model/fixture.ts', '../render/istio/render-istio', true],
  ['src/model/fixture.ts', '../analysis/config/load-config', true],
  ['src/model/fixture.ts', 'cdk8s', true],
  ['src/model/fixture.ts', 'constructs', true],
  ['src/model/fixture.ts', '../semantics/principal', false],
  ['src/model/fixture.ts', '../errors', false],
  ['src/semantics/fixture.ts', '../model/mesh-model', true],
  ['src/semantics/fixture.ts', '../private/canonical-json', false],
  ['src/render/istio/fixture.ts', '../../constructs/mesh', true],
  ['src/render/istio/fixture.ts', '../../analysis/evaluator/evaluate', true],
  ['src/render/istio/fixture.ts', '../../model/mesh-model', false],
  ['src/analysis/evaluator/fixture.ts', '../../constructs/mesh', true],
  ['src/analysis/evaluator/fixture.ts', '../../render/istio/render-istio', true],
  ['src/analysis/evaluator/fixture.ts', 'cdk8s', true],
  ['src/analysis/evaluator/fixture.ts', '../access/request-classes', true],
  ['src/analysis/evaluator/fixture.ts', '../config/istio-config', false],
  ['src/analysis/config/fixture.ts', '../evaluator/evaluate', true],
  ['src/analysis/access/fixture.ts', '../matrix/matrix', true],
  ['src/analysis/access/fixture.ts', '../evaluator/evaluate', false],
  ['src/analysis/matrix/fixture.ts', '../diff/diff', true],
  ['src/analysis/diff/fixture.ts', '../matrix/matrix', false],
  ['src/analysis/analyzer/fixture.ts', '../access/request-classes', true],
  ['src/analysis/analyzer/fixture.ts', '../matrix/matrix', true],
  ['src/analysis/analyzer/fixture.ts', '../diff/diff', true],
  ['src/analysis/analyzer/fixture.ts', '../evaluator/evaluate', false],
  ['src/analysis/analyzer/fixture.ts', '../../validate/webhook/validate-webhook', false],
  ['src/constructs/fixture.ts', '../analysis/matrix/matrix', true],
  ['src/constructs/fixture.ts', '../analysis/evaluator/evaluate', true],
  ['src/constructs/fixture.ts', '../analysis/analyzer/analyzer', false],
  ['src/constructs/fixture.ts', '../../imports/security.istio.io', false],
  ['src/pki/fixture.ts', '../model/mesh-model', true],
  ['src/cli/fixture.ts', '../constructs/mesh', false],
  ['src/cli/fixture.ts', '../analysis/matrix/matrix', false],
];

describe('imports follow the layering of docs/architecture.md', () => {
  it.each(IMPORTS)('%s importing %s: forbidden = %s', async (file, specifier, forbidden) => {
    const messages = await lintImports(file, `import * as m from '${specifier}';\n\nexport const used = m;\n`);
    const layering = messages.filter((m) => m.ruleId === 'import/no-restricted-paths' || m.ruleId === 'no-restricted-imports');
    expect(layering.length > 0, JSON.stringify(messages)).toBe(forbidden);
    expect(messages.filter((m) => m.ruleId === null), 'parse errors').toEqual([]);
  }, 30_000);

  it('src/ has no import cycle at run time', () => {
    const graph = runtimeImportGraph(ROOT, 'src');
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get('src/constructs/mesh.ts')).toContain('src/constructs/mesh-namespace.ts');
    expect(findCycles(graph)).toEqual([]);
  });

  it('finds cycles, self-loops included, and ignores imports used only as types', () => {
    expect(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []], ['e', ['e']]]))).toEqual([['a', 'b', 'c'], ['e']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
    // model/mesh-spec.ts and model/edges.ts import each other's interfaces only: no runtime edge.
    const graph = runtimeImportGraph(ROOT, 'src/model');
    expect(graph.get('src/model/mesh-spec.ts')).toEqual([]);
  });

  it('docs/architecture.md has a section for every folder of src/ and every stage of src/analysis/', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const folders = (dir: string): string[] => fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory()).map((e) => `${dir}/${e.name}/`);
    const missing = [...folders('src'), ...folders('src/analysis')].filter((f) => !doc.includes(`\`${f}\``));
    expect(missing).toEqual([]);
  });
});

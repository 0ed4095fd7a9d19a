// Helpers for the analyzer rule tests: run the analyzer on fixtures under test/fixtures/analyzer/
// and find where in a fixture a finding should point.
import * as fs from 'fs';
import * as path from 'path';
import { analyze, AnalyzeOptions } from '../../../../src/analysis/analyzer/analyzer';
import { loadConfig, mergeConfigs, parseConfigText } from '../../../../src/analysis/config/load-config';
import { Diagnostic } from '../../../../src/errors';

/** The analyzer fixtures directory. */
export const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures', 'analyzer');

/** Absolute path of a fixture file. */
export function fixture(...segments: string[]): string {
  return path.join(FIXTURES, ...segments);
}

/** Analyzes fixture files (relative to the fixtures directory). */
export function analyzeFixture(files: string | readonly string[], options: AnalyzeOptions = {}): Diagnostic[] {
  const list = typeof files === 'string' ? [files] : files;
  return analyze(loadConfig(list.map((f) => fixture(f))), options);
}

/**
 * Analyzes fixture files read through the library's text parser, which (unlike `loadConfig` and
 * the CLI) accepts one object defined twice, as the last one applied: for the rules' handling of
 * several clusters' outputs put together.
 */
export function analyzeFixtureText(files: string | readonly string[], options: AnalyzeOptions = {}): Diagnostic[] {
  const list = typeof files === 'string' ? [files] : files;
  return analyze(mergeConfigs(list.map((f) => parseConfigText(fs.readFileSync(fixture(f), 'utf8'), fixture(f)))), options);
}

/** The findings with a code. */
export function withCode(findings: readonly Diagnostic[], code: string): Diagnostic[] {
  return findings.filter((d) => d.code === code);
}

/** The 1-based line of the `nth` non-comment line of a fixture containing `needle` (fails when there is none). */
export function lineOf(file: string, needle: string, nth = 1): number {
  const lines = fs.readFileSync(fixture(file), 'utf8').split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trimStart().startsWith('#') && lines[i].includes(needle) && ++seen === nth) return i + 1;
  }
  throw new Error(`"${needle}" (occurrence ${nth}) not found in ${file}`);
}

/** `line:column` of a finding, plus its file's base name. */
export function where(d: Diagnostic): string {
  return `${path.basename(d.location?.file ?? '?')}:${d.location?.line}`;
}

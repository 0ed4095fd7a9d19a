/**
 * `tsx projenrc/precompile-cel.ts <out.json> <schemas.json>...`: parses every CEL expression of the
 * committed CRD schema documents into the JSON trustmesh reads instead of parsing them at run time
 * (src/validate/cel-precompiled.ts). Run by `npx projen import`, after the schemas are extracted.
 */
import * as fs from 'fs';
import { precompiledExpressionsJson } from '../src/validate/cel-precompiled';

function main(argv: readonly string[]): number {
  const [output, ...inputs] = argv;
  if (!output || inputs.length === 0) {
    process.stderr.write('usage: tsx projenrc/precompile-cel.ts <out.json> <schemas.json>...\n');
    return 2;
  }
  const json = precompiledExpressionsJson(inputs.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as unknown));
  fs.writeFileSync(output, json);
  process.stdout.write(`${output}: ${Object.keys((JSON.parse(json) as { expressions: object }).expressions).length} expressions\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));

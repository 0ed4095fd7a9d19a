/**
 * `tsx projenrc/extract-crd-schemas.ts <crd.yaml> <out.json>`: extracts the validation schemas of
 * every CRD in an Istio CRD file into the committed JSON that trustmesh validates against at run
 * time (the product never reads ../shared). Run by `npx projen import`.
 */
import * as fs from 'fs';
import { crdDocumentJson, extractCrdDocument } from '../src/validate/crd-document';

function main(argv: readonly string[]): number {
  const [input, output] = argv;
  if (!input || !output) {
    process.stderr.write('usage: tsx projenrc/extract-crd-schemas.ts <crd.yaml> <out.json>\n');
    return 2;
  }
  const document = extractCrdDocument(fs.readFileSync(input, 'utf8'), input, 'Apache-2.0, istio/istio');
  fs.writeFileSync(output, crdDocumentJson(document));
  process.stdout.write(`${output}: ${document.crds.length} CRDs from ${input}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));

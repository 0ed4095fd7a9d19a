// Shared helpers of the validate tests: the reference CRD file and small object builders.
import * as fs from 'fs';
import * as path from 'path';
import type { Diagnostic } from '../../src/errors';
import { CrdSchemaSet } from '../../src/validate/crd-schema';
import { validateManifests } from '../../src/validate/manifest-validator';

/** The Istio 1.30.3 CRD file the bundled schemas are generated from (tests may read ../shared). */
export const CRD_FILE = path.resolve(__dirname, '../../../shared/istio/crd-all-1.30.3.gen.yaml');

let fromFile: CrdSchemaSet | undefined;

/** The schema set parsed at run time from the reference CRD file (parsed once per test file). */
export function crdsFromFile(): CrdSchemaSet {
  fromFile ??= CrdSchemaSet.fromCrdYaml(fs.readFileSync(CRD_FILE, 'utf8'), CRD_FILE);
  return fromFile;
}

/** Both ways of getting the 1.30.3 schemas; verdicts must not depend on which is used. */
export const SCHEMA_SETS: ReadonlyArray<[string, () => CrdSchemaSet]> = [
  ['bundled', () => CrdSchemaSet.bundled()],
  ['fromCrdYaml', crdsFromFile],
];

/** An object of an Istio kind in namespace `ns`. */
export function istio(kind: string, spec: unknown, apiVersion = defaultApiVersion(kind), name = 'x'): Record<string, unknown> {
  return { apiVersion, kind, metadata: { name, namespace: 'ns' }, spec };
}

function defaultApiVersion(kind: string): string {
  return ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'].includes(kind)
    ? 'security.istio.io/v1'
    : 'networking.istio.io/v1';
}

/** The diagnostics of validating one object with a schema set (`webhook: false`: the CRD's own rules only). */
export function check(object: object, crds?: CrdSchemaSet, options: { readonly webhook?: boolean } = {}): Diagnostic[] {
  return validateManifests([object], { crds, webhook: options.webhook });
}

/** `code path: message` lines, handy in assertions and failure output. */
export function summary(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.code} ${d.location?.field ?? ''}: ${d.message}`);
}

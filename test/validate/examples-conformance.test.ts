// The conformance test of the issue: all example output validates against the Istio 1.30.3 CRD file
// (../shared, read at test time), including its x-kubernetes-validations CEL rules, and against the
// bundled schemas the product uses at run time.
import { describe, expect, it } from 'vitest';
import type { TrustmeshApp } from '../../src/constructs/trustmesh-app';
import { bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh } from '../../src/examples';
import { validateManifests } from '../../src/validate/manifest-validator';
import { tempApp } from '../helpers';
import { SCHEMA_SETS, summary } from './helpers';

const EXAMPLES: ReadonlyArray<[string, (app: TrustmeshApp) => unknown]> = [
  ['micro-shake-factory', microShakeFactoryMesh],
  ['bookinfo', bookinfoMesh],
  ['foo-httpbin', fooHttpbinMesh],
];

describe.each(EXAMPLES)('example %s', (_name, define) => {
  // The app's own validator is replaced so this test sees every object, whatever is installed.
  const app = tempApp({ validator: () => [] });
  define(app);
  const records = app.synthOutput().manifests;

  it.each(SCHEMA_SETS)('validates against the %s 1.30.3 schemas with no error or warning', (_setName, crds) => {
    expect(records.length).toBeGreaterThan(0);
    const diagnostics = validateManifests(records.map((r) => r.manifest), {
      crds: crds(),
      sources: (i) => ({ file: records[i].file, constructPath: records[i].constructPath }),
    });
    expect(summary(diagnostics)).toEqual([]);
  });

  it('contains Istio security objects, so the CEL rules were exercised', () => {
    const kinds = new Set(records.map((r) => r.manifest.kind));
    expect([...kinds].filter((k) => ['AuthorizationPolicy', 'PeerAuthentication'].includes(String(k)))).not.toHaveLength(0);
  });
});

// The legacy examples (issue 13): synthesized for Istio 1.4 / 1.0 and for 1.30 from the same
// intentions, their access matrices are equal (`trustmesh diff` as a real child process, from the
// compiled lib/: `npx tsc --build` first), and every legacy object validates against Istio 1.5.10's
// schemas for its kind.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/analysis/config/load-config';
import { createEvaluator } from '../../src/analysis/evaluator/evaluate';
import { TrustmeshApp } from '../../src/constructs/trustmesh-app';
import { bookinfoLegacyMesh, microShakeFactoryLegacyMesh } from '../../src/examples/legacy';
import { AccessRequest } from '../../src/semantics/access-request';
import { CrdSchemaSet } from '../../src/validate/crd-schema';
import { validateManifests } from '../../src/validate/manifest-validator';
import { MAIN, runCli } from '../cli/cli-runner';

type Example = typeof microShakeFactoryLegacyMesh;

function synthTo(dir: string, example: Example, istioVersion: string): void {
  const app = new TrustmeshApp({ outdir: dir, secretsOutdir: path.join(dir, '.secrets') });
  example(app, { istioVersion, name: 'example' });
  app.synth();
}

function objectsIn(dir: string): Record<string, unknown>[] {
  const files = fs.readdirSync(path.join(dir, 'example')).filter((f) => f.endsWith('.yaml'));
  return files.flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, 'example', f), 'utf8')).map((d) => d.toJS() as Record<string, unknown>));
}

describe.each([
  ['micro-shake-factory', microShakeFactoryLegacyMesh, '1.4'],
  ['bookinfo', bookinfoLegacyMesh, '1.0'],
] as const)('the %s example on Istio %s', (_name, example, legacy) => {
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-legacy-'));
    synthTo(path.join(dir, 'legacy'), example, legacy);
    synthTo(path.join(dir, 'v1'), example, '1.30');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('uses the legacy APIs only', () => {
    const apiVersions = new Set(objectsIn(path.join(dir, 'legacy')).map((o) => o.apiVersion as string));
    expect([...apiVersions].filter((v) => /istio\.io/.test(v)).sort()).toEqual(
      ['authentication.istio.io/v1alpha1', 'networking.istio.io/v1alpha3', 'rbac.istio.io/v1alpha1'],
    );
  });

  it('validates against the Istio 1.5.10 schemas of the legacy kinds', () => {
    const istio = objectsIn(path.join(dir, 'legacy')).filter((o) => /istio\.io/.test(o.apiVersion as string));
    expect(validateManifests(istio, { crds: CrdSchemaSet.bundledLegacy(), webhook: false })).toEqual([]);
  });

  it('decides every request between its services as the 1.30 output of the same intentions does (evaluator on both outputs)', () => {
    const app = new TrustmeshApp({ outdir: path.join(dir, 'model') });
    const model = example(app, { istioVersion: legacy, name: 'example' }).model;
    const v1 = createEvaluator(loadConfig(path.join(dir, 'v1')));
    const old = createEvaluator(loadConfig(path.join(dir, 'legacy')));
    const td = model.spec.trustDomain;
    const sources = [
      null,
      ...model.spec.services.map((s) => `${td}/ns/${s.namespace}/sa/${s.serviceAccount}`),
      `${td}/ns/istio-system/sa/istio-ingressgateway-service-account`,
    ];
    const tokens = [null, { status: 'valid', claims: { iss: 'istio-succinctly.io', sub: 'alice', role: 'learner' } },
      { status: 'valid', claims: { iss: 'istio-succinctly.io', sub: 'bob', role: 'chef' } }];
    let compared = 0;
    for (const dest of model.spec.services) {
      for (const port of dest.ports) {
        for (const principal of sources) {
          for (const jwt of tokens) {
            for (const method of ['GET', 'POST']) {
              const request = {
                protocol: 'HTTP',
                source: { principal, namespace: principal ? principal.split('/')[2] : null, ip: '10.1.2.3' },
                destination: { namespace: dest.namespace, labels: { ...dest.labels }, port: port.targetPort },
                jwt,
                method,
                path: '/api/x',
                headers: {},
              } as unknown as AccessRequest;
              const [a, b] = [v1.evaluate(request), old.evaluate(request)];
              compared++;
              expect({ request, allowed: b.allowed, why: b.explanation }).toEqual({ request, allowed: a.allowed, why: expect.anything() });
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThanOrEqual(48);
  });

  // `trustmesh diff` reads the legacy kinds through their conversion (src/analysis/convert). The one
  // inherent difference it reports is on stderr: 1.0–1.4 clients originate mTLS only where a
  // DestinationRule says ISTIO_MUTUAL (automatic mTLS is 1.5+), so the legacy output carries the
  // client-TLS DestinationRules the 1.30 output does not need, and the analysis — which assumes
  // clients originate mTLS towards sidecars, as automatic mTLS does — names them as not modelled.
  it('allows exactly what the 1.30 output of the same intentions allows (trustmesh diff shows no change; the client-TLS DestinationRules are named as not modelled)', () => {
    const r = runCli(['diff', path.join(dir, 'v1'), path.join(dir, 'legacy'), '--fail-on', 'any']);
    const destinationRules = objectsIn(path.join(dir, 'legacy')).filter((o) => o.kind === 'DestinationRule');
    expect(destinationRules.map((o) => (o.spec as { trafficPolicy: { tls: { mode: string } } }).trafficPolicy.tls.mode)).toContain('ISTIO_MUTUAL');
    expect(objectsIn(path.join(dir, 'v1')).filter((o) => o.kind === 'DestinationRule')).toEqual([]);
    const n = destinationRules.length;
    const stderr = r.stderr.split(path.join(dir, 'legacy')).join('<legacy>').split('\n');
    expect(stderr[0]).toMatch(/^<legacy>\/example\/[a-z-]+\.policy\.k8s\.yaml:\d+:1: warning TM_KIND_NOT_MODELLED: /);
    expect(stderr.slice(0, 3).map((l) => l.replace(/^.*? warning /, 'warning '))).toEqual([
      `warning TM_KIND_NOT_MODELLED: ignored ${n} DestinationRule object${n === 1 ? '' : 's'} (networking.istio.io/v1alpha3): not modelled by the analysis`,
      '  fix: Decisions, the matrix and the diff do not account for these objects; review their effect by hand.',
      '',
    ]);
    expect(stderr).toHaveLength(3);
    expect(r.stdout).toBe('### Access changes\n\nNo change in who may access what.\n');
    expect(r.code).toBe(0);
  });
});

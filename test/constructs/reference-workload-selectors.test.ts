import { describe, expect, test } from 'vitest';
import { ManifestRecord } from '../../src';
import { bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh } from '../../src/examples';
import { tempApp } from '../helpers';

type Labels = Record<string, string>;

function matches(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The Deployment records of the synth, with their pod labels. */
function deployments(records: readonly ManifestRecord[]) {
  return records.filter((r) => r.manifest.kind === 'Deployment').map((r) => {
    const m = r.manifest as any;
    const podLabels = m.spec.template.metadata.labels as Labels;
    return { path: r.constructPath, name: m.metadata.name as string, namespace: m.metadata.namespace as string, podLabels };
  });
}

describe.each([
  ['bookinfo', bookinfoMesh],
  ['micro-shake-factory', microShakeFactoryMesh],
  ['foo-httpbin', fooHttpbinMesh],
])('example %s: selectors select exactly the intended reference workload', (_name, define) => {
  const app = tempApp();
  define(app);
  const records = app.synthOutput().manifests;
  const pods = deployments(records);

  test('every service has its reference workload', () => {
    expect(pods.length).toBeGreaterThan(0);
  });

  test('each Istio policy selects exactly the Deployment of the service that declares it', () => {
    // Workload selectors (`selector.matchLabels`); a Gateway's `selector` picks the gateway pods Istio installs, not a reference workload.
    const selecting = records.filter((r) => String(r.manifest.apiVersion).includes('istio.io') && (r.manifest.spec as any)?.selector?.matchLabels);
    expect(selecting.length).toBeGreaterThan(0);
    for (const r of selecting) {
      const m = r.manifest as any;
      const owner = r.constructPath.split('/').slice(0, -1).join('/');
      const selected = pods.filter((p) => p.namespace === m.metadata.namespace && matches(m.spec.selector.matchLabels, p.podLabels));
      expect(selected.map((p) => p.path), `${m.kind} ${m.metadata.name}`).toEqual([`${owner}/Workload/Deployment/Resource`]);
    }
  });

  test('each Service and each Deployment selects only its own pods', () => {
    for (const r of records.filter((x) => x.manifest.kind === 'Service' || x.manifest.kind === 'Deployment')) {
      const m = r.manifest as any;
      const selector: Labels = m.kind === 'Service' ? m.spec.selector : m.spec.selector.matchLabels;
      const selected = pods.filter((p) => p.namespace === m.metadata.namespace && matches(selector, p.podLabels));
      expect(selected.map((p) => p.name), `${m.kind} ${m.metadata.name}`).toEqual([m.metadata.name]);
    }
  });
});

// PeerAuthentication conflicts — Kiali KIA0002 and KIA0003; root-namespace selectors are ignored.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, analyzeFixtureText, lineOf, where } from './fixture';
import { analyze } from '../../../../src/analysis/analyzer/analyzer';
import { parseConfigText } from '../../../../src/analysis/config/load-config';
import { catchTrustmesh } from '../../../helpers';

const POSITIVE = 'peer-authentication-conflicts/positive.yaml';
const NEGATIVE = 'peer-authentication-conflicts/negative.yaml';

describe('PeerAuthentication conflicts', () => {
  it('reports the losing policies of a namespace and of a workload, and a root-namespace selector', () => {
    const found = analyzeFixture(POSITIVE);
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'name: permissive') - 2}`, 'TM_PEER_AUTHN_NAMESPACE_CONFLICT', 'error', 'KIA0002'],
      [`positive.yaml:${lineOf(POSITIVE, 'selector:', 2)}`, 'TM_PEER_AUTHN_WORKLOAD_CONFLICT', 'error', 'KIA0003'],
      [`positive.yaml:${lineOf(POSITIVE, 'selector:', 3)}`, 'TM_PEER_AUTHN_ROOT_SELECTOR_IGNORED', 'warning', undefined],
    ]);
    expect(found[0].message).toMatch(/foo\/permissive is one of 2 selector-less PeerAuthentications in namespace foo .*only the oldest applies \(default/);
    expect(found[1].message).toMatch(/foo\/httpbin-b selects the same workloads as httpbin-a/);
  });

  it('stays quiet for one policy per level, and for the same object listed twice', () => {
    expect(analyzeFixtureText(NEGATIVE)).toEqual([]);
    // The fixture defines one PeerAuthentication twice: read from paths, that is an input error.
    expect(catchTrustmesh(() => analyzeFixture(NEGATIVE)).code).toBe('TM_DUPLICATE_OBJECT');
  });

  it('with workloads in the input, detects different selectors that match the same workload', () => {
    const pas = ['httpbin', 'v1'].map((name) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${name}, namespace: foo}
spec:
  selector:
    matchLabels: {${name === 'v1' ? 'version: v1' : 'app: httpbin'}}
  mtls: {mode: STRICT}`).join('\n---\n');
    const workload = `apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin-v1, namespace: foo}
spec:
  template:
    metadata:
      labels: {app: httpbin, version: v1}
    spec:
      containers: [{name: httpbin, image: kennethreitz/httpbin}]`;
    const withWorkload = analyze(parseConfigText(`${pas}\n---\n${workload}`, 'pa.yaml'));
    expect(withWorkload.map((d) => [d.code, d.message.split(' selects')[0]])).toEqual([
      ['TM_PEER_AUTHN_WORKLOAD_CONFLICT', 'PeerAuthentication foo/v1'],
    ]);
    expect(analyze(parseConfigText(pas, 'pa.yaml'))).toEqual([]);
  });
});

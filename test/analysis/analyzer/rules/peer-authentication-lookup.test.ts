// perf6: the mTLS rules resolve PeerAuthentication on their own (once per namespace where labels
// cannot matter); the answer must be the evaluator's for every workload.
import { describe, expect, it } from 'vitest';
import { namespacePeerAuthentication, peerAuthenticationFor } from '../../../../src/analysis/analyzer/rules/peer-authentication-lookup';
import { RuleContext } from '../../../../src/analysis/analyzer/rules/rule-types';
import { parseConfigText } from '../../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG } from '../../../../src/analysis/config/mesh-config';
import { createEvaluator } from '../../../../src/analysis/evaluator/evaluate';

const pa = (namespace: string, name: string, spec: string, extra = ''): string =>
  `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: ${name}, namespace: ${namespace}${extra}}\nspec: ${spec}\n`;

describe('peerAuthenticationFor', () => {
  it('equals evaluator.policiesFor(…).peerAuthentication: mesh, namespace, workload and port levels, shadowed ones', () => {
    const config = parseConfigText([
      pa('istio-system', 'mesh', '{mtls: {mode: STRICT}}'),
      pa('istio-system', 'root-selector', '{selector: {matchLabels: {app: a}}, mtls: {mode: DISABLE}}'),
      pa('plain', 'ns', '{mtls: {mode: PERMISSIVE}}'),
      pa('plain', 'ns-older', '{mtls: {mode: DISABLE}}', ', creationTimestamp: "2020-01-01T00:00:00Z"'),
      pa('selecting', 'wl', '{selector: {matchLabels: {app: a}}, mtls: {mode: DISABLE}, portLevelMtls: {"8080": {mode: STRICT}}}'),
      pa('selecting', 'wl2', '{selector: {matchLabels: {app: b}}, mtls: {mode: UNSET}, portLevelMtls: {"9090": {mode: PERMISSIVE}}}'),
    ].join('---\n'), 'pa.yaml');
    const evaluator = createEvaluator(config, DEFAULT_MESH_CONFIG, { allowInvalidConfig: true });
    const context = { config, mesh: DEFAULT_MESH_CONFIG, evaluator } as unknown as RuleContext;
    let checked = 0;
    for (const namespace of ['istio-system', 'plain', 'selecting', 'none']) {
      for (const labels of [{}, { app: 'a' }, { app: 'b' }, { app: 'a', v: '1' }] as Record<string, string>[]) {
        expect(peerAuthenticationFor(context, namespace, labels)).toEqual(evaluator.policiesFor(namespace, labels).peerAuthentication);
        checked++;
      }
    }
    expect(checked).toBe(16);
    // Where labels cannot matter, one answer for the namespace: the one every workload there gets.
    for (const namespace of ['plain', 'none', 'selecting']) {
      const shared = namespacePeerAuthentication(context, namespace);
      if (namespace === 'selecting') expect(shared).toBeUndefined();
      else for (const labels of [{}, { app: 'a' }] as Record<string, string>[]) expect(shared).toEqual(evaluator.policiesFor(namespace, labels).peerAuthentication);
    }
    expect(peerAuthenticationFor(context, 'selecting', { app: 'a' }).mode).toBe('DISABLE');
    // A manifest without creationTimestamp counts as the oldest: it wins over the dated one.
    expect(peerAuthenticationFor(context, 'plain', {}).mode).toBe('PERMISSIVE');
    expect(peerAuthenticationFor(context, 'plain', {}).shadowed.map((p) => p.metadata.name)).toEqual(['ns-older']);
  });
});

// What the analysis says about its input: kinds it does not model are reported once per kind with
// the count (issue 14 §2: "never silently dropped"), and policies in a root-like namespace get a hint.
// AdminNetworkPolicy / BaselineAdminNetworkPolicy (sig-network's policy.networking.k8s.io API,
// https://network-policy-api.sigs.k8s.io/api-overview/) are not modelled: reported, not decided.
import { describe, expect, it } from 'vitest';
import { unmodelledKindWarnings, rootNamespaceHints } from '../../../src/analysis/config/input-notes';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';

const INPUT = `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: deny-dev }
spec: { priority: 10, subject: { namespaces: {} }, ingress: [] }
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: allow-monitoring }
spec: { priority: 20, subject: { namespaces: {} }, ingress: [] }
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: { name: default }
spec: { subject: { namespaces: {} }, ingress: [] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: shop }
spec: { podSelector: {}, policyTypes: [Ingress] }
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: deny-all, namespace: istio-config }
spec: {}
`;

describe('input notes', () => {
  const config = parseConfigText(INPUT, 'input.yaml');

  it('reports AdminNetworkPolicy and BaselineAdminNetworkPolicy as not modelled, once per kind with the count and the first one\'s line', () => {
    expect(unmodelledKindWarnings(config).map((d) => [d.code, d.message, d.location?.line])).toEqual([
      ['TM_KIND_NOT_MODELLED', 'ignored 2 AdminNetworkPolicy objects (policy.networking.k8s.io/v1alpha1): not modelled by the analysis', 2],
      ['TM_KIND_NOT_MODELLED', 'ignored 1 BaselineAdminNetworkPolicy object (policy.networking.k8s.io/v1alpha1): not modelled by the analysis', 12],
    ]);
  });

  it('hints at the root namespace for a policy in istio-config when the root is istio-system', () => {
    expect(rootNamespaceHints(config, DEFAULT_MESH_CONFIG).map((d) => [d.code, d.fix])).toEqual([
      ['TM_ROOT_NAMESPACE_HINT', 'If istio-config is your mesh\'s root namespace, pass --mesh-config with "rootNamespace: istio-config".'],
    ]);
  });
});

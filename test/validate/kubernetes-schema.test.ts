import { describe, expect, it } from 'vitest';
import { check, istio, summary } from './helpers';
import { findCoreKind } from '../../src/validate/kubernetes-schema';
import { checkName } from '../../src/validate/object-metadata';

function deployment(spec: Record<string, unknown> = {}, name = 'web'): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { serviceAccountName: 'web', containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] },
      },
      ...spec,
    },
  };
}

const core = (apiVersion: string, kind: string, metadata: object, rest: object = {}): object => ({ apiVersion, kind, metadata, ...rest });

describe('core Kubernetes kinds', () => {
  it('a valid Deployment, Service, ServiceAccount, ConfigMap, Secret and Namespace pass', () => {
    const objects = [
      deployment(),
      core('v1', 'Service', { name: 'web', namespace: 'shop' }, { spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } }),
      core('v1', 'ServiceAccount', { name: 'web', namespace: 'shop' }),
      core('v1', 'ConfigMap', { name: 'web.config', namespace: 'shop' }, { data: { key: 'value' } }),
      core('v1', 'Secret', { name: 'web-tls', namespace: 'shop' }, { type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'x', 'tls.key': 'y' } }),
      core('v1', 'Namespace', { name: 'shop', labels: { 'istio-injection': 'enabled' } }),
    ];
    for (const o of objects) expect(summary(check(o)), JSON.stringify(o)).toEqual([]);
  });

  it('a Deployment with replicas: "two" fails with the path and the value', () => {
    const d = check(deployment({ replicas: 'two' }));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: 'TM_K8S_SCHEMA_INVALID', severity: 'error', location: { field: 'spec.replicas' } });
    expect(d[0].message).toMatch(/^Deployment shop\/web: spec\.replicas: must be integer; received "two"$/);
  });

  it('a Deployment without a selector fails on the missing field', () => {
    const bad = deployment();
    delete (bad.spec as Record<string, unknown>).selector;
    expect(summary(check(bad))).toEqual([expect.stringMatching(/^TM_K8S_SCHEMA_INVALID spec\.selector: Deployment shop\/web: spec\.selector: required field "selector" is missing$/)]);
  });

  it('a Service port that is not a number fails', () => {
    const svc = core('v1', 'Service', { name: 'web', namespace: 'shop' }, { spec: { ports: [{ port: 'http' }] } });
    expect(summary(check(svc))).toEqual([expect.stringMatching(/^TM_K8S_SCHEMA_INVALID spec\.ports\[0\]\.port: .*must be integer; received "http"/)]);
  });

  it('only validates the kinds it knows', () => {
    expect(findCoreKind('apps/v1', 'Deployment')).toMatchObject({ namespaced: true, nameRule: 'dns1123-subdomain' });
    expect(findCoreKind('v1', 'Namespace')).toMatchObject({ namespaced: false, nameRule: 'dns1123-label' });
    expect(findCoreKind('v1', 'Service')).toMatchObject({ nameRule: 'dns1035-label' });
    expect(findCoreKind('apps/v1', 'Deploymnet')).toBeUndefined();
    // A nested type of the package, not a kind.
    expect(findCoreKind('v1', 'Container')).toBeUndefined();
    expect(findCoreKind('gateway.networking.k8s.io/v1', 'Gateway')).toBeUndefined();
    expect(findCoreKind('../../etc', 'Passwd')).toBeUndefined();
    // Groups kubernetes-models does not export are answered from its exports map, without a require.
    expect(findCoreKind('security.istio.io/v1', 'AuthorizationPolicy')).toBeUndefined();
    expect(findCoreKind('apps/v9', 'Deployment')).toBeUndefined();
    expect(findCoreKind('batch/v1', 'Job')).toMatchObject({ namespaced: true, nameRule: 'path-segment' });
    expect(findCoreKind('policy/v1', 'PodDisruptionBudget')).toMatchObject({ namespaced: true });
  });

  it('validates every other built-in kind kubernetes-models has a model for, with its scope', () => {
    expect(findCoreKind('v1', 'Pod')).toMatchObject({ namespaced: true, nameRule: 'path-segment' });
    expect(findCoreKind('v1', 'Node')).toMatchObject({ namespaced: false });
    expect(findCoreKind('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration')).toMatchObject({ namespaced: false });
    expect(findCoreKind('rbac.authorization.k8s.io/v1', 'ClusterRole')).toMatchObject({ namespaced: false, nameRule: 'path-segment' });
    // RBAC names such as system:controller:x are not DNS names, and are valid.
    const role = core('rbac.authorization.k8s.io/v1', 'ClusterRole', { name: 'system:controller:x' }, { rules: [] });
    expect(summary(check(role))).toEqual([]);
    const pod = core('v1', 'Pod', { name: 'web-0', namespace: 'shop' }, { spec: { containers: [{ name: 'app', image: 'x', ports: [{ containerPort: 'http' }] }] } });
    expect(summary(check(pod))).toEqual([expect.stringMatching(/^TM_K8S_SCHEMA_INVALID spec\.containers\[0\]\.ports\[0\]\.containerPort: .*must be integer/)]);
    const node = core('v1', 'Node', { name: 'n1', namespace: 'shop' }, {});
    expect(summary(check(node))).toEqual([expect.stringMatching(/^TM_INVALID_METADATA metadata\.namespace: .*cluster-scoped/)]);
  });
});

describe('metadata', () => {
  it('names follow the rule of their kind', () => {
    expect(checkName('web.config', 'dns1123-subdomain')).toBeUndefined();
    expect(checkName('web.config', 'dns1123-label')).toMatch(/not a DNS-1123 label/);
    expect(checkName('1web', 'dns1123-label')).toBeUndefined();
    expect(checkName('1web', 'dns1035-label')).toMatch(/not a DNS-1035 label/);
    expect(checkName('a'.repeat(64), 'dns1123-label')).toMatch(/longer than 63/);
    expect(checkName('a'.repeat(254), 'dns1123-subdomain')).toMatch(/longer than 253/);
    expect(checkName('-web', 'dns1123-subdomain')).toMatch(/not a DNS-1123 subdomain/);
  });

  it('bad names fail with TM_INVALID_METADATA, for core and Istio kinds', () => {
    const cases: Array<[object, RegExp]> = [
      [core('v1', 'ConfigMap', { name: 'Bad_Name', namespace: 'shop' }), /metadata\.name: is not a DNS-1123 subdomain; received "Bad_Name"/],
      [core('v1', 'Service', { name: 'web.v1', namespace: 'shop' }, { spec: {} }), /metadata\.name: is not a DNS-1035 label; received "web\.v1"/],
      [core('v1', 'Service', { name: '9web', namespace: 'shop' }, { spec: {} }), /metadata\.name: is not a DNS-1035 label/],
      [core('v1', 'Namespace', { name: 'team.a' }), /metadata\.name: is not a DNS-1123 label/],
      [core('v1', 'ServiceAccount', { name: 'sa', namespace: 'Prod' }), /metadata\.namespace: is not a valid namespace name; received "Prod"/],
      [core('v1', 'Namespace', { name: 'shop', namespace: 'default' }), /metadata\.namespace: must not be set: this kind is cluster-scoped/],
      [core('v1', 'ServiceAccount', { namespace: 'shop' }), /metadata\.name: is missing/],
      [istio('AuthorizationPolicy', {}, undefined, 'Allow_All'), /AuthorizationPolicy ns\/Allow_All: metadata\.name: is not a DNS-1123 subdomain/],
      [{ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', spec: {} }, /metadata: is missing/],
    ];
    for (const [object, pattern] of cases) {
      const d = check(object);
      expect(d.map((x) => x.code), JSON.stringify(object)).toEqual(['TM_INVALID_METADATA']);
      expect(d[0].message).toMatch(pattern);
    }
  });

  it('labels and annotations follow the qualified-name rules', () => {
    const sa = core('v1', 'ServiceAccount', {
      name: 'sa',
      namespace: 'shop',
      labels: { 'app.kubernetes.io/name': 'ok', 'bad key': 'v', 'team': 'has space', 'Example.com/x': 'v' },
      annotations: { 'istio.io/dry-run': 'true', 'ok': 'any value at all, spaces included' },
    });
    expect(summary(check(sa))).toEqual([
      expect.stringMatching(/metadata\.labels\[bad key\]: .*label key is not a valid qualified name/),
      expect.stringMatching(/metadata\.labels\[team\]: .*is not a valid label value; received "has space"/),
      expect.stringMatching(/metadata\.labels\[Example\.com\/x\]: .*label key has a prefix that is not a DNS-1123 subdomain/),
    ]);
  });
});

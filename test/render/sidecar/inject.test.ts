import { describe, expect, test } from 'vitest';
import { fixture, goldenSettings, helloPod } from './fixtures';
import { Container, PodTemplate } from '../../../src/model/pod-types';
import { injectSidecar, renderInjection } from '../../../src/render/sidecar/inject';

const expected = fixture<PodTemplate>('hello.native.injected.yaml');

function container(pod: PodTemplate, name: string, init = false): Container {
  const list = init ? pod.spec.initContainers ?? [] : pod.spec.containers;
  const found = list.find((c) => c.name === name);
  if (!found) throw new Error(`no ${init ? 'init ' : ''}container ${name} in [${list.map((c) => c.name).join(', ')}]`);
  return found;
}

describe('injectSidecar reproduces kube-inject (native sidecar, reference §5)', () => {
  const { pod, workload } = helloPod();
  const injected = injectSidecar(pod, workload, goldenSettings());

  test('pod labels: tlsMode and canonical name/revision added, the app labels kept', () => {
    expect(injected.metadata.labels).toEqual(expected.metadata.labels);
  });

  test('pod annotations, including the sidecar.istio.io/status the webhook uses to skip the pod', () => {
    expect(injected.metadata.annotations).toEqual(expected.metadata.annotations);
  });

  test('init containers come in order istio-init, then istio-proxy as a native sidecar', () => {
    expect((injected.spec.initContainers ?? []).map((c) => c.name)).toEqual(['istio-init', 'istio-proxy']);
    expect(injected.spec.containers.map((c) => c.name)).toEqual(['hello']);
  });

  const fields = ['image', 'args', 'resources', 'securityContext', 'restartPolicy'] as const;
  test.each(fields)('istio-init %s', (field) => {
    expect(container(injected, 'istio-init', true)[field]).toEqual(container(expected, 'istio-init', true)[field]);
  });

  const proxyFields = ['image', 'restartPolicy', 'args', 'lifecycle', 'ports', 'readinessProbe', 'startupProbe', 'resources', 'securityContext', 'volumeMounts'] as const;
  test.each(proxyFields)('istio-proxy %s', (field) => {
    expect(container(injected, 'istio-proxy', true)[field]).toEqual(container(expected, 'istio-proxy', true)[field]);
  });

  test('istio-proxy env, variable by variable and in order', () => {
    const actual = container(injected, 'istio-proxy', true).env ?? [];
    const want = container(expected, 'istio-proxy', true).env ?? [];
    expect(actual.map((e) => e.name)).toEqual(want.map((e) => e.name));
    for (const [i, e] of want.entries()) expect(actual[i]).toEqual(e);
  });

  test('the nine volumes, with the projected istio-token for audience istio-ca', () => {
    expect(injected.spec.volumes).toEqual(expected.spec.volumes);
    const token = injected.spec.volumes?.find((v) => v.name === 'istio-token');
    expect(token?.projected?.sources[0].serviceAccountToken).toEqual({ audience: 'istio-ca', expirationSeconds: 43200, path: 'istio-token' });
  });

  test('the whole pod equals the fixture', () => {
    expect(injected).toEqual(expected);
  });

  test('injecting an injected pod changes nothing (the webhook skips pods with a status)', () => {
    expect(injectSidecar(injected, workload, goldenSettings())).toBe(injected);
  });
});

describe('injectSidecar variants', () => {
  const { pod, workload } = helloPod();

  test('classic sidecar: istio-proxy is the last container and the status lists it as a container', () => {
    const injected = injectSidecar(pod, workload, goldenSettings({ nativeSidecar: false }));
    expect(injected.spec.containers.map((c) => c.name)).toEqual(['hello', 'istio-proxy']);
    expect((injected.spec.initContainers ?? []).map((c) => c.name)).toEqual(['istio-init']);
    const proxy = container(injected, 'istio-proxy');
    expect(proxy.restartPolicy).toBeUndefined();
    expect(proxy.lifecycle).toBeUndefined();
    expect(JSON.parse(injected.metadata.annotations?.['sidecar.istio.io/status'] ?? '')).toMatchObject({
      initContainers: ['istio-init'], containers: ['istio-proxy'],
    });
  });

  test('the pod annotation sidecar.istio.io/nativeSidecar overrides the cluster setting', () => {
    const annotated = { ...pod, metadata: { ...pod.metadata, annotations: { 'sidecar.istio.io/nativeSidecar': 'false' } } };
    const injected = injectSidecar(annotated, workload, goldenSettings({ nativeSidecar: true }));
    expect(injected.spec.containers.map((c) => c.name)).toEqual(['hello', 'istio-proxy']);
  });

  test('classic sidecar holding the app: istio-proxy moves first and waits in postStart', () => {
    const annotated = { ...pod, metadata: { ...pod.metadata, annotations: { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}' } } };
    const injected = injectSidecar(annotated, workload, goldenSettings({ nativeSidecar: false }));
    expect(injected.spec.containers.map((c) => c.name)).toEqual(['istio-proxy', 'hello']);
    const proxy = container(injected, 'istio-proxy');
    expect(proxy.lifecycle).toEqual({ postStart: { exec: { command: ['pilot-agent', 'wait'] } } });
    expect(proxy.env?.find((e) => e.name === 'PROXY_CONFIG')?.value).toBe('{"holdApplicationUntilProxyStarts":true}\n');
    // the user's annotation stays on the pod, as kube-inject keeps its input annotations
    expect(injected.metadata.annotations?.['proxy.istio.io/config']).toBe('{"holdApplicationUntilProxyStarts":true}');
  });

  test('native sidecar holding the app: only the preStop drain, as in the golden ProxyConfig file', () => {
    const annotated = { ...pod, metadata: { ...pod.metadata, annotations: { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}' } } };
    const proxy = container(injectSidecar(annotated, workload, goldenSettings()), 'istio-proxy', true);
    expect(proxy.lifecycle).toEqual({ preStop: { exec: { command: ['pilot-agent', 'request', '--debug-port=15020', 'POST', 'drain'] } } });
  });

  test('CNI: istio-validation with --run-validation --skip-rule-apply, non-root, no added capabilities, redirect annotations on the pod', () => {
    const injected = injectSidecar(pod, workload, goldenSettings({ cni: true }));
    const validation = container(injected, 'istio-validation', true);
    expect(validation.args?.slice(-3)).toEqual(['--log_output_level=default:info', '--run-validation', '--skip-rule-apply']);
    expect(validation.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 1337,
      runAsNonRoot: true,
      runAsUser: 1337,
    });
    expect(injected.metadata.annotations).toMatchObject({
      'sidecar.istio.io/interceptionMode': 'REDIRECT',
      'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
      'traffic.sidecar.istio.io/includeInboundPorts': '*',
      'traffic.sidecar.istio.io/excludeInboundPorts': '15020',
    });
    expect(JSON.parse(injected.metadata.annotations?.['sidecar.istio.io/status'] ?? '').initContainers).toEqual(['istio-validation', 'istio-proxy']);
  });

  test('TPROXY: the proxy needs NET_ADMIN and runs as root; istio-init still passes -u 1337', () => {
    const annotated = { ...pod, metadata: { ...pod.metadata, annotations: { 'sidecar.istio.io/interceptionMode': 'TPROXY' } } };
    const injected = injectSidecar(annotated, workload, goldenSettings());
    const proxy = container(injected, 'istio-proxy', true);
    expect(proxy.securityContext).toMatchObject({ capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, runAsUser: 0, runAsNonRoot: false, runAsGroup: 1337 });
    expect(proxy.env?.find((e) => e.name === 'ISTIO_META_INTERCEPTION_MODE')?.value).toBe('TPROXY');
    const args = container(injected, 'istio-init', true).args ?? [];
    expect(args.slice(args.indexOf('-u'), args.indexOf('-u') + 4)).toEqual(['-u', '1337', '-m', 'TPROXY']);
  });

  test('interceptionMode NONE with a classic sidecar: no init container at all', () => {
    const annotated = { ...pod, metadata: { ...pod.metadata, annotations: { 'sidecar.istio.io/interceptionMode': 'NONE' } } };
    const injected = injectSidecar(annotated, workload, goldenSettings({ nativeSidecar: false }));
    expect(injected.spec.initContainers).toEqual([]);
    expect(JSON.parse(injected.metadata.annotations?.['sidecar.istio.io/status'] ?? '').initContainers).toBeNull();
  });

  test('the app probes are rewritten to the agent and the originals handed over in ISTIO_KUBE_APP_PROBERS', () => {
    const withProbe: PodTemplate = {
      ...pod,
      spec: { ...pod.spec, containers: [{ ...pod.spec.containers[0], readinessProbe: { httpGet: { path: '/ready', port: 'http' }, timeoutSeconds: 2 } }] },
    };
    const injected = injectSidecar(withProbe, workload, goldenSettings());
    expect(injected.spec.containers[0].readinessProbe).toEqual({ httpGet: { path: '/app-health/hello/readyz', port: 15020 }, timeoutSeconds: 2 });
    const env = container(injected, 'istio-proxy', true).env ?? [];
    expect(env[env.length - 1]).toEqual({
      name: 'ISTIO_KUBE_APP_PROBERS', value: '{"/app-health/hello/readyz":{"httpGet":{"path":"/ready","port":80},"timeoutSeconds":2}}',
    });
  });

  test('ISTIO_META_POD_PORTS lists every app port, one per line with a leading comma after the first', () => {
    const twoPorts: PodTemplate = { ...pod, spec: { ...pod.spec, containers: [{ ...pod.spec.containers[0], ports: [{ name: 'http', containerPort: 80 }, { name: 'grpc', containerPort: 90, protocol: 'TCP' }] }] } };
    const env = container(injectSidecar(twoPorts, workload, goldenSettings()), 'istio-proxy', true).env ?? [];
    expect(env.find((e) => e.name === 'ISTIO_META_POD_PORTS')?.value)
      .toBe('[\n    {"name":"http","containerPort":80}\n    ,{"name":"grpc","containerPort":90,"protocol":"TCP"}\n]');
  });

  test('a standalone SVID secret backs the workload-certs volume with Istio\'s file-mounted names', () => {
    const injection = renderInjection({ workload, labels: {}, annotations: {}, appContainers: pod.spec.containers },
      goldenSettings({ workloadCertsSecret: 'hello-svid' }));
    expect(injection.volumes.find((v) => v.name === 'workload-certs')).toEqual({
      name: 'workload-certs',
      secret: {
        secretName: 'hello-svid',
        items: [{ key: 'tls.crt', path: 'cert-chain.pem' }, { key: 'tls.key', path: 'key.pem' }, { key: 'ca.crt', path: 'root-cert.pem' }],
      },
    });
  });

  test('a proxy.istio.io/config that is not a JSON object is a coded error', () => {
    const annotated = { ...pod, metadata: { ...pod.metadata, annotations: { 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: true' } } };
    expect(() => injectSidecar(annotated, workload, goldenSettings())).toThrow(/TM_INVALID_PROXY_CONFIG/);
  });

  test('canonical name and revision follow app.kubernetes.io labels, then app/version, then the workload', () => {
    const render = (labels: Record<string, string>) =>
      renderInjection({ workload, labels, annotations: {}, appContainers: pod.spec.containers }, goldenSettings()).labels;
    expect(render({ 'app.kubernetes.io/name': 'n', 'app.kubernetes.io/version': '2', 'app': 'a', 'version': 'v1' }))
      .toMatchObject({ 'service.istio.io/canonical-name': 'n', 'service.istio.io/canonical-revision': '2' });
    expect(render({ app: 'reviews', version: 'v2' })).toMatchObject({ 'service.istio.io/canonical-name': 'reviews', 'service.istio.io/canonical-revision': 'v2' });
    expect(render({})).toMatchObject({ 'service.istio.io/canonical-name': 'hello', 'service.istio.io/canonical-revision': 'latest' });
  });
});

import { Yaml } from 'cdk8s';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, test } from 'vitest';
import { HttpMethod, Mesh, Port } from '../../src';
import { ReferenceWorkload, ReferenceWorkloadOptions } from '../../src/constructs/reference-workload';
import { InterceptionMode, SidecarInjection } from '../../src/constructs/sidecar-injection';
import { renderInjection } from '../../src/render/sidecar/inject';
import { catchTrustmesh, find, manifestsOf, tempApp } from '../helpers';

const IMAGE = 'docker.io/example/app:1.0';

function shop(workloads: ReferenceWorkloadOptions = { image: IMAGE }, ordersWorkload?: ReferenceWorkloadOptions) {
  const app = tempApp();
  const mesh = new Mesh(app, 'shop', { referenceWorkloads: workloads });
  const ns = mesh.addNamespace('shop');
  const frontend = ns.addService('frontend', { ports: [Port.http(8080)] });
  const orders = ns.addService('orders', {
    serviceAccount: 'orders-sa',
    labels: { app: 'orders', version: 'v1' },
    ports: [Port.http(80, { targetPort: 8080 }), Port.grpc(9090), Port.tcp(5432)],
    ...(ordersWorkload ? { workload: ordersWorkload } : {}),
  });
  orders.allowFrom(frontend, { methods: [HttpMethod.GET] });
  return { app, mesh, ns, frontend, orders };
}

/** Every Deployment, Service and ServiceAccount validates against the Kubernetes schema. */
function validateKubernetes(manifests: readonly Record<string, any>[]): number {
  let count = 0;
  for (const m of manifests) {
    if (m.kind === 'Deployment') new Deployment(m as any).validate();
    else if (m.kind === 'Service') new Service(m as any).validate();
    else if (m.kind === 'ServiceAccount') new ServiceAccount(m as any).validate();
    else continue;
    count++;
  }
  return count;
}

describe('ReferenceWorkload objects', () => {
  test('a ServiceAccount, a Service and a Deployment per service, named explicitly, in the namespace file', () => {
    const { app } = shop();
    const output = app.synthOutput();
    const names = output.manifests.filter((m) => !String(m.manifest.apiVersion).includes('istio.io'))
      .map((m) => `${m.file} ${m.manifest.kind}/${(m.manifest.metadata as any).name}`);
    expect(names).toEqual([
      'shop/shop.workloads.k8s.yaml ServiceAccount/frontend',
      'shop/shop.workloads.k8s.yaml ServiceAccount/orders-sa',
      'shop/shop.workloads.k8s.yaml Deployment/frontend',
      'shop/shop.workloads.k8s.yaml Deployment/orders',
      'shop/shop.workloads.k8s.yaml Service/frontend',
      'shop/shop.workloads.k8s.yaml Service/orders',
    ]);
  });

  test('the pod runs as the service account its policies name', () => {
    const { app } = shop();
    const manifests = manifestsOf(app);
    expect(find(manifests, 'Deployment', 'orders').spec.template.spec.serviceAccountName).toBe('orders-sa');
    expect(find(manifests, 'AuthorizationPolicy', 'orders-allow').spec.rules[0].from[0].source.serviceAccounts).toEqual(['shop/frontend']);
    expect(find(manifests, 'Deployment', 'frontend').spec.template.spec.serviceAccountName).toBe('frontend');
  });

  test('selector and pod labels are exactly the service labels plus the injection label; no cdk8s address label anywhere', () => {
    const { app } = shop();
    const manifests = manifestsOf(app);
    const orders = find(manifests, 'Deployment', 'orders');
    expect(orders.spec.selector).toEqual({ matchLabels: { app: 'orders', version: 'v1' } });
    expect(orders.spec.template.metadata.labels).toEqual({ 'app': 'orders', 'version': 'v1', 'sidecar.istio.io/inject': 'true' });
    expect(find(manifests, 'Service', 'orders').spec.selector).toEqual({ app: 'orders', version: 'v1' });
    expect(find(manifests, 'AuthorizationPolicy', 'orders-allow').spec.selector).toEqual({ matchLabels: { app: 'orders', version: 'v1' } });
    expect(Yaml.stringify(...manifests)).not.toMatch(/cdk8s\.io\/metadata\.addr/);
  });

  test('Service ports keep their protocol names and carry appProtocol; container ports match the target ports', () => {
    const { app } = shop();
    const manifests = manifestsOf(app);
    expect(find(manifests, 'Service', 'orders').spec.ports).toEqual([
      { name: 'http-80', port: 80, targetPort: 8080, appProtocol: 'http' },
      { name: 'grpc-9090', port: 9090, targetPort: 9090, appProtocol: 'grpc' },
      { name: 'tcp-5432', port: 5432, targetPort: 5432, appProtocol: 'tcp' },
    ]);
    expect(find(manifests, 'Deployment', 'orders').spec.template.spec.containers[0].ports).toEqual([
      { containerPort: 8080, name: 'http-80' }, { containerPort: 9090, name: 'grpc-9090' }, { containerPort: 5432, name: 'tcp-5432' },
    ]);
  });

  test('secure defaults: non-root, read-only root file system with /tmp, no privilege escalation, capabilities dropped, requests set', () => {
    const { app } = shop();
    const pod = find(manifestsOf(app), 'Deployment', 'frontend').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    expect(c.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    expect(find(manifestsOf(app), 'Deployment', 'frontend').spec.replicas).toBe(1);
  });

  test('the user supplies image, replicas, env (merged over the mesh defaults, sorted), probes and UID', () => {
    const { app } = shop({ image: IMAGE, env: { LOG_LEVEL: 'info', REGION: 'eu' } }, {
      image: 'docker.io/example/orders:2.0',
      replicas: 3,
      env: { LOG_LEVEL: 'debug', A_FIRST: '1' },
      runAsUser: 1000,
      runAsGroup: 1000,
      probes: { readiness: { path: '/ready' }, liveness: { path: '/live', port: 9090, periodSeconds: 20 } },
    });
    const d = find(manifestsOf(app), 'Deployment', 'orders');
    const c = d.spec.template.spec.containers[0];
    expect(d.spec.replicas).toBe(3);
    expect(c.image).toBe('docker.io/example/orders:2.0');
    expect(c.env).toEqual([{ name: 'A_FIRST', value: '1' }, { name: 'LOG_LEVEL', value: 'debug' }, { name: 'REGION', value: 'eu' }]);
    expect(c.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000 });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 });
    expect(c.livenessProbe.httpGet.port).toBe(9090);
  });

  test('a service can opt out of mesh-wide reference workloads; a pure client gets no Service', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm', { referenceWorkloads: { image: IMAGE } });
    const ns = mesh.addNamespace('a');
    ns.addService('client');
    ns.addService('legacy', { ports: [Port.http(80)], workload: { enabled: false } });
    const kinds = manifestsOf(app).filter((m) => !m.apiVersion.includes('istio.io')).map((m) => `${m.kind}/${m.metadata.name}`);
    expect(kinds).toEqual(['ServiceAccount/client', 'Deployment/client']);
  });

  test('without the mesh prop, only services with a workload prop get one', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm');
    const ns = mesh.addNamespace('a');
    const x = ns.addService('x', { ports: [Port.http(80)], workload: { image: IMAGE } });
    const y = ns.addService('y', { ports: [Port.http(80)] });
    expect(x.workload).toBeInstanceOf(ReferenceWorkload);
    expect(y.workload).toBeUndefined();
    expect(manifestsOf(app).filter((m) => m.kind === 'Deployment').map((m) => m.metadata.name)).toEqual(['x']);
  });

  test('services sharing a service account share one ServiceAccount object (and TM_IDENTITY_COLLISION reports it)', () => {
    const app = tempApp();
    const warnings: string[] = [];
    const mesh = new Mesh(app, 'm', { referenceWorkloads: { image: IMAGE } });
    const ns = mesh.addNamespace('a');
    ns.addService('x', { serviceAccount: 'shared', ports: [Port.http(80)] });
    ns.addService('y', { serviceAccount: 'shared', ports: [Port.http(80)] });
    const output = app.synthOutput();
    for (const w of output.warnings) warnings.push(w.code);
    expect(output.manifests.filter((m) => m.manifest.kind === 'ServiceAccount').map((m) => (m.manifest.metadata as any).name)).toEqual(['shared']);
    expect(warnings).toContain('TM_IDENTITY_COLLISION');
  });

  test('a service outside the mesh runs without a sidecar and opts out of namespace-wide injection explicitly', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm', { referenceWorkloads: { image: IMAGE, injection: SidecarInjection.manual() } });
    const ns = mesh.addNamespace('a');
    const legacy = ns.addService('legacy', { inMesh: false, ports: [Port.http(80)] });
    expect(legacy.workload?.sidecar).toBe('none');
    const pod = find(manifestsOf(app), 'Deployment', 'legacy').spec.template;
    expect(pod.metadata.labels).toEqual({ 'app': 'legacy', 'sidecar.istio.io/inject': 'false' });
    expect(pod.spec.initContainers).toBeUndefined();
    expect(pod.spec.containers.map((c: any) => c.name)).toEqual(['legacy']);
  });
});

describe('automatic injection', () => {
  test('the inject label plus the annotations the options need', () => {
    const { app } = shop({
      image: IMAGE,
      injection: SidecarInjection.auto({
        holdApplicationUntilProxyStarts: true,
        nativeSidecar: false,
        traffic: { excludeOutboundPorts: [443], excludeOutboundIpRanges: ['10.96.0.1/32'], interceptionMode: InterceptionMode.TPROXY },
      }),
    });
    const meta = find(manifestsOf(app), 'Deployment', 'frontend').spec.template.metadata;
    expect(meta.labels['sidecar.istio.io/inject']).toBe('true');
    expect(meta.annotations).toEqual({
      'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}',
      'sidecar.istio.io/interceptionMode': 'TPROXY',
      'sidecar.istio.io/nativeSidecar': 'false',
      'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.1/32',
      'traffic.sidecar.istio.io/excludeOutboundPorts': '443',
    });
  });

  test('no annotations by default', () => {
    const { app } = shop();
    expect(find(manifestsOf(app), 'Deployment', 'frontend').spec.template.metadata.annotations).toBeUndefined();
  });

  test('bad traffic input is refused at once with a coded error', () => {
    expect(catchTrustmesh(() => SidecarInjection.auto({ traffic: { excludeOutboundIpRanges: ['10.0.0.300'] } })).code).toBe('TM_INVALID_CIDR');
    expect(catchTrustmesh(() => SidecarInjection.auto({ traffic: { excludeOutboundPorts: [70000] } })).code).toBe('TM_INVALID_PORT');
    expect(catchTrustmesh(() => SidecarInjection.auto({ traffic: { excludeInterfaces: ['eth 0'] } })).code).toBe('TM_INVALID_INTERFACE');
  });
});

describe('manual injection', () => {
  const manual = (options = {}) => shop({ image: IMAGE }, { image: IMAGE, probes: { readiness: { path: '/ready' } }, injection: SidecarInjection.manual(options) });

  test('the synthesized pod carries exactly what the pure renderer injects (nothing lost in cdk8s-plus)', () => {
    const { app, orders } = manual();
    const injection = orders.workload?._injection;
    expect(injection).toBeDefined();
    const pod = find(manifestsOf(app), 'Deployment', 'orders').spec.template;
    expect(pod.spec.initContainers).toEqual(injection?.initContainers);
    expect(pod.spec.volumes.slice(1)).toEqual(injection?.volumes);
    expect(pod.spec.containers.map((c: any) => c.name)).toEqual(['orders']);
    expect(pod.spec.containers[0].readinessProbe).toEqual(injection?.appContainers[0].readinessProbe);
    expect(pod.metadata.labels).toEqual({
      'app': 'orders',
      'version': 'v1',
      'security.istio.io/tlsMode': 'istio',
      'service.istio.io/canonical-name': 'orders',
      'service.istio.io/canonical-revision': 'v1',
    });
    expect(pod.metadata.annotations).toEqual(injection?.annotations);
  });

  test('it matches renderInjection for the pod cdk8s-plus builds (the kube-inject input)', () => {
    const { app, mesh } = manual();
    const d = find(manifestsOf(app), 'Deployment', 'orders');
    const appContainer = d.spec.template.spec.containers[0];
    const original = { ...appContainer, readinessProbe: { ...appContainer.readinessProbe, httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' } } };
    const expected = renderInjection({
      workload: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders', namespace: 'shop' },
      labels: { app: 'orders', version: 'v1' },
      annotations: {},
      appContainers: [original],
    }, {
      proxyImage: `docker.io/istio/proxyv2:${mesh.istioVersionText}.0`,
      nativeSidecar: true,
      cni: false,
      holdApplicationUntilProxyStarts: false,
      proxyResources: { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '100m', memory: '128Mi' } },
      trustDomain: 'cluster.local',
      clusterDomain: 'cluster.local',
      istiodNamespace: 'istio-system',
      clusterId: 'Kubernetes',
      revision: 'default',
    });
    expect(d.spec.template.spec.initContainers).toEqual(expected.initContainers);
    const probers = d.spec.template.spec.initContainers[1].env.find((e: any) => e.name === 'ISTIO_KUBE_APP_PROBERS');
    expect(probers.value).toBe('{"/app-health/orders/readyz":{"httpGet":{"path":"/ready","port":8080,"scheme":"HTTP"},"timeoutSeconds":1}}');
  });

  test('classic sidecar with holdApplicationUntilProxyStarts: istio-proxy first, app waits', () => {
    const { app } = manual({ nativeSidecar: false, holdApplicationUntilProxyStarts: true });
    const pod = find(manifestsOf(app), 'Deployment', 'orders').spec.template;
    expect(pod.spec.containers.map((c: any) => c.name)).toEqual(['istio-proxy', 'orders']);
    expect(pod.spec.containers[0].lifecycle).toEqual({ postStart: { exec: { command: ['pilot-agent', 'wait'] } } });
    expect(pod.spec.initContainers.map((c: any) => c.name)).toEqual(['istio-init']);
    expect(pod.metadata.annotations['proxy.istio.io/config']).toBe('{"holdApplicationUntilProxyStarts":true}');
  });

  test('CNI, traffic exclusions and a pinned proxy image', () => {
    const { app } = manual({ cni: true, proxyImage: 'registry.example.com/istio/proxyv2:1.30.3', traffic: { excludeOutboundPorts: [443] } });
    const pod = find(manifestsOf(app), 'Deployment', 'orders').spec.template;
    const validation = pod.spec.initContainers[0];
    expect(validation.name).toBe('istio-validation');
    expect(validation.image).toBe('registry.example.com/istio/proxyv2:1.30.3');
    expect(validation.args).toContain('--skip-rule-apply');
    expect(validation.args.slice(validation.args.indexOf('-o'), validation.args.indexOf('-o') + 2)).toEqual(['-o', '443']);
    expect(pod.metadata.annotations['traffic.sidecar.istio.io/excludeOutboundPorts']).toBe('443');
  });

  test('is refused before the Istio release whose kube-inject shape it reproduces', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'old', { istioVersion: '1.24' });
    const ns = mesh.addNamespace('a');
    const e = catchTrustmesh(() => ns.addService('x', { ports: [Port.http(80)], workload: { image: IMAGE, injection: SidecarInjection.manual() } }));
    expect(e.code).toBe('TM_VERSION_UNSUPPORTED_FEATURE');
    expect(e.message).toMatch(/SidecarInjection\.auto/);
  });
});

describe('validation and determinism', () => {
  test('every Deployment, Service and ServiceAccount validates against the Kubernetes schema (auto, manual, native, classic, CNI)', () => {
    for (const injection of [
      SidecarInjection.auto(), SidecarInjection.manual(), SidecarInjection.manual({ nativeSidecar: false, holdApplicationUntilProxyStarts: true }),
      SidecarInjection.manual({ cni: true, traffic: { interceptionMode: InterceptionMode.TPROXY } }),
    ]) {
      const { app } = shop({ image: IMAGE, injection, probes: { readiness: { path: '/ready' }, liveness: { path: '/live' } } });
      expect(validateKubernetes(manifestsOf(app))).toBe(6);
    }
  });

  test('the schema check can fail: a Deployment without a selector is rejected', () => {
    const { app } = shop();
    const d = structuredClone(find(manifestsOf(app), 'Deployment', 'orders'));
    delete d.spec.selector;
    expect(() => validateKubernetes([d])).toThrow();
  });

  test('synthesis is byte-for-byte deterministic', () => {
    const render = () => shop({ image: IMAGE, injection: SidecarInjection.manual() }).app.synthOutput().files.map((f) => f.content).join('\n');
    expect(render()).toBe(render());
  });

  test('snapshot of the workload objects (manual injection)', () => {
    const { app } = shop({ image: IMAGE, injection: SidecarInjection.manual(), probes: { readiness: { path: '/ready' } } });
    expect(Yaml.stringify(...manifestsOf(app).filter((m) => !m.apiVersion.includes('istio.io')))).toMatchSnapshot();
  });

  test.each([
    [{ image: '' }, 'TM_WORKLOAD_IMAGE_MISSING'],
    [{}, 'TM_WORKLOAD_IMAGE_MISSING'],
    [{ image: 'has space' }, 'TM_INVALID_IMAGE'],
    [{ image: IMAGE, replicas: -1 }, 'TM_INVALID_REPLICAS'],
    [{ image: IMAGE, runAsUser: 0 }, 'TM_WORKLOAD_RUNS_AS_ROOT'],
    [{ image: IMAGE, runAsUser: -1 }, 'TM_INVALID_UID'],
    [{ image: IMAGE, runAsGroup: 1.5 }, 'TM_INVALID_UID'],
    [{ image: IMAGE, env: { '1BAD': 'x' } }, 'TM_INVALID_ENV_NAME'],
    [{ image: IMAGE, probes: { readiness: { path: 'ready' } } }, 'TM_INVALID_PROBE'],
  ] as [ReferenceWorkloadOptions, string][])('bad options %j are refused with %s, naming the construct', (options, code) => {
    const app = tempApp();
    const ns = new Mesh(app, 'm').addNamespace('a');
    const e = catchTrustmesh(() => ns.addService('x', { ports: [Port.http(80)], workload: options }));
    expect(e.code).toBe(code);
    expect(e.location?.constructPath).toMatch(/^m\/a\/x/);
  });

  test('a probe needs a port', () => {
    const ns = new Mesh(tempApp(), 'm').addNamespace('a');
    expect(catchTrustmesh(() => ns.addService('x', { workload: { image: IMAGE, probes: { liveness: { path: '/live' } } } })).code).toBe('TM_PROBE_WITHOUT_PORT');
  });

  test('injection cannot be asked for a service outside the mesh', () => {
    const ns = new Mesh(tempApp(), 'm').addNamespace('a');
    const e = catchTrustmesh(() => ns.addService('x', { inMesh: false, workload: { image: IMAGE, injection: SidecarInjection.auto() } }));
    expect(e.code).toBe('TM_INJECTION_OUT_OF_MESH');
  });
});

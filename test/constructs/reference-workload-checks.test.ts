import { describe, expect, test } from 'vitest';
import { Diagnostic, Mesh, Peer, Port } from '../../src';
import { ReferenceWorkloadOptions } from '../../src/constructs/reference-workload';
import { protocolFromPortName } from '../../src/constructs/workload-diagnostics';
import { synthErrors, tempApp } from '../helpers';

const IMAGE = 'docker.io/example/app:1.0';

function mesh(referenceWorkloads: ReferenceWorkloadOptions | null = { image: IMAGE }) {
  const app = tempApp();
  const m = new Mesh(app, 'm', referenceWorkloads ? { referenceWorkloads } : {});
  return { app, mesh: m, ns: m.addNamespace('a') };
}

/** Warnings of a synth that succeeds. */
function warnings(app: ReturnType<typeof tempApp>): Diagnostic[] {
  return [...app.synthOutput().warnings];
}

describe('TM_APP_RUNS_AS_PROXY_UID (istioctl IST0144)', () => {
  test('an in-mesh application running as UID 1337 fails the synth', () => {
    const { app, ns } = mesh();
    ns.addService('x', { ports: [Port.http(80)], workload: { runAsUser: 1337 } });
    const found = synthErrors(app).filter((e) => e.code === 'TM_APP_RUNS_AS_PROXY_UID');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/bypass mTLS and authorization/);
    expect(found[0].message).toMatch(/m\/a\/x\/Workload/);
  });

  test('other UIDs, and services without a sidecar, are fine', () => {
    const { app, ns } = mesh();
    ns.addService('x', { ports: [Port.http(80)], workload: { runAsUser: 1000 } });
    ns.addService('y', { inMesh: false, ports: [Port.http(80)], workload: { runAsUser: 1337 } });
    expect(() => app.synthOutput()).not.toThrow();
  });
});

describe('port names', () => {
  test('a name without a protocol prefix is a warning (Kiali KIA0601); appProtocol still tells Istio', () => {
    const { app, ns } = mesh();
    ns.addService('x', { ports: [Port.http(80, { name: 'web' })] });
    const w = warnings(app).filter((d) => d.code === 'TM_PORT_NAME_WITHOUT_PROTOCOL');
    expect(w).toHaveLength(1);
    expect(w[0].upstreamCode).toBe('KIA0601');
    expect(w[0].fix).toMatch(/"http-80"/);
  });

  test('a name that claims another protocol is an error', () => {
    const { app, ns } = mesh();
    ns.addService('x', { ports: [Port.tcp(5432, { name: 'http-db' })] });
    const found = synthErrors(app).filter((e) => e.code === 'TM_PORT_NAME_PROTOCOL_MISMATCH');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/declared TCP but named "http-db", which names HTTP/);
  });

  test('default names and <protocol>-<suffix> names pass', () => {
    const { app, ns } = mesh();
    ns.addService('x', { ports: [Port.http(80), Port.grpcWeb(81), Port.http2(82, { name: 'http2-api' }), Port.https(443, { name: 'https' })] });
    expect(warnings(app).filter((d) => d.code.startsWith('TM_PORT_NAME'))).toEqual([]);
  });

  test('protocol detection follows Istio: grpc-web first, then the part before the first dash', () => {
    expect(protocolFromPortName('grpc-web-8080')).toBe('GRPC_WEB');
    expect(protocolFromPortName('grpc-8080')).toBe('GRPC');
    expect(protocolFromPortName('HTTP2')).toBe('HTTP2');
    expect(protocolFromPortName('httpx-1')).toBeUndefined();
    expect(protocolFromPortName('mongo')).toBe('OTHER');
  });
});

describe('selectors', () => {
  test('a policy selector that matches no reference workload is a warning (istioctl IST0127)', () => {
    const { app, ns } = mesh(null);
    ns.addService('front', { ports: [Port.http(80)], workload: { image: IMAGE } });
    const back = ns.addService('back', { ports: [Port.http(80)] });
    back.denyFrom(Peer.namespace('dev'));
    const w = warnings(app).filter((d) => d.code === 'TM_SELECTOR_MATCHES_NO_WORKLOAD');
    expect(w).toHaveLength(1);
    expect(w[0].upstreamCode).toBe('IST0127');
    expect(w[0].message).toMatch(/AuthorizationPolicy a\/back-deny selects app=back/);
  });

  test('no warning when every selected service has its workload', () => {
    const { app, ns } = mesh();
    ns.addService('back', { ports: [Port.http(80)] }).denyFrom(Peer.namespace('dev'));
    expect(warnings(app).filter((d) => d.code === 'TM_SELECTOR_MATCHES_NO_WORKLOAD')).toEqual([]);
  });

  test('a Deployment whose selector also matches another workload\'s pods fails the synth', () => {
    const { app, ns } = mesh();
    ns.addService('reviews', { labels: { app: 'reviews' }, ports: [Port.http(80)] });
    ns.addService('reviews-v2', { labels: { app: 'reviews', version: 'v2' }, ports: [Port.http(80)] });
    const found = synthErrors(app).filter((e) => e.code === 'TM_WORKLOAD_SELECTOR_OVERLAP');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/Deployment reviews selects app=reviews, which also matches the pods of reviews-v2/);
  });
});

describe('service accounts', () => {
  test('the namespace\'s default service account is never emitted, and using it is a warning', () => {
    const { app, ns } = mesh();
    ns.addService('x', { serviceAccount: 'default', ports: [Port.http(80)] });
    const output = app.synthOutput();
    expect(output.manifests.filter((m) => m.manifest.kind === 'ServiceAccount')).toEqual([]);
    expect(output.warnings.map((d) => d.code)).toContain('TM_DEFAULT_SERVICE_ACCOUNT');
  });

  test('using default is an error when a policy names that identity', () => {
    const { app, ns } = mesh();
    const caller = ns.addService('caller', { serviceAccount: 'default' });
    ns.addService('callee', { ports: [Port.http(80)] }).allowFrom(caller);
    const found = synthErrors(app).filter((e) => e.code === 'TM_DEFAULT_SERVICE_ACCOUNT');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/admit every pod that has no service account of its own/);
  });

  test('two services sharing a service account that a policy names: the model\'s TM_IDENTITY_COLLISION fails the synth', () => {
    const { app, ns } = mesh();
    const a = ns.addService('a1', { serviceAccount: 'shared' });
    ns.addService('a2', { serviceAccount: 'shared' });
    ns.addService('callee', { ports: [Port.http(80)] }).allowFrom(a);
    expect(synthErrors(app).map((e) => e.code)).toContain('TM_IDENTITY_COLLISION');
  });
});

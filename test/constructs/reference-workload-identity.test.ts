import { beforeAll, describe, expect, test } from 'vitest';
import { Mesh, Port } from '../../src';
import { SidecarInjection } from '../../src/constructs/sidecar-injection';
import { StandaloneIdentity } from '../../src/constructs/standalone-identity';
import { IssuedCertificate } from '../../src/pki/issued-certificate';
import { Pki } from '../../src/pki/pki';
import { catchTrustmesh, find, tempApp } from '../helpers';

const IMAGE = 'docker.io/example/app:1.0';
let intermediate: IssuedCertificate;
let billing: IssuedCertificate;

beforeAll(async () => {
  const pki = new Pki();
  const root = await pki.createRoot();
  intermediate = await pki.createIntermediate(root, { cluster: 'east' });
  billing = await pki.issueWorkloadCertificate(intermediate, { trustDomain: 'cluster.local', namespace: 'legacy', serviceAccount: 'billing' });
});

function legacyMesh(identity: StandaloneIdentity, injection?: SidecarInjection) {
  const app = tempApp();
  const mesh = new Mesh(app, 'm');
  const ns = mesh.addNamespace('legacy');
  const service = ns.addService('billing', { inMesh: injection !== undefined, ports: [Port.http(8080)], workload: { image: IMAGE, identity, ...(injection ? { injection } : {}) } });
  return { app, service };
}

describe('standalone identity', () => {
  test('the SVID Secret goes to the secrets output, never to dist/', () => {
    const { app } = legacyMesh(StandaloneIdentity.fromIssuedCertificate(billing));
    const output = app.synthOutput();
    expect(output.secretFiles.map((f) => f.path)).toEqual(['m/legacy.svids.k8s.yaml']);
    const reviewable = output.files.map((f) => f.content).join('\n');
    expect(reviewable).not.toMatch(/PRIVATE KEY/);
    const secret = output.manifests.find((m) => m.manifest.kind === 'Secret');
    expect(secret?.secret).toBe(true);
    expect(secret?.manifest).toMatchObject({
      type: 'kubernetes.io/tls',
      metadata: { name: 'billing-svid', namespace: 'legacy' },
      stringData: { 'tls.crt': billing.chainPem(), 'tls.key': billing.privateKey.revealPem(), 'ca.crt': billing.root.pem },
    });
  });

  test('the application container mounts it read-only under Istio\'s file-mounted names', () => {
    const { app } = legacyMesh(StandaloneIdentity.fromIssuedCertificate(billing));
    const pod = find(app.synthOutput().manifests.map((m) => m.manifest as any), 'Deployment', 'billing').spec.template.spec;
    expect(pod.containers[0].volumeMounts).toContainEqual({ mountPath: '/var/run/secrets/workload-spiffe-credentials', name: 'workload-svid', readOnly: true });
    expect(pod.volumes).toContainEqual({
      name: 'workload-svid',
      secret: { secretName: 'billing-svid', items: [{ key: 'ca.crt', path: 'root-cert.pem' }, { key: 'tls.crt', path: 'cert-chain.pem' }, { key: 'tls.key', path: 'key.pem' }] },
    });
  });

  test('with manual injection the proxy\'s workload-certs volume is backed by the same Secret', () => {
    const { app } = legacyMesh(StandaloneIdentity.fromIssuedCertificate(billing), SidecarInjection.manual());
    const pod = find(app.synthOutput().manifests.map((m) => m.manifest as any), 'Deployment', 'billing').spec.template.spec;
    expect(pod.volumes.find((v: any) => v.name === 'workload-certs').secret.secretName).toBe('billing-svid');
  });

  test('an SVID for another identity is refused', async () => {
    const other = await new Pki().issueWorkloadCertificate(intermediate, { trustDomain: 'cluster.local', namespace: 'legacy', serviceAccount: 'payments' });
    const e = catchTrustmesh(() => legacyMesh(StandaloneIdentity.fromIssuedCertificate(other)));
    expect(e.code).toBe('TM_SVID_IDENTITY_MISMATCH');
    expect(e.allowed).toBe('spiffe://cluster.local/ns/legacy/sa/billing');
  });

  test('a CA certificate or a key of another certificate is refused', () => {
    expect(catchTrustmesh(() => StandaloneIdentity.fromIssuedCertificate(intermediate)).code).toBe('TM_SVID_NOT_A_WORKLOAD_CERTIFICATE');
    const e = catchTrustmesh(() => StandaloneIdentity.fromPem({
      certificateChain: billing.chainPem(), privateKey: intermediate.privateKey.revealPem(), trustBundle: billing.root.pem,
    }));
    expect(e.code).toBe('TM_CA_KEY_MISMATCH');
  });

  test.each(['var/run/secrets/workload-spiffe-credentials', '/c:/creds'])('a mountPath %j that is not absolute or has ":" is refused (TM_INVALID_MOUNT_PATH)', (mountPath) => {
    const e = catchTrustmesh(() => StandaloneIdentity.fromIssuedCertificate(billing, { mountPath }));
    expect(e.code).toBe('TM_INVALID_MOUNT_PATH');
    expect(e.value).toBe(mountPath);
  });

  test('is per service: a mesh-wide default is refused', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm', { referenceWorkloads: { image: IMAGE, identity: StandaloneIdentity.fromIssuedCertificate(billing) } });
    expect(catchTrustmesh(() => mesh.addNamespace('legacy').addService('billing')).code).toBe('TM_IDENTITY_NOT_PER_SERVICE');
  });

  test('two SVIDs in one Secret name are refused with a coded error', () => {
    const app = tempApp();
    const ns = new Mesh(app, 'm').addNamespace('legacy');
    const identity = StandaloneIdentity.fromIssuedCertificate(billing);
    ns.addService('billing', { inMesh: false, ports: [Port.http(8080)], workload: { image: IMAGE, identity } });
    const e = catchTrustmesh(() => ns.addService('billing-v2', { serviceAccount: 'billing', inMesh: false, workload: { image: IMAGE, identity } }));
    expect(e.code).toBe('TM_DUPLICATE_OBJECT');
  });

  test('never prints the key', () => {
    const identity = StandaloneIdentity.fromIssuedCertificate(billing);
    expect(String(identity)).toBe('StandaloneIdentity(spiffe://cluster.local/ns/legacy/sa/billing)');
    expect(JSON.stringify(identity)).not.toMatch(/PRIVATE KEY/);
  });
});

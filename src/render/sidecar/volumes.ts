import { ISTIO_CA_AUDIENCE } from './sidecar-settings';
import { Volume, VolumeMount } from '../../model/pod-types';

/** Key → file mapping of a `kubernetes.io/tls` Secret onto Istio's file-mounted credential names. */
export const FILE_MOUNTED_CREDENTIALS = [
  { key: 'tls.crt', path: 'cert-chain.pem' },
  { key: 'tls.key', path: 'key.pem' },
  { key: 'ca.crt', path: 'root-cert.pem' },
] as const;

/** Where pilot-agent looks for file-mounted workload credentials (the `workload-certs` volume). */
export const WORKLOAD_CREDENTIALS_PATH = '/var/run/secrets/workload-spiffe-credentials';

/**
 * The nine volumes the injector adds, in the template's order: three sockets/credential dirs
 * (`emptyDir`, rendered without a source as the template does), Envoy's in-memory SDS dir, agent
 * data, pod info (labels and annotations via the downward API), the projected service account token
 * with audience `istio-ca` that authenticates the CSR to istiod, the mesh root certificate and the
 * optional CRL.
 */
export function renderSidecarVolumes(options: { readonly workloadCertsSecret?: string } = {}): Volume[] {
  return [
    { name: 'workload-socket' },
    { name: 'credential-socket' },
    options.workloadCertsSecret
      ? { name: 'workload-certs', secret: { secretName: options.workloadCertsSecret, items: FILE_MOUNTED_CREDENTIALS.map((i) => ({ ...i })) } }
      : { name: 'workload-certs' },
    { name: 'istio-envoy', emptyDir: { medium: 'Memory' } },
    { name: 'istio-data', emptyDir: {} },
    {
      name: 'istio-podinfo',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
        ],
      },
    },
    {
      name: 'istio-token',
      projected: { sources: [{ serviceAccountToken: { audience: ISTIO_CA_AUDIENCE, expirationSeconds: 43200, path: 'istio-token' } }] },
    },
    { name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } },
    { name: 'istio-ca-crl', configMap: { name: 'istio-ca-crl', optional: true } },
  ];
}

/** `istio-proxy`'s volume mounts, in the template's order. */
export function renderProxyVolumeMounts(): VolumeMount[] {
  return [
    { mountPath: '/var/run/secrets/workload-spiffe-uds', name: 'workload-socket' },
    { mountPath: '/var/run/secrets/credential-uds', name: 'credential-socket' },
    { mountPath: WORKLOAD_CREDENTIALS_PATH, name: 'workload-certs' },
    { mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' },
    { mountPath: '/var/run/secrets/istio/crl', name: 'istio-ca-crl' },
    { mountPath: '/var/lib/istio/data', name: 'istio-data' },
    { mountPath: '/etc/istio/proxy', name: 'istio-envoy' },
    { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
    { mountPath: '/etc/istio/pod', name: 'istio-podinfo' },
  ];
}

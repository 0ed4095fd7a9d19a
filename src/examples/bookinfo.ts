import { Construct } from 'constructs';
import { ExampleOptions } from './example-options';
import { HttpMethod } from '../constructs/enums';
import { KubernetesApiServer } from '../constructs/kubernetes-api-server';
import { Mesh } from '../constructs/mesh';
import { MeshService } from '../constructs/mesh-service';
import { NetworkPolicies } from '../constructs/network-policies';
import { Port } from '../constructs/port';
import { SidecarInjection } from '../constructs/sidecar-injection';

/**
 * Istio's Bookinfo sample, zero-trust: productpage → details and reviews; reviews v2/v3 → ratings;
 * only productpage's service account may GET details and the reviews versions; the ingress gateway
 * (declared outside this mesh code) may reach productpage. Everything else is denied — leaving the
 * mesh too: only the registry and the Google Books API that details calls are reachable. Every
 * request is access-logged. Kubernetes NetworkPolicies mirror the intentions as the L4 outer ring
 * (docs/network-policies.md): a pod without a sidecar, or one that bypasses it, still reaches only
 * what an intention allows.
 */
export function bookinfoMesh(scope: Construct, options: ExampleOptions = {}): Mesh {
  const mesh = new Mesh(scope, 'bookinfo', {
    istioVersion: '1.30',
    referenceWorkloads: { runAsUser: 1000, injection: SidecarInjection.manual() },
    // Ingress only: egress at L4 would need the Google Books API's addresses (or an egress gateway).
    networkPolicies: NetworkPolicies.mirrorIntentions(),
  });
  if (options.ca) mesh.useCertificateAuthority(options.ca);
  // Workloads that call the Kubernetes API talk to a server without a sidecar: say so, reviewably.
  mesh.plaintextTo(KubernetesApiServer.inCluster());
  const ns = mesh.addNamespace('bookinfo');
  const http = [Port.http(9080)];

  const ingress = MeshService.fromAttributes(mesh, 'IngressGateway', {
    namespace: 'istio-system', name: 'istio-ingressgateway', serviceAccount: 'istio-ingressgateway-service-account',
  });
  const productpage = ns.addService('productpage', {
    serviceAccount: 'bookinfo-productpage', ports: http, workload: { image: 'docker.io/istio/examples-bookinfo-productpage-v1:1.20.2' },
  });
  const details = ns.addService('details', {
    serviceAccount: 'bookinfo-details', ports: http, workload: { image: 'docker.io/istio/examples-bookinfo-details-v1:1.20.2' },
  });
  const reviews = ['v1', 'v2', 'v3'].map((version) => ns.addService(`reviews-${version}`, {
    serviceAccount: `bookinfo-reviews-${version}`,
    labels: { app: 'reviews', version },
    ports: http,
    workload: { image: `docker.io/istio/examples-bookinfo-reviews-${version}:1.20.2` },
  }));
  const ratings = ns.addService('ratings', {
    serviceAccount: 'bookinfo-ratings', ports: http, workload: { image: 'docker.io/istio/examples-bookinfo-ratings-v1:1.20.2' },
  });

  productpage.allowFrom(ingress, { methods: [HttpMethod.GET, HttpMethod.POST], paths: ['/productpage', '/login', '/logout', '/static/*', '/api/v1/products*'] });
  details.allowFrom(productpage, { methods: [HttpMethod.GET] });
  for (const version of reviews) version.allowFrom(productpage, { methods: [HttpMethod.GET] });
  // reviews v1 does not call ratings; v2 and v3 do.
  ratings.allowFrom(reviews[1], { methods: [HttpMethod.GET], paths: ['/ratings/*'] });
  ratings.allowFrom(reviews[2], { methods: [HttpMethod.GET], paths: ['/ratings/*'] });

  // Egress is denied by default too (Sidecar outboundTrafficPolicy REGISTRY_ONLY, written out);
  // details fetches book data from the Google Books API (ENABLE_EXTERNAL_BOOK_SERVICE, as in
  // Istio's egress task) over TLS it encrypts itself, so that one host is registered.
  mesh.lockDownEgress();
  mesh.allowEgressTo('www.googleapis.com');
  // Who called whom, and whether it was allowed: every sidecar logs every request (Telemetry API).
  mesh.enableAccessLogging();
  return mesh;
}

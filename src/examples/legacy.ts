import { Construct } from 'constructs';
import { ExampleOptions } from './example-options';
import { ISTIO_SUCCINCTLY_ISSUER, JUICE_SHOP_HOST } from './micro-shake-factory';
import { DefaultAccess, HttpMethod, MtlsMode } from '../constructs/enums';
import { GatewayCredential } from '../constructs/gateway-credential';
import { GatewayTls } from '../constructs/gateway-tls';
import { Mesh } from '../constructs/mesh';
import { Port } from '../constructs/port';
import { SidecarInjection } from '../constructs/sidecar-injection';

/** Options of the legacy examples: the target release (the v1 counterpart is the same function on 1.30). */
export interface LegacyExampleOptions extends ExampleOptions {
  /** @default - the example's own legacy release */
  readonly istioVersion?: string;
  /** @default - `<example>-istio-<major>-<minor>` */
  readonly name?: string;
}

/**
 * Key-store credential of the 1.4 juice-shop gateway (`trustmesh ca issue gateway --name
 * juice-shop-istio-1-4 --host juice-shop.istio-succinctly.io --cluster micro-shake-factory-istio-1-4`).
 */
export const JUICE_SHOP_LEGACY_CREDENTIAL = 'juice-shop-istio-1-4';

/**
 * Istio Succinctly's chapter on security, as trustmesh writes it for Istio 1.4 (folder
 * `micro-shake-factory-istio-1.4`): STRICT mTLS (MeshPolicy `default` and the `*.local`
 * ISTIO_MUTUAL DestinationRule), the fruits API requires a token from istio-succinctly.io
 * (Policy origins, USE_ORIGIN) and only learners may GET it (RBAC ON_WITH_INCLUSION, the `learner`
 * binding on `request.auth.claims[role]`), and the juice shop is published through the ingress
 * gateway on `juice-shop.istio-succinctly.io:443` with the gateway's mounted certificates. The
 * book's juice-hater DENY is left out: 1.4 has no DENY, and only learners are allowed anyway.
 *
 * With CA material, the gateway certificate comes from the key store
 * ({@link JUICE_SHOP_LEGACY_CREDENTIAL}), emitted into the secrets output as the Secret the 1.x
 * gateway mounts, `istio-ingressgateway-certs`; without, that Secret is declared as existing.
 */
export function microShakeFactoryLegacyMesh(scope: Construct, options: LegacyExampleOptions = {}): Mesh {
  const istioVersion = options.istioVersion ?? '1.4';
  const mesh = new Mesh(scope, options.name ?? `micro-shake-factory-istio-${istioVersion.replace('.', '-')}`, {
    istioVersion,
    mtls: MtlsMode.STRICT,
    defaultAccess: DefaultAccess.ALLOW,
    referenceWorkloads: { image: 'docker.io/mccutchen/go-httpbin:v2.15.0', runAsUser: 1000, injection: SidecarInjection.auto() },
  });
  const ca = options.ca ? mesh.useCertificateAuthority(options.ca) : undefined;
  const ns = mesh.addNamespace('micro-shake-factory');
  const fruits = ns.addService('fruits-api', { ports: [Port.http(80, { targetPort: 8080 })] });
  const juiceShop = ns.addService('juice-shop-api', { ports: [Port.http(80, { targetPort: 8080 })] });
  fruits.requireJwt(ISTIO_SUCCINCTLY_ISSUER);
  fruits.allowEndUsers(ISTIO_SUCCINCTLY_ISSUER, { claims: { role: 'learner' }, methods: [HttpMethod.GET] });

  const gateway = mesh.addIngressGateway('juice-shop');
  gateway.addHttpServer({ hosts: [JUICE_SHOP_HOST], httpsRedirect: true });
  const credential = ca
    ? GatewayCredential.fromCa(ca, JUICE_SHOP_LEGACY_CREDENTIAL)
    : GatewayCredential.fromSecretName('istio-ingressgateway-certs');
  gateway.addHttpsServer({ hosts: [JUICE_SHOP_HOST], tls: GatewayTls.simple(credential) });
  gateway.route(juiceShop);
  juiceShop.allowFrom(gateway);
  return mesh;
}

/**
 * The Kiali demo's bookinfo on Istio 1.0 (folder `bookinfo-istio-1-0`): the bookinfo namespace is
 * STRICT and denies by default (RbacConfig ON_WITH_INCLUSION), productpage may GET details and
 * reviews v1 — and nothing else is allowed.
 */
export function bookinfoLegacyMesh(scope: Construct, options: LegacyExampleOptions = {}): Mesh {
  const istioVersion = options.istioVersion ?? '1.0';
  const mesh = new Mesh(scope, options.name ?? `bookinfo-istio-${istioVersion.replace('.', '-')}`, {
    istioVersion,
    mtls: MtlsMode.PERMISSIVE,
    defaultAccess: DefaultAccess.ALLOW,
    referenceWorkloads: { runAsUser: 1000, injection: SidecarInjection.auto() },
  });
  if (options.ca) mesh.useCertificateAuthority(options.ca);
  const ns = mesh.addNamespace('bookinfo', { mtls: MtlsMode.STRICT, defaultAccess: DefaultAccess.DENY });
  const http = [Port.http(9080)];
  const image = (name: string): { image: string } => ({ image: `docker.io/istio/examples-bookinfo-${name}:1.20.2` });
  const productpage = ns.addService('productpage', { serviceAccount: 'bookinfo-productpage', ports: http, workload: image('productpage-v1') });
  const details = ns.addService('details', { serviceAccount: 'bookinfo-details', ports: http, workload: image('details-v1') });
  const reviews = ['v1', 'v2', 'v3'].map((version) => ns.addService(`reviews-${version}`, {
    serviceAccount: `bookinfo-reviews-${version}`, labels: { app: 'reviews', version }, ports: http, workload: image(`reviews-${version}`),
  }));
  ns.addService('ratings', { serviceAccount: 'bookinfo-ratings', ports: http, workload: image('ratings-v1') });
  details.allowFrom(productpage, { methods: [HttpMethod.GET] });
  reviews[0].allowFrom(productpage, { methods: [HttpMethod.GET] });
  return mesh;
}

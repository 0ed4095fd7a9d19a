import { Construct } from 'constructs';
import { ExampleOptions } from './example-options';
import { HttpMethod, MtlsMode } from '../constructs/enums';
import { GatewayCredential } from '../constructs/gateway-credential';
import { GatewayTls } from '../constructs/gateway-tls';
import { JwtIssuer } from '../constructs/jwt-issuer';
import { Mesh } from '../constructs/mesh';
import { Peer } from '../constructs/peer';
import { Port } from '../constructs/port';
import { SidecarInjection } from '../constructs/sidecar-injection';

/** The end-user token issuer of the "Istio Succinctly" book's examples. */
export const ISTIO_SUCCINCTLY_ISSUER = JwtIssuer.of({
  issuer: 'istio-succinctly.io',
  jwksUri: 'https://raw.githubusercontent.com/Istio-Succinctly/Policies/master/Static/jwks.json',
});

/** The host the juice shop is published under. */
export const JUICE_SHOP_HOST = 'juice-shop.istio-succinctly.io';

/** How the ingress gateway handles TLS for the juice shop: the book's three variants. */
export enum JuiceShopIngress {
  /** The gateway terminates TLS with its certificate (`juice-shop` credential). */
  SIMPLE = 'SIMPLE',
  /** The gateway also requires a client certificate issued by the mesh CA (`juice-shop-mutual` credential). */
  MUTUAL = 'MUTUAL',
  /** The gateway forwards the TLS connection by SNI; the juice shop terminates it on 443. */
  PASSTHROUGH = 'PASSTHROUGH',
}

/** Options of {@link microShakeFactoryMesh}. */
export interface MicroShakeFactoryOptions extends ExampleOptions {
  /**
   * The ingress TLS variant; each is its own output folder (and cluster).
   * @default JuiceShopIngress.SIMPLE - folder `micro-shake-factory`
   */
  readonly ingress?: JuiceShopIngress;
}

const MESH_NAMES: Record<JuiceShopIngress, string> = {
  [JuiceShopIngress.SIMPLE]: 'micro-shake-factory',
  [JuiceShopIngress.MUTUAL]: 'micro-shake-factory-mutual',
  [JuiceShopIngress.PASSTHROUGH]: 'micro-shake-factory-passthrough',
};

/** Key-store credential names per variant (`trustmesh ca issue gateway --name …`). */
export const JUICE_SHOP_CREDENTIALS: Readonly<Partial<Record<JuiceShopIngress, string>>> = {
  [JuiceShopIngress.SIMPLE]: 'juice-shop',
  [JuiceShopIngress.MUTUAL]: 'juice-shop-mutual',
};

/**
 * The micro-shake-factory of "Istio Succinctly": mesh-wide STRICT mTLS; the fruits API needs an
 * end-user token from istio-succinctly.io, only learners may GET it, and juice-haters are denied;
 * the juice shop is published through the ingress gateway on `juice-shop.istio-succinctly.io:443`
 * (SIMPLE, MUTUAL or PASSTHROUGH TLS), with port 80 redirecting to https.
 *
 * With CA material, the gateway certificate comes from the key store (issued into the secrets
 * output); without, the credential Secret `juice-shop-credential` is declared as existing.
 */
export function microShakeFactoryMesh(scope: Construct, options: MicroShakeFactoryOptions = {}): Mesh {
  const variant = options.ingress ?? JuiceShopIngress.SIMPLE;
  const mesh = new Mesh(scope, MESH_NAMES[variant], {
    istioVersion: '1.30',
    mtls: MtlsMode.STRICT,
    referenceWorkloads: {
      image: 'docker.io/mccutchen/go-httpbin:v2.15.0',
      runAsUser: 1000,
      probes: { readiness: { path: '/status/200' } },
      injection: SidecarInjection.auto({ holdApplicationUntilProxyStarts: true, traffic: { excludeOutboundPorts: [443] } }),
    },
  });
  const ca = options.ca ? mesh.useCertificateAuthority(options.ca) : undefined;
  const ns = mesh.addNamespace('micro-shake-factory');

  const fruits = ns.addService('fruits-api', { ports: [Port.http(80, { targetPort: 8080 })] });
  const juiceShop = ns.addService('juice-shop-api', { ports: [Port.http(80, { targetPort: 8080 }), Port.https(443, { targetPort: 8443 })] });

  fruits.requireJwt(ISTIO_SUCCINCTLY_ISSUER);
  fruits.allowEndUsers(ISTIO_SUCCINCTLY_ISSUER, { claims: { role: 'learner' }, methods: [HttpMethod.GET] });
  fruits.denyFrom(Peer.endUsers(ISTIO_SUCCINCTLY_ISSUER, { claims: { role: 'juice-hater' } }));

  const gateway = mesh.addIngressGateway('juice-shop');
  gateway.addHttpServer({ hosts: [JUICE_SHOP_HOST], httpsRedirect: true });
  gateway.addHttpsServer({ hosts: [JUICE_SHOP_HOST], tls: juiceShopTls(variant, ca) });
  gateway.route(juiceShop);
  juiceShop.allowFrom(gateway);
  return mesh;
}

/** The MUTUAL variant: folder (and cluster) `micro-shake-factory-mutual`. */
export function microShakeFactoryMutualMesh(scope: Construct, options: ExampleOptions = {}): Mesh {
  return microShakeFactoryMesh(scope, { ...options, ingress: JuiceShopIngress.MUTUAL });
}

/** The PASSTHROUGH variant: folder (and cluster) `micro-shake-factory-passthrough`. */
export function microShakeFactoryPassthroughMesh(scope: Construct, options: ExampleOptions = {}): Mesh {
  return microShakeFactoryMesh(scope, { ...options, ingress: JuiceShopIngress.PASSTHROUGH });
}

function juiceShopTls(variant: JuiceShopIngress, ca: ReturnType<Mesh['useCertificateAuthority']> | undefined): GatewayTls {
  if (variant === JuiceShopIngress.PASSTHROUGH) return GatewayTls.passthrough();
  const mutual = variant === JuiceShopIngress.MUTUAL;
  const credential = ca
    ? GatewayCredential.fromCa(ca, JUICE_SHOP_CREDENTIALS[variant]!, { secretName: 'juice-shop-credential', verifyClients: mutual })
    : GatewayCredential.fromSecretName('juice-shop-credential', { clientCa: mutual });
  return mutual ? GatewayTls.mutual(credential) : GatewayTls.simple(credential);
}

import { Construct } from 'constructs';
import { ExampleOptions } from './example-options';
import { HttpMethod, MtlsMode } from '../constructs/enums';
import { JwtIssuer } from '../constructs/jwt-issuer';
import { Mesh } from '../constructs/mesh';
import { MeshService } from '../constructs/mesh-service';
import { Peer } from '../constructs/peer';
import { Port } from '../constructs/port';
import { SidecarInjection } from '../constructs/sidecar-injection';

/** The end-user token issuer of the "Istio Succinctly" book's examples. */
export const ISTIO_SUCCINCTLY_ISSUER = JwtIssuer.of({
  issuer: 'istio-succinctly.io',
  jwksUri: 'https://raw.githubusercontent.com/Istio-Succinctly/Policies/master/Static/jwks.json',
});

/**
 * The micro-shake-factory of "Istio Succinctly": mesh-wide STRICT mTLS; the fruits API needs an
 * end-user token from istio-succinctly.io, only learners may GET it, and juice-haters are denied.
 */
export function microShakeFactoryMesh(scope: Construct, options: ExampleOptions = {}): Mesh {
  const mesh = new Mesh(scope, 'micro-shake-factory', {
    istioVersion: '1.30',
    mtls: MtlsMode.STRICT,
    referenceWorkloads: {
      image: 'docker.io/mccutchen/go-httpbin:v2.15.0',
      runAsUser: 1000,
      probes: { readiness: { path: '/status/200' } },
      injection: SidecarInjection.auto({ holdApplicationUntilProxyStarts: true, traffic: { excludeOutboundPorts: [443] } }),
    },
  });
  if (options.ca) mesh.useCertificateAuthority(options.ca);
  const ns = mesh.addNamespace('micro-shake-factory');
  const ingress = MeshService.fromAttributes(mesh, 'IngressGateway', {
    namespace: 'istio-system', name: 'istio-ingressgateway', serviceAccount: 'istio-ingressgateway-service-account',
  });

  const fruits = ns.addService('fruits-api', { ports: [Port.http(80, { targetPort: 8080 })] });
  const juiceShop = ns.addService('juice-shop-api', { ports: [Port.http(80, { targetPort: 8080 }), Port.https(443, { targetPort: 8443 })] });

  fruits.requireJwt(ISTIO_SUCCINCTLY_ISSUER);
  fruits.allowEndUsers(ISTIO_SUCCINCTLY_ISSUER, { claims: { role: 'learner' }, methods: [HttpMethod.GET] });
  fruits.denyFrom(Peer.endUsers(ISTIO_SUCCINCTLY_ISSUER, { claims: { role: 'juice-hater' } }));

  juiceShop.allowFrom(ingress);
  return mesh;
}

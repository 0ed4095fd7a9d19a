import { Construct } from 'constructs';
import { ExampleOptions } from './example-options';
import { DefaultAccess, HttpMethod, MtlsMode } from '../constructs/enums';
import { JwtIssuer } from '../constructs/jwt-issuer';
import { Mesh } from '../constructs/mesh';
import { Peer } from '../constructs/peer';
import { Port } from '../constructs/port';
import { SidecarInjection } from '../constructs/sidecar-injection';

/** The issuer of Istio's authentication docs examples. */
export const EXAMPLE_ISSUER = JwtIssuer.of({
  issuer: 'https://issuer.example.com',
  jwksUri: 'https://issuer.example.com/.well-known/jwks.json',
});

/**
 * The foo/httpbin setup of Istio's security tasks: STRICT mTLS in namespace foo (the mesh stays
 * PERMISSIVE and allow-by-default, as in the tasks), JWTs from https://issuer.example.com required
 * for `app: my-app`, and POST from namespace dev denied on httpbin.
 */
export function fooHttpbinMesh(scope: Construct, options: ExampleOptions = {}): Mesh {
  const mesh = new Mesh(scope, 'foo-httpbin', {
    istioVersion: '1.30',
    mtls: MtlsMode.PERMISSIVE,
    defaultAccess: DefaultAccess.ALLOW,
    referenceWorkloads: { image: 'docker.io/mccutchen/go-httpbin:v2.15.0', runAsUser: 1000, injection: SidecarInjection.manual({ cni: true }) },
  });
  if (options.ca) mesh.useCertificateAuthority(options.ca);
  const foo = mesh.addNamespace('foo', { mtls: MtlsMode.STRICT });
  foo.addService('sleep', { workload: { image: 'docker.io/curlimages/curl:8.8.0', command: ['/bin/sleep', 'infinity'] } });
  const httpbin = foo.addService('httpbin', { ports: [Port.http(8000, { targetPort: 8080 })] });
  const myApp = foo.addService('my-app', { ports: [Port.http(8080)] });

  myApp.requireJwt(EXAMPLE_ISSUER, { exceptPaths: ['/healthz'] });
  httpbin.denyFrom(Peer.namespace('dev'), { methods: [HttpMethod.POST] });
  return mesh;
}

import { TrustmeshError, TrustmeshUsageError } from '../errors';
import { ClientCredential } from './client-credential';
import type { Mesh } from './mesh';
import type { MeshNamespace } from './mesh-namespace';
import { MeshService } from './mesh-service';
import { EgressPolicySpec, EgressTlsSpec, ExternalPortProtocol, ExternalPortSpec, ExternalServiceSpec } from '../model/egress';
import { assertSupports, IstioFeature } from '../model/istio-version';
import { assertDnsLabel, assertDnsSubdomain } from '../model/names';
import { assertPortNumber } from '../model/service-port';

/** Options of the {@link EgressPort} factories. */
export interface EgressPortOptions {
  /** @default - `<protocol>-<port>` */
  readonly name?: string;
}

/**
 * A port of an external host, with the protocol the caller speaks on it.
 * @example EgressPort.tls(443), EgressPort.http(80), EgressPort.tcp(5432)
 */
export class EgressPort {
  /** Plain HTTP; with {@link EgressTls} the sidecar upgrades it to TLS towards the host. */
  public static http(port: number, options: EgressPortOptions = {}): EgressPort { return new EgressPort('HTTP', port, options); }
  /** HTTPS the application encrypts itself (the sidecar sees TLS with SNI). */
  public static https(port: number, options: EgressPortOptions = {}): EgressPort { return new EgressPort('HTTPS', port, options); }
  /** Any TLS the application encrypts itself. */
  public static tls(port: number, options: EgressPortOptions = {}): EgressPort { return new EgressPort('TLS', port, options); }
  /** Opaque TCP. */
  public static tcp(port: number, options: EgressPortOptions = {}): EgressPort { return new EgressPort('TCP', port, options); }

  public readonly protocol: ExternalPortProtocol;
  public readonly port: number;
  public readonly name: string;

  private constructor(protocol: ExternalPortProtocol, port: number, options: EgressPortOptions) {
    assertPortNumber(port, 'egress port');
    const name = options.name ?? `${protocol.toLowerCase()}-${port}`;
    assertDnsLabel(name, 'egress port name');
    this.protocol = protocol;
    this.port = port;
    this.name = name;
  }
}

/** Options shared by the {@link EgressTls} factories. */
export interface EgressTlsOptions {
  /**
   * TLS port of the external host the sidecar connects to.
   * @default 443
   */
  readonly port?: number;
  /** @default - the host */
  readonly sni?: string;
  /**
   * Names the server certificate must carry.
   * @default - the host
   */
  readonly subjectAltNames?: string[];
}

/** Options of {@link EgressTls.simple}. */
export interface SimpleEgressTlsOptions extends EgressTlsOptions {
  /**
   * CA bundle (a file in the proxy) that verifies the server.
   * @default '/etc/ssl/certs/ca-certificates.crt' - the public CAs of the proxyv2 image
   */
  readonly caCertificates?: string;
}

/** Options of {@link EgressTls.mutual}. */
export interface MutualEgressTlsOptions extends EgressTlsOptions {
  /** The workloads that present the client certificate; all in one namespace. */
  readonly clients: MeshService[];
}

/**
 * TLS the sidecar originates towards an external host, so that applications speak plain HTTP and
 * the connection leaving the mesh is encrypted and the server verified.
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-tls-origination/
 * @example
 * mesh.allowEgressTo('api.example.com', { ports: [EgressPort.http(80)], tls: EgressTls.simple() });
 * mesh.allowEgressTo('partner.example.com', { ports: [EgressPort.http(80)], tls: EgressTls.mutual(credential, { clients: [billing] }) });
 */
export class EgressTls {
  /** Server-verified TLS (SIMPLE) with SNI and subject names checked. */
  public static simple(options: SimpleEgressTlsOptions = {}): EgressTls {
    return new EgressTls('SIMPLE', options, undefined, options.caCertificates ?? '/etc/ssl/certs/ca-certificates.crt', []);
  }

  /** mTLS with the clients' certificate (MUTUAL): the external service requires client certificates. */
  public static mutual(credential: ClientCredential, options: MutualEgressTlsOptions): EgressTls {
    if (!(credential instanceof ClientCredential)) throw new TrustmeshUsageError('EgressTls.mutual: credential must be a ClientCredential');
    if (!options || !Array.isArray(options.clients) || options.clients.length === 0 || options.clients.some((c) => !(c instanceof MeshService))) {
      throw new TrustmeshError('TM_EMPTY_MATCH_LIST', 'EgressTls.mutual needs the client services that present the certificate', {
        fix: 'pass clients: [service, …] (sidecars only load a credentialName for a DestinationRule with a workloadSelector)',
      });
    }
    return new EgressTls('MUTUAL', options, credential, undefined, options.clients);
  }

  private constructor(
    private readonly mode: 'SIMPLE' | 'MUTUAL',
    private readonly options: EgressTlsOptions,
    private readonly credential: ClientCredential | undefined,
    private readonly caCertificates: string | undefined,
    private readonly clients: readonly MeshService[],
  ) {
    if (options.port !== undefined) assertPortNumber(options.port, 'TLS origination port');
    if (caCertificates !== undefined && (!caCertificates.startsWith('/') || /\s/.test(caCertificates))) {
      throw new TrustmeshError('TM_INVALID_PATH', 'caCertificates is not an absolute file path in the proxy', { value: caCertificates });
    }
  }

  /** @internal TLS port of the host. */
  public get _port(): number {
    return this.options.port ?? 443;
  }

  /** @internal */
  public _toSpec(mesh: Mesh, host: string): EgressTlsSpec {
    const sni = this.options.sni ?? host;
    assertDnsSubdomain(sni, 'SNI');
    const subjectAltNames = [...(this.options.subjectAltNames ?? [host])].sort();
    if (subjectAltNames.length === 0) {
      throw new TrustmeshError('TM_EMPTY_MATCH_LIST', 'subjectAltNames is empty: the server certificate would not be checked', { fix: 'leave it out to check the host name' });
    }
    if (this.mode === 'SIMPLE') return { mode: 'SIMPLE', sni, subjectAltNames, caCertificates: this.caCertificates! };
    assertSupports(mesh.istioVersion, IstioFeature.DESTINATION_RULE_WORKLOAD_SELECTOR);
    const namespaces = [...new Set(this.clients.map((c) => c.namespace))].sort();
    if (namespaces.length > 1) {
      throw new TrustmeshError('TM_EGRESS_CLIENTS_NAMESPACES', `the clients of one client certificate are in several namespaces (${namespaces.join(', ')})`, {
        fix: 'Istio reads credentialName from the client\'s namespace: use one ClientCredential per namespace',
      });
    }
    if (this.clients.some((c) => c.mesh !== mesh || !c.inMesh)) {
      throw new TrustmeshError('TM_UNKNOWN_SERVICE', 'TLS origination clients must be in-mesh services of this mesh (the sidecar originates TLS)');
    }
    return {
      mode: 'MUTUAL',
      sni,
      subjectAltNames,
      credentialName: this.credential!._bind(namespaces[0]),
      clients: this.clients.map((c) => ({ namespace: c.namespace, name: c.name, labels: c.labels })),
    };
  }
}

/** Options of {@link Mesh.allowEgressTo}. */
export interface AllowEgressOptions {
  /**
   * Ports of the host callers use.
   * @default [EgressPort.tls(443)] - TLS the application encrypts itself
   */
  readonly ports?: EgressPort[];
  /**
   * TLS the sidecar originates on the plain-HTTP ports (towards `tls.port`, 443 by default).
   * @default - none: the application's own protocol is passed through
   */
  readonly tls?: EgressTls;
  /**
   * Only this namespace may reach the host (ServiceEntry in that namespace, `exportTo: ["."]`).
   * @default - every namespace (ServiceEntry in the root namespace, `exportTo: ["*"]`)
   */
  readonly namespace?: MeshNamespace;
  /**
   * Object name of the ServiceEntry.
   * @default - the host with dots replaced by dashes, e.g. `api-example-com`
   */
  readonly name?: string;
}

/** @internal builds the external service spec of {@link Mesh.allowEgressTo}. */
export function externalServiceSpec(mesh: Mesh, host: string, options: AllowEgressOptions): ExternalServiceSpec {
  if (typeof host !== 'string' || host.includes('*')) {
    throw new TrustmeshError('TM_INVALID_HOST', 'egress host is not an exact host name', {
      value: host, allowed: 'a DNS name such as "api.example.com" (wildcards need resolution NONE and are not offered)',
    });
  }
  const url = typeof host === 'string' ? hostOfUrl(host) : undefined;
  if (url) {
    throw new TrustmeshError('TM_INVALID_HOST', 'egress host is a URL, not a host name', {
      value: host,
      allowed: 'a host name such as "api.example.com" (the scheme and port go into ports)',
      fix: `pass the host name "${url.host}"${url.port ? `, with ports: [${url.port}]` : ''}`,
    });
  }
  assertDnsSubdomain(host, 'egress host');
  const ports = [...(options.ports ?? [EgressPort.tls(443)])];
  if (ports.length === 0 || ports.some((p) => !(p instanceof EgressPort))) {
    throw new TrustmeshError('TM_EMPTY_MATCH_LIST', 'egress ports must be a non-empty list of EgressPort values', { value: options.ports });
  }
  for (const key of ['port', 'name'] as const) {
    const values = ports.map((p) => p[key]);
    const dup = values.find((v, i) => values.indexOf(v) !== i);
    if (dup !== undefined) throw new TrustmeshError('TM_DUPLICATE_PORT', `egress to ${host} declares ${key} ${dup} twice`, { value: dup });
  }
  const tls = options.tls;
  if (tls !== undefined && !(tls instanceof EgressTls)) throw new TrustmeshUsageError('tls must be created with EgressTls.simple() or EgressTls.mutual(...)');
  const http = ports.filter((p) => p.protocol === 'HTTP');
  if (tls && http.length === 0) {
    throw new TrustmeshError('TM_EGRESS_TLS_WITHOUT_HTTP_PORT', `TLS origination towards ${host} needs a plain-HTTP port for the application to call`, {
      fix: 'add EgressPort.http(80), or drop tls if the application encrypts itself (EgressPort.tls/https)',
    });
  }
  if (tls) assertSupports(mesh.istioVersion, IstioFeature.SERVICE_ENTRY_TARGET_PORT);
  const portSpecs: ExternalPortSpec[] = ports.map((p) => ({
    name: p.name,
    number: p.port,
    protocol: p.protocol,
    ...(tls && p.protocol === 'HTTP' ? { targetPort: tls._port } : {}),
  }));
  const name = options.name ?? host.replace(/\./g, '-');
  assertDnsSubdomain(name, 'ServiceEntry name');
  const namespace = options.namespace?.namespaceName;
  if (options.namespace && options.namespace.mesh !== mesh) {
    throw new TrustmeshError('TM_UNKNOWN_NAMESPACE', `namespace ${namespace} belongs to another mesh`);
  }
  return {
    name,
    host,
    namespace: namespace ?? mesh.rootNamespace,
    exportTo: namespace ? ['.'] : ['*'],
    ports: portSpecs,
    ...(tls ? { tls: tls._toSpec(mesh, host) } : {}),
  };
}

/** The host (and the port as an EgressPort factory call) of a URL or `host:port`; undefined for anything else. */
function hostOfUrl(text: string): { host: string; port?: string } | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  const hostPort = /^([a-z0-9.-]+):(\d+)$/i.exec(text);
  if (!scheme && !hostPort) return undefined;
  let url: URL;
  try {
    url = new URL(scheme ? text : `tcp://${text}`);
  } catch {
    return undefined;
  }
  if (url.hostname === '') return undefined;
  const protocol = scheme?.[1].toLowerCase();
  const port = url.port !== '' ? Number(url.port) : protocol === 'https' ? 443 : protocol === 'http' ? 80 : undefined;
  const factory = protocol === 'http' ? 'http' : protocol === 'https' ? 'https' : 'tls';
  // HTTPS on 443 is what the default ports (EgressPort.tls(443)) already allow.
  const implied = port === undefined || (factory !== 'http' && port === 443);
  return { host: url.hostname.toLowerCase(), ...(implied ? {} : { port: `EgressPort.${factory}(${port})` }) };
}

/** @internal Registers an external host with the mesh (its objects are created by the mesh). */
export function declareEgress(mesh: Mesh, spec: ExternalServiceSpec): void {
  mesh._edges.addExternalService(spec);
}

/** @internal Registers the outbound traffic policy of the mesh or a namespace. */
export function declareEgressPolicy(mesh: Mesh, policy: EgressPolicySpec): void {
  mesh._edges.setEgressPolicy(policy);
}

/** Options of {@link Mesh.lockDownEgress}. */
export interface LockDownEgressOptions {
  /**
   * Lock down only these namespaces (their own Sidecar).
   * @default - the whole mesh (the root namespace's Sidecar, the default of every namespace without its own)
   */
  readonly namespaces?: MeshNamespace[];
  /**
   * Namespaces that keep unrestricted egress (an explicit ALLOW_ANY Sidecar of their own).
   * @default - none
   */
  readonly except?: MeshNamespace[];
}

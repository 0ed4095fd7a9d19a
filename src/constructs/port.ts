import { MtlsMode } from './enums';
import { assertDnsLabel } from '../model/names';
import { assertPortNumber, PortProtocol, portNamePrefix, ServicePortSpec } from '../model/service-port';

/** Options of the {@link Port} factories. */
export interface PortOptions {
  /**
   * Service port name. Istio reads the protocol from its prefix.
   * @default - `<protocol>-<port>`, e.g. `http-8080`
   */
  readonly name?: string;
  /**
   * Workload (container) port the Service forwards to; what AuthorizationPolicy `ports` and
   * `portLevelMtls` refer to.
   * @default - same as the Service port
   */
  readonly targetPort?: number;
  /**
   * mTLS mode for this port only.
   * @default - inherited from the service, namespace or mesh
   */
  readonly mtls?: MtlsMode;
}

/**
 * A Service port with its protocol, so that Istio applies the right filter chain (HTTP attributes
 * are only visible on HTTP-family ports).
 *
 * @example Port.http(9080), Port.grpc(9090, { targetPort: 50051 }), Port.tcp(5432, { mtls: MtlsMode.PERMISSIVE })
 */
export class Port {
  /** HTTP/1.1 (and h2c). */
  public static http(port: number, options: PortOptions = {}): Port { return new Port('HTTP', port, options); }
  /** HTTP/2. */
  public static http2(port: number, options: PortOptions = {}): Port { return new Port('HTTP2', port, options); }
  /** gRPC (HTTP/2; methods are always POST, paths are `/package.Service/Method`). */
  public static grpc(port: number, options: PortOptions = {}): Port { return new Port('GRPC', port, options); }
  /** gRPC-Web. */
  public static grpcWeb(port: number, options: PortOptions = {}): Port { return new Port('GRPC_WEB', port, options); }
  /** TLS-encrypted HTTP that the application terminates: the sidecar sees TCP only. */
  public static https(port: number, options: PortOptions = {}): Port { return new Port('HTTPS', port, options); }
  /** Opaque TLS: the sidecar sees TCP (and the SNI) only. */
  public static tls(port: number, options: PortOptions = {}): Port { return new Port('TLS', port, options); }
  /** Opaque TCP. */
  public static tcp(port: number, options: PortOptions = {}): Port { return new Port('TCP', port, options); }

  public readonly protocol: PortProtocol;
  public readonly port: number;
  public readonly targetPort: number;
  public readonly name: string;
  public readonly mtls?: MtlsMode;

  private constructor(protocol: PortProtocol, port: number, options: PortOptions) {
    assertPortNumber(port, 'service port');
    const targetPort = options.targetPort ?? port;
    assertPortNumber(targetPort, 'target port');
    const name = options.name ?? `${portNamePrefix(protocol)}-${port}`;
    assertDnsLabel(name, 'port name');
    this.protocol = protocol;
    this.port = port;
    this.targetPort = targetPort;
    this.name = name;
    this.mtls = options.mtls;
  }

  /** @internal */
  public _toSpec(): ServicePortSpec {
    return {
      name: this.name,
      port: this.port,
      targetPort: this.targetPort,
      protocol: this.protocol,
      ...(this.mtls ? { mtls: this.mtls } : {}),
    };
  }
}

import { TrustmeshError } from '../errors';
import { MtlsMode } from './mtls';

/**
 * Application protocols, as Istio selects them from the Service port name prefix or `appProtocol`.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export type PortProtocol = 'HTTP' | 'HTTP2' | 'GRPC' | 'GRPC_WEB' | 'HTTPS' | 'TLS' | 'TCP';

/** Protocols for which the sidecar sees HTTP requests (methods, paths, hosts, JWTs). */
const HTTP_PROTOCOLS: ReadonlySet<PortProtocol> = new Set(['HTTP', 'HTTP2', 'GRPC', 'GRPC_WEB']);

/** Whether authorization on this port sees HTTP attributes (otherwise the TCP filter chain applies). */
export function isHttpProtocol(protocol: PortProtocol): boolean {
  return HTTP_PROTOCOLS.has(protocol);
}

/** A declared Service port and the workload (container) port it maps to. */
export interface ServicePortSpec {
  /** Port name; Istio reads the protocol from its prefix, e.g. `http-api`. */
  readonly name: string;
  /** Service port. */
  readonly port: number;
  /** Workload port: what AuthorizationPolicy `ports` and `portLevelMtls` keys refer to. */
  readonly targetPort: number;
  readonly protocol: PortProtocol;
  /** mTLS override for this port. */
  readonly mtls?: MtlsMode;
}

/**
 * @throws TrustmeshError TM_INVALID_PORT
 */
export function assertPortNumber(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TrustmeshError('TM_INVALID_PORT', `${what} is out of range`, {
      value: port,
      allowed: 'an integer from 1 to 65535',
    });
  }
}

/** The Istio port-name prefix for a protocol (`http-`, `grpc-`, …). */
export function portNamePrefix(protocol: PortProtocol): string {
  return protocol.toLowerCase().replace('_', '-');
}

/** The Kubernetes `appProtocol` value Istio understands for a protocol. */
export function appProtocol(protocol: PortProtocol): string {
  switch (protocol) {
    case 'GRPC_WEB': return 'grpc-web';
    default: return protocol.toLowerCase();
  }
}

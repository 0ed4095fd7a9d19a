/**
 * Traffic leaving the mesh, as plain model data: outbound lock-down (Sidecar
 * `outboundTrafficPolicy`), the external hosts workloads may reach (ServiceEntry), TLS origination
 * towards them (DestinationRule), and explicit plaintext exceptions (DestinationRule
 * `tls.mode: DISABLE` for exactly one host).
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-tls-origination/
 * @module
 */

/** Sidecar `outboundTrafficPolicy.mode` values (ALLOW_ANY_DYNAMIC_DNS is mesh-config only). */
export type OutboundTrafficMode = 'REGISTRY_ONLY' | 'ALLOW_ANY';

/** Where an egress policy applies: the whole mesh (root-namespace Sidecar) or one namespace. */
export type EgressScope = { readonly kind: 'mesh' } | { readonly kind: 'namespace'; readonly namespace: string };

/** One outbound traffic policy, rendered as a selector-less Sidecar named `default`. */
export interface EgressPolicySpec {
  readonly scope: EgressScope;
  readonly mode: OutboundTrafficMode;
}

/** Protocols of an external service port. */
export type ExternalPortProtocol = 'HTTP' | 'HTTPS' | 'TLS' | 'TCP';

/** A ServiceEntry port. */
export interface ExternalPortSpec {
  readonly name: string;
  /** The port workloads call. */
  readonly number: number;
  readonly protocol: ExternalPortProtocol;
  /** The port on the external host, when the sidecar originates TLS from a plain-HTTP port. */
  readonly targetPort?: number;
}

/** Client TLS the sidecar originates towards an external host, on its plain-HTTP ports. */
export type EgressTlsSpec =
  | {
    readonly mode: 'SIMPLE';
    readonly sni: string;
    readonly subjectAltNames: readonly string[];
    /** Path of the CA bundle in the proxy that verifies the server. */
    readonly caCertificates: string;
  }
  | {
    readonly mode: 'MUTUAL';
    readonly sni: string;
    readonly subjectAltNames: readonly string[];
    /**
     * Secret with the client certificate (`tls.crt`, `tls.key`) and the CA bundle that verifies
     * the server (`ca.crt`); sidecars honour it only for a DestinationRule with a workloadSelector.
     */
    readonly credentialName: string;
    /** The workloads that present the client certificate (one DestinationRule each). */
    readonly clients: readonly { readonly namespace: string; readonly name: string; readonly labels: Readonly<Record<string, string>> }[];
  };

/** An external host workloads may call. */
export interface ExternalServiceSpec {
  /** Object name of the ServiceEntry (and prefix of its DestinationRules). */
  readonly name: string;
  readonly host: string;
  /** Namespace of the ServiceEntry: the root namespace for mesh-wide access, else the caller's. */
  readonly namespace: string;
  /** `exportTo`: `["*"]` mesh-wide, `["."]` for one namespace. */
  readonly exportTo: readonly string[];
  readonly ports: readonly ExternalPortSpec[];
  readonly tls?: EgressTlsSpec;
}

/** A host clients must reach without Istio mTLS: the Kubernetes API server, a service outside the mesh. */
export interface PlaintextExceptionSpec {
  /** Object name of the DestinationRule. */
  readonly name: string;
  readonly host: string;
  /** Only this port (port-level settings), or the whole host. */
  readonly port?: number;
  /** Namespace of the DestinationRule (the root namespace: it applies to every client). */
  readonly namespace: string;
  /** Why, for reviewers (rendered as an annotation). */
  readonly reason: string;
}

/**
 * The access request that the offline evaluator (and the intent model's own decision function)
 * answers: "would this request reach the destination workload, and which policy decided?".
 *
 * The JSON shape is fixed by the project's issue 5 and is what `trustmesh check --request` reads:
 *
 * ```json
 * {"protocol":"HTTP", "source":{"principal":"cluster.local/ns/dev/sa/sleep","namespace":"dev","ip":"10.0.0.1"},
 *  "jwt":null, "destination":{"namespace":"foo","labels":{"app":"httpbin"},"port":8000},
 *  "method":"POST", "path":"/post"}
 * ```
 *
 * This module has no dependency on the evaluator, so the model can share the types; the JSON
 * reader is `parse-access-request.ts`.
 *
 * @module
 */
/** Transport of the request as the destination sidecar sees it. */
export type AccessProtocol = 'HTTP' | 'TCP';

/** Where a token was presented: `header:<name>`, `query:<param>` or `cookie:<name>`. */
export type JwtLocation = `header:${string}` | `query:${string}` | `cookie:${string}`;

/** The calling workload (or plain client). */
export interface AccessRequestSource {
  /**
   * Peer identity from the client certificate, `<trust-domain>/ns/<ns>/sa/<sa>` (no `spiffe://`).
   * `null` means the client sent plaintext (no sidecar, or mTLS not used).
   */
  readonly principal: string | null;
  /** Namespace of the client; `null` for plaintext clients. Authorization derives it from the principal. */
  readonly namespace: string | null;
  /** Downstream connection address (`source.ip`, `ipBlocks`). */
  readonly ip: string;
  /**
   * The original client address (`remote.ip`, `remoteIpBlocks`), when the caller already knows it.
   * @default - derived from `X-Forwarded-For` and MeshConfig `numTrustedProxies`, else `ip`
   */
  readonly remoteIp?: string;
}

/** A token the JWT filter can verify. */
export interface ValidJwt {
  readonly status: 'valid';
  /** The decoded payload (`iss`, `sub`, `aud`, `azp`, custom claims). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** @default 'header:Authorization' (as `Bearer <token>`) */
  readonly location?: JwtLocation;
}

/** A token that fails verification (bad signature, expired, unparsable). */
export interface InvalidJwt {
  readonly status: 'invalid';
  readonly reason: 'expired' | 'malformed';
  /** @default 'header:Authorization' */
  readonly location?: JwtLocation;
}

/** The end-user token carried by the request. */
export type RequestJwt = ValidJwt | InvalidJwt;

/** The workload receiving the request. */
export interface AccessRequestDestination {
  readonly namespace: string;
  /** Pod labels of the destination workload (what `selector.matchLabels` is compared with). */
  readonly labels: Readonly<Record<string, string>>;
  /** Workload (container) port, not the Service port. */
  readonly port: number;
  /** Destination address (`destination.ip`). */
  readonly ip?: string;
}

/** One request to decide. */
export interface AccessRequest {
  readonly protocol: AccessProtocol;
  readonly source: AccessRequestSource;
  /** The end-user token, `null` when none is sent. HTTP only. */
  readonly jwt: RequestJwt | null;
  readonly destination: AccessRequestDestination;
  /** HTTP `Host` / `:authority`. */
  readonly host?: string;
  /** HTTP method, upper case. @default 'GET' for HTTP requests */
  readonly method?: string;
  /** HTTP path including any query string, as sent (normalized by the evaluator). @default '/' */
  readonly path?: string;
  /** HTTP headers; names are lower-cased by `parseAccessRequest`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** TLS server name the client sent (`connection.sni`). */
  readonly sni?: string;
}

/** What the client observes. */
export type AccessOutcome = 'ALLOW' | 'DENY_403' | 'DENY_401' | 'DENY_CONN';

/** A policy that decided (or could have decided) a request. */
export interface DecidingPolicy {
  readonly kind: 'AuthorizationPolicy' | 'PeerAuthentication' | 'RequestAuthentication' | 'NetworkPolicy' | 'Sidecar'
  /** Pre-1.6 kinds, decided by the legacy evaluator. */
  | 'Policy' | 'MeshPolicy' | 'RbacConfig' | 'ClusterRbacConfig' | 'ServiceRole' | 'ServiceRoleBinding';
  readonly namespace: string;
  readonly name: string;
  /**
   * AuthorizationPolicy action (`ALLOW`, `DENY`, `CUSTOM`, `AUDIT`); the effective mTLS mode for
   * a PeerAuthentication (`STRICT`); `JWT` for a RequestAuthentication; `Ingress`/`Egress` for a
   * NetworkPolicy (the direction that refused the connection); `REGISTRY_ONLY` for a Sidecar.
   */
  readonly action: string;
  /** Index into `spec.rules` (AuthorizationPolicy) or `spec.jwtRules` (RequestAuthentication); `null` when no single rule decided. */
  readonly rule: number | null;
}

/** A dry-run (`istio.io/dry-run: "true"`) AuthorizationPolicy that applies to the workload. */
export interface DryRunResult extends DecidingPolicy {
  /** Whether the policy would have matched had it been enforced (`rule` is the matching rule). */
  readonly matched: boolean;
}

/** A CUSTOM policy whose rule matched, so Istio asks the external authorizer. */
export interface CustomAuthzResult extends DecidingPolicy {
  readonly provider: string;
  /** What the evaluator assumed about the external decision. */
  readonly note: string;
}

/** A policy in scope that does not apply to sidecars, and why. */
export interface IgnoredPolicy {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
}

/**
 * The evaluator's answer. Common decisions are shared between requests and frozen (check13): copy
 * one before adding to it.
 */
export interface AccessDecision {
  readonly outcome: AccessOutcome;
  /** `outcome === 'ALLOW'`. */
  readonly allowed: boolean;
  /** The deciding policy; for "no ALLOW policy matched", the ALLOW policies that were candidates (`rule: null`). */
  readonly decidedBy: readonly DecidingPolicy[];
  /** One human line, e.g. `denied by foo/httpbin-deny rule 0: source namespace dev matched, method POST matched`. */
  readonly explanation: string;
  /** Dry-run policies applying to the workload (never enforced). */
  readonly dryRun?: readonly DryRunResult[];
  /** AUDIT policies that matched (they never change the decision). */
  readonly audit?: readonly DecidingPolicy[];
  /** CUSTOM policies that matched and delegated to an external authorizer. */
  readonly custom?: readonly CustomAuthzResult[];
  /** Policies in scope that the sidecar ignores (e.g. `targetRefs`). */
  readonly ignored?: readonly IgnoredPolicy[];
  /** The Kubernetes NetworkPolicy (L3/L4) verdict, decided before Istio; only when the input has NetworkPolicies. */
  readonly network?: NetworkVerdict;
}

/** The NetworkPolicy layer's answer on the connection a request travels over. */
export interface NetworkVerdict {
  readonly allowed: boolean;
  /** e.g. `denied by NetworkPolicy shop/default-deny (no ingress rule admits port 5432)`. */
  readonly explanation: string;
}

/**
 * The normalized, typed view of a set of Kubernetes/Istio manifests that every analysis (evaluator,
 * access matrix, semantic diff, analyzer) works on. Produced by `loadConfig` / `parseConfigText`.
 *
 * Security kinds (AuthorizationPolicy, PeerAuthentication, RequestAuthentication, `v1` and
 * `v1beta1` alike) are validated and typed; networking kinds keep their `spec` as data; workloads
 * are reduced to what identity and selection need. Every object keeps where it was written.
 *
 * @module
 */
import type { LegacyPolicies } from './legacy-resources';
import { FieldPath } from './yaml-source';
import { Diagnostic, SourceLocation } from '../../errors';

/** Where an object starts: `file:line:column` of its document (or List item). */
export interface ObjectSource {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The metadata every loaded object has. */
export interface ObjectMeta {
  readonly name: string;
  /** The object's namespace; the load's default namespace when omitted; `''` for cluster-scoped kinds. */
  readonly namespace: string;
  /** True when `metadata.namespace` was omitted and the default was used. */
  readonly namespaceDefaulted: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** RFC 3339 creation time, when the manifest carries one (exported cluster state does). */
  readonly creationTimestamp?: string;
}

/** Any loaded Kubernetes object. */
export interface LoadedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  /** The object as written (plain data). */
  readonly body: Readonly<Record<string, unknown>>;
  readonly source: ObjectSource;
  /**
   * The text of the YAML document the object is, when that text alone decides `body` (see
   * `YamlDocument.text`); undefined for List items and objects not parsed that way. `metadata`
   * follows from `body` and the namespace: two objects with the same `documentText` and
   * `metadata.namespace` have the same content (the diff compares them so, diff14).
   */
  readonly documentText?: string;
  /** `file:line:column` of a field, e.g. `locate(['spec', 'rules', 0, 'from'])`. */
  locate(path: FieldPath): SourceLocation;
}

/** `spec.selector` of a policy. An empty `matchLabels` selects every workload in scope. */
export interface WorkloadSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
}

/** `spec.targetRefs[]` (and the older singular `targetRef`). */
export interface PolicyTargetReference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** AuthorizationPolicy `action`. */
export type AuthorizationAction = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

/** `rules[].from[].source`. All fields optional; fields are ANDed, values ORed. */
export interface AuthorizationSource {
  readonly principals?: readonly string[];
  readonly notPrincipals?: readonly string[];
  readonly requestPrincipals?: readonly string[];
  readonly notRequestPrincipals?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly notNamespaces?: readonly string[];
  readonly serviceAccounts?: readonly string[];
  readonly notServiceAccounts?: readonly string[];
  readonly trustDomains?: readonly string[];
  readonly notTrustDomains?: readonly string[];
  readonly ipBlocks?: readonly string[];
  readonly notIpBlocks?: readonly string[];
  readonly remoteIpBlocks?: readonly string[];
  readonly notRemoteIpBlocks?: readonly string[];
}

/** `rules[].to[].operation`. */
export interface AuthorizationOperation {
  readonly hosts?: readonly string[];
  readonly notHosts?: readonly string[];
  readonly ports?: readonly string[];
  readonly notPorts?: readonly string[];
  readonly methods?: readonly string[];
  readonly notMethods?: readonly string[];
  readonly paths?: readonly string[];
  readonly notPaths?: readonly string[];
}

/** `rules[].when[]`. */
export interface AuthorizationCondition {
  readonly key: string;
  readonly values?: readonly string[];
  readonly notValues?: readonly string[];
}

/** One `rules[]` entry. `from`/`to` entries whose `source`/`operation` is omitted match anything. */
export interface AuthorizationRule {
  readonly from?: readonly { readonly source?: AuthorizationSource }[];
  readonly to?: readonly { readonly operation?: AuthorizationOperation }[];
  readonly when?: readonly AuthorizationCondition[];
}

/** AuthorizationPolicy `spec`, `v1` and `v1beta1` alike. */
export interface AuthorizationPolicySpec {
  readonly selector?: WorkloadSelector;
  /** `targetRefs` plus the singular `targetRef`. Non-empty means "not for sidecars". */
  readonly targetRefs: readonly PolicyTargetReference[];
  /** @default 'ALLOW' */
  readonly action: AuthorizationAction;
  readonly provider?: { readonly name?: string };
  /** `null` entries are kept (Istio skips them). No rules: the policy never matches. */
  readonly rules: readonly (AuthorizationRule | null)[];
}

/** PeerAuthentication mTLS mode. */
export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

/** PeerAuthentication `spec`. */
export interface PeerAuthenticationSpec {
  readonly selector?: WorkloadSelector;
  /** `mtls.mode`; `UNSET` when omitted. */
  readonly mode: MtlsMode;
  /** `portLevelMtls`, keyed by workload port number. */
  readonly portLevelMtls: Readonly<Record<number, MtlsMode>>;
}

/** `jwtRules[].fromHeaders[]`. */
export interface JwtHeader {
  readonly name: string;
  readonly prefix?: string;
}

/** RequestAuthentication `jwtRules[]`. */
export interface JwtRule {
  readonly issuer?: string;
  readonly audiences: readonly string[];
  readonly jwksUri?: string;
  readonly jwks?: string;
  readonly fromHeaders: readonly JwtHeader[];
  readonly fromParams: readonly string[];
  readonly fromCookies: readonly string[];
  readonly outputPayloadToHeader?: string;
  readonly forwardOriginalToken?: boolean;
  readonly outputClaimToHeaders: readonly { readonly header: string; readonly claim: string }[];
  readonly timeout?: string;
  readonly spaceDelimitedClaims: readonly string[];
  /** Present in the newest CRD only; not used by istiod (see docs/evaluator.md). */
  readonly presence?: string;
}

/** RequestAuthentication `spec`. */
export interface RequestAuthenticationSpec {
  readonly selector?: WorkloadSelector;
  readonly targetRefs: readonly PolicyTargetReference[];
  readonly jwtRules: readonly JwtRule[];
}

/** A loaded object with a typed spec. */
export interface TypedObject<K extends string, S> extends LoadedObject {
  readonly kind: K;
  readonly spec: S;
}

export type AuthorizationPolicyResource = TypedObject<'AuthorizationPolicy', AuthorizationPolicySpec>;
export type PeerAuthenticationResource = TypedObject<'PeerAuthentication', PeerAuthenticationSpec>;
export type RequestAuthenticationResource = TypedObject<'RequestAuthentication', RequestAuthenticationSpec>;

/** An Istio networking (or telemetry/extensions) object; `spec` is kept as written. */
export interface IstioResource extends LoadedObject {
  readonly spec: Readonly<Record<string, unknown>>;
}

/** Kinds of objects that run pods. */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob' | 'Pod' | 'WorkloadEntry';

/** A container port of a workload. */
export interface WorkloadPort {
  readonly containerPort: number;
  readonly name?: string;
  readonly protocol: string;
}

/** A workload reduced to what identity and policy selection need. */
export interface Workload extends LoadedObject {
  readonly kind: WorkloadKind;
  /** Pod template labels (what selectors match). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Pod template annotations. */
  readonly podAnnotations: Readonly<Record<string, string>>;
  /** `spec.serviceAccountName` (or `serviceAccount`); `default` when omitted. */
  readonly serviceAccountName: string;
  readonly ports: readonly WorkloadPort[];
}

/** A Service port. */
export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** Number, or a container port name; defaults to `port`. */
  readonly targetPort: number | string;
  readonly protocol: string;
  readonly appProtocol?: string;
}

/** A Kubernetes Service. */
export interface ServiceResource extends LoadedObject {
  readonly kind: 'Service';
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
  readonly type: string;
}

/** The loaded configuration. Lists are in load order (files sorted, documents in order). */
export interface IstioConfig {
  /** Every object loaded, known kinds or not. */
  readonly objects: readonly LoadedObject[];
  readonly authorizationPolicies: readonly AuthorizationPolicyResource[];
  readonly peerAuthentications: readonly PeerAuthenticationResource[];
  readonly requestAuthentications: readonly RequestAuthenticationResource[];
  readonly destinationRules: readonly IstioResource[];
  readonly gateways: readonly IstioResource[];
  readonly virtualServices: readonly IstioResource[];
  readonly serviceEntries: readonly IstioResource[];
  readonly sidecars: readonly IstioResource[];
  readonly envoyFilters: readonly IstioResource[];
  readonly workloadGroups: readonly IstioResource[];
  readonly telemetries: readonly IstioResource[];
  /** Pre-1.6 `authentication.istio.io` / `rbac.istio.io` objects (see `legacy-resources.ts`). */
  readonly legacy: LegacyPolicies;
  readonly workloads: readonly Workload[];
  readonly services: readonly ServiceResource[];
  readonly serviceAccounts: readonly LoadedObject[];
  readonly namespaces: readonly LoadedObject[];
  /** Objects of kinds the analysis does not interpret (kept for other tools). */
  readonly unknown: readonly LoadedObject[];
  /** Problems found while loading: invalid security objects (errors), skipped documents (warnings). */
  readonly diagnostics: readonly Diagnostic[];
}

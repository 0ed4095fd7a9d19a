/** What an intention does when it matches. AUDIT only marks requests; it never changes a decision. */
export type IntentionAction = 'ALLOW' | 'DENY' | 'AUDIT';

/** Whether an intention is enforced, or only observed (Istio dry-run: logged and counted, never applied). */
export type Enforcement = 'ENFORCE' | 'DRY_RUN';

/** Identifies a declared service: `<namespace>/<name>`. */
export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
}

/** The caller an intention is about. */
export type PeerSpec =
  /** A service's workload identity (its service account). */
  | {
    readonly kind: 'service';
    readonly namespace: string;
    readonly name: string;
    readonly serviceAccount: string;
    /** Whether the caller runs with a sidecar (has an mTLS identity). */
    readonly inMesh: boolean;
    /** Addresses of an out-of-mesh caller, used to recognize it without an identity. */
    readonly ipBlocks?: readonly string[];
    /** The mesh that declared it, or `undefined` for a service imported by reference. */
    readonly declaredIn?: string;
  }
  /** Every workload identity of a namespace. */
  | { readonly kind: 'namespace'; readonly namespace: string }
  /** Any authenticated mTLS peer. */
  | { readonly kind: 'anyMeshIdentity' }
  /** Anyone, including plaintext callers (narrow it with an end-user requirement or matches). */
  | { readonly kind: 'anyone' }
  /** Callers by address: the connection's source (`ipBlocks`) or the original client behind trusted proxies (`remoteIpBlocks`). */
  | { readonly kind: 'ipBlocks'; readonly blocks: readonly string[]; readonly remote: boolean };

/** A requirement on a JWT claim: the claim (a path for nested claims) must equal one of the values. */
export interface ClaimRequirement {
  /** `['role']`, or `['realm_access', 'roles']` for a nested claim. */
  readonly claim: readonly string[];
  /** Accepted values; a list claim matches when any element is accepted. */
  readonly values: readonly string[];
}

/** The end user on whose behalf the call is made: a valid token from `issuer` with these claims. */
export interface EndUserRequirement {
  readonly issuer: string;
  /** Accepted `sub` values; empty means any subject of the issuer. */
  readonly subjects: readonly string[];
  readonly claims: readonly ClaimRequirement[];
}

/** A header condition: one of `values` (Istio string patterns), and none of `notValues`. */
export interface HeaderMatchSpec {
  readonly name: string;
  readonly values?: readonly string[];
  readonly notValues?: readonly string[];
}

/**
 * What part of the destination an intention covers. Every list is optional; an absent list does
 * not restrict. `ports` are *Service* port numbers (rendered as the workload ports Istio compares).
 */
export interface MatchSpec {
  readonly ports?: readonly number[];
  readonly notPorts?: readonly number[];
  readonly methods?: readonly string[];
  readonly notMethods?: readonly string[];
  readonly paths?: readonly string[];
  readonly notPaths?: readonly string[];
  readonly hosts?: readonly string[];
  readonly notHosts?: readonly string[];
  readonly headers?: readonly HeaderMatchSpec[];
}

/** One trust intention: who may (or may not) call a destination, how, on behalf of whom. */
export interface IntentionSpec {
  readonly destination: ServiceRef;
  readonly action: IntentionAction;
  readonly enforcement: Enforcement;
  readonly peer: PeerSpec;
  readonly endUser?: EndUserRequirement;
  readonly match: MatchSpec;
}

/** "Requests to this service need a token from one of these issuers", except on some paths. */
export interface JwtRequirementSpec {
  readonly issuers: readonly string[];
  readonly exceptPaths: readonly string[];
  readonly enforcement: Enforcement;
}

/** Whether an intention uses attributes only HTTP requests have (Istio drops or ignores them on TCP). */
export function usesHttpOnlyFields(intention: Pick<IntentionSpec, 'endUser' | 'match'>): boolean {
  return intention.endUser !== undefined || matchUsesHttpOnlyFields(intention.match);
}

/** Whether a match uses attributes only HTTP requests have (methods, paths, hosts, headers). */
export function matchUsesHttpOnlyFields(m: MatchSpec): boolean {
  // Field by field rather than over a list of them: asked for every intention, while declaring and rendering.
  return nonEmpty(m.methods) || nonEmpty(m.notMethods) || nonEmpty(m.paths) || nonEmpty(m.notPaths)
    || nonEmpty(m.hosts) || nonEmpty(m.notHosts) || nonEmpty(m.headers);
}

function nonEmpty(list: readonly unknown[] | undefined): boolean {
  return list !== undefined && list.length > 0;
}

/** `<namespace>/<name>`. */
export function serviceKey(ref: ServiceRef): string {
  return `${ref.namespace}/${ref.name}`;
}

/**
 * The attributes an Envoy RBAC filter sees for one request, derived from an {@link AccessRequest},
 * the outcome of peer and request authentication, and MeshConfig. Expensive attributes (addresses,
 * the normalized path) are computed on first use, since most rules look at a few of them only.
 *
 * @module
 */
import { AccessRequest } from '../../semantics/access-request';
import { originalClientAddress } from '../../semantics/client-address';
import { IpAddress, parseIp } from '../../semantics/ip-match';
import { normalizePath } from '../../semantics/path-normalization';
import { MeshConfig } from '../config/mesh-config';

const CANONICAL_PRINCIPAL = /^[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/;
const UNSET = Symbol('unset');

/** A principal's canonical service account and rule index keys, computed once per distinct principal. */
interface PrincipalFacts {
  readonly serviceAccount: string | null;
  readonly identityKeys: readonly string[] | undefined;
  /** perf5: {@link identityKeyBit} of each key, in the same order. */
  identityBits?: readonly number[];
  /**
   * check13: the {@link internIdentityKey} id of each key (-1: no rule names it) as this object's
   * own fields (no array of their own: one object fewer per decision), valid while the interner
   * holds `idsAt` keys (-1: not computed yet).
   */
  n: number;
  id0: number;
  id1: number;
  id2: number;
  id3: number;
  id4: number;
  idsAt: number;
}

/**
 * check13: a canonical principal's identity key ids as an object's own fields: `n` ids (at most
 * five, see {@link keysOf}), `id0` to `id4`, unused ones -1. Read with {@link identityIdAt}.
 */
export interface IdentityIds {
  readonly n: number;
  readonly id0: number;
  readonly id1: number;
  readonly id2: number;
  readonly id3: number;
  readonly id4: number;
}

/** The `i`th id of `ids` (`i` < `ids.n`). */
export function identityIdAt(ids: IdentityIds, i: number): number {
  switch (i) {
    case 0: return ids.id0;
    case 1: return ids.id1;
    case 2: return ids.id2;
    case 3: return ids.id3;
    default: return ids.id4;
  }
}

/** At most five keys: more could not be held by {@link IdentityIds}. */
const MAX_IDENTITY_KEYS = 5;

const NO_KEYS: readonly string[] = [];
const NO_BITS: readonly number[] = [];

/**
 * A bit 0..63 of an identity key (FNV-1a of its characters): rule sets keep the union of their
 * keys' bits, so that a request skips the lookup of a key no rule of the set can be filed under.
 */
export function identityKeyBit(key: string): number {
  /* eslint-disable no-bitwise -- a hash */
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 64;
  /* eslint-enable no-bitwise */
}

/**
 * perf8: identity keys interned as small integers. Rule tables file rules under these ids (see
 * workload-rules.ts), and a request looks its identity up by comparing integers instead of
 * hashing strings in a map per workload. Only the keys of compiled rules are interned, so the
 * table grows with the configs loaded, not with the requests decided.
 */
const identityKeyIds = new Map<string, number>();

/** The id of an identity key that a rule names (interned on first use). */
export function internIdentityKey(key: string): number {
  let id = identityKeyIds.get(key);
  if (id === undefined) {
    id = identityKeyIds.size;
    identityKeyIds.set(key, id);
  }
  return id;
}

const NO_IDS: IdentityIds = Object.freeze({ n: 0, id0: -1, id1: -1, id2: -1, id3: -1, id4: -1 });

function idsOf(f: PrincipalFacts): IdentityIds | undefined {
  if (f.identityKeys === undefined) return undefined;
  // Recomputed only when rules with new keys were compiled since (a key unknown then may be known now).
  if (f.idsAt !== identityKeyIds.size) {
    const keys = f.identityKeys;
    const id = (i: number): number => (i < keys.length ? identityKeyIds.get(keys[i]) ?? -1 : -1);
    f.n = keys.length;
    f.id0 = id(0);
    f.id1 = id(1);
    f.id2 = id(2);
    f.id3 = id(3);
    f.id4 = id(4);
    f.idsAt = identityKeyIds.size;
  }
  return f;
}

/* eslint-disable no-bitwise -- guard words and IPv4 addresses (perf8) */
/** The standard methods, bits 0-8 of a rule guard word (workload-rules.ts); any other method is {@link GUARD_OTHER_METHOD}. */
const METHOD_BITS: ReadonlyMap<string, number> = new Map(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']
  .map((m, i) => [m, 1 << i]));
export const GUARD_OTHER_METHOD = 1 << 15;
/** Guard bit: a verified token (rules that need one). */
export const GUARD_CLAIMS = 1 << 16;

/** The guard bit of a method; 0 without one. */
export function methodBit(method: string | undefined): number {
  return method === undefined ? 0 : METHOD_BITS.get(method) ?? GUARD_OTHER_METHOD;
}

/** A 4-byte address as a signed 32-bit integer. */
export function ipv4Int(bytes: Uint8Array): number {
  return (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
}
/* eslint-enable no-bitwise */

const PRINCIPAL_FACTS_LIMIT = 100_000;
const principalFacts = new Map<string, PrincipalFacts>();

function factsOf(principal: string): PrincipalFacts {
  let f = principalFacts.get(principal);
  if (!f) {
    const m = CANONICAL_PRINCIPAL.exec(principal);
    const sa = m ? `${m[1]}/${m[2]}` : null;
    const identityKeys = m === null ? undefined : keysOf(principal, m[1], `${m[1]}/${m[2]}`);
    // perf8: the bits (no longer used by the evaluator) are computed on first use.
    f = { serviceAccount: sa, identityKeys, identityBits: undefined, n: 0, id0: -1, id1: -1, id2: -1, id3: -1, id4: -1, idsAt: -1 };
    if (principalFacts.size >= PRINCIPAL_FACTS_LIMIT) principalFacts.clear();
    principalFacts.set(principal, f);
  }
  return f;
}

/**
 * The index keys of a canonical principal `<td>/ns/<ns>/sa/<sa>`. A `namespaces` value V matches
 * when `spiffe://<principal>` contains `/ns/V/` (istiod's regex): besides `<ns>`, that is
 * `sa` when `<ns>` is `ns` (`…/ns/ns/sa/…`) and `ns` when the trust domain is `ns` (`//ns/ns/…`).
 */
function keysOf(principal: string, namespace: string, serviceAccount: string): readonly string[] {
  const keys = [`sa:${serviceAccount}`, `ns:${namespace}`, `p:${principal}`];
  if (namespace === 'ns') keys.push('ns:sa');
  if (principal.startsWith('ns/') && namespace !== 'ns') keys.push('ns:ns');
  if (keys.length > MAX_IDENTITY_KEYS) throw new Error(`internal: ${keys.length} identity keys`);
  return keys;
}

/** Request attributes as authorization sees them. `undefined` means "absent". */
export class RequestAttributes {
  public readonly protocol: 'HTTP' | 'TCP';
  /** Peer principal from the mTLS certificate; absent for plaintext (and for ports with mTLS DISABLE). */
  public readonly principal?: string;
  public readonly sourceIpText: string;
  public readonly destinationIpText?: string;
  /** Workload port. */
  public readonly port: number;
  public readonly host?: string;
  public readonly method?: string;
  public readonly sni?: string;
  /** Claims of a token that the JWT filter verified; absent when no token was verified. */
  public readonly claims?: Readonly<Record<string, unknown>>;

  private readonly request: AccessRequest;
  private readonly mesh: MeshConfig;
  /** perf8: the principal's facts, looked up once per request (undefined: not yet, or no principal). */
  private factsValue: PrincipalFacts | undefined;
  private sourceIpValue: IpAddress | undefined | typeof UNSET = UNSET;
  private remoteIpTextValue: string | undefined | typeof UNSET = UNSET;
  private remoteIpValue: IpAddress | undefined | typeof UNSET = UNSET;
  private destinationIpValue: IpAddress | undefined | typeof UNSET = UNSET;
  private pathValue: string | undefined | typeof UNSET = UNSET;
  private guardWordValue = -1;

  /**
   * @param principal the peer identity authorization may use (after PeerAuthentication).
   * @param claims the verified token claims (after RequestAuthentication).
   */
  public constructor(request: AccessRequest, mesh: MeshConfig, principal: string | undefined,
    claims: Readonly<Record<string, unknown>> | undefined) {
    this.request = request;
    this.mesh = mesh;
    this.protocol = request.protocol;
    this.principal = principal;
    this.sourceIpText = request.source.ip;
    this.destinationIpText = request.destination.ip;
    this.port = request.destination.port;
    const http = request.protocol === 'HTTP';
    this.host = http ? request.host : undefined;
    this.method = http ? request.method ?? 'GET' : undefined;
    this.sni = request.sni;
    this.claims = claims;
  }

  /**
   * `<ns>/<sa>` when the principal has the canonical form `<td>/ns/<ns>/sa/<sa>`, else `null`
   * (then matchers fall back to Istio's regular expressions).
   */
  public get canonicalServiceAccount(): string | null {
    return this.principal === undefined ? null : this.facts().serviceAccount;
  }

  private facts(): PrincipalFacts {
    return this.factsValue ??= factsOf(this.principal!);
  }

  /**
   * The peer identity as rule index keys (`sa:<ns>/<sa>`, `ns:<ns>`, `p:<principal>`): none for a
   * plaintext request, `undefined` for a principal of another shape (then no rule is skipped).
   */
  public get identityKeys(): readonly string[] | undefined {
    return this.principal === undefined ? NO_KEYS : this.facts().identityKeys;
  }

  /** {@link identityKeyBit} of each of {@link identityKeys}, in the same order. */
  public get identityBits(): readonly number[] {
    if (this.principal === undefined) return NO_BITS;
    const f = this.facts();
    return f.identityBits ??= f.identityKeys?.map(identityKeyBit) ?? NO_BITS;
  }

  /**
   * perf8: {@link internIdentityKey} ids of {@link identityKeys}, in the same order (-1 for a key
   * no compiled rule names); empty for a plaintext request, `undefined` when the principal has
   * another shape (then no rule is skipped).
   */
  public get identityIds(): IdentityIds | undefined {
    return this.principal === undefined ? NO_IDS : idsOf(this.facts());
  }

  /**
   * perf8: what rule guards test (workload-rules.ts): the {@link methodBit} of the method, and
   * {@link GUARD_CLAIMS} when a token was verified.
   */
  public get guardWord(): number {
    if (this.guardWordValue < 0) {
      // eslint-disable-next-line no-bitwise
      this.guardWordValue = methodBit(this.method) | (this.claims !== undefined ? GUARD_CLAIMS : 0);
    }
    return this.guardWordValue;
  }

  /** perf8: `source.ip` as a signed 32-bit integer when it is an IPv4 address (see {@link ipv4Int}). */
  public get sourceIpv4(): number | undefined {
    const ip = this.sourceIp;
    return ip !== undefined && ip.version === 4 ? ipv4Int(ip.bytes) : undefined;
  }

  /** `source.ip`: the downstream connection address. */
  public get sourceIp(): IpAddress | undefined {
    if (this.sourceIpValue === UNSET) this.sourceIpValue = parseIp(this.sourceIpText);
    return this.sourceIpValue;
  }

  /** `remote.ip`, see {@link originalClientAddress}. */
  public get remoteIpText(): string | undefined {
    if (this.remoteIpTextValue === UNSET) {
      this.remoteIpTextValue = originalClientAddress(this.request, this.request.headers ?? {}, this.mesh.numTrustedProxies);
    }
    return this.remoteIpTextValue;
  }

  public get remoteIp(): IpAddress | undefined {
    if (this.remoteIpValue === UNSET) {
      const text = this.remoteIpText;
      this.remoteIpValue = text === undefined ? undefined : parseIp(text);
    }
    return this.remoteIpValue;
  }

  /** `destination.ip`, when the request names it. */
  public get destinationIp(): IpAddress | undefined {
    if (this.destinationIpValue === UNSET) {
      this.destinationIpValue = this.destinationIpText === undefined ? undefined : parseIp(this.destinationIpText);
    }
    return this.destinationIpValue;
  }

  /** The path after MeshConfig normalization, without query (HTTP only). */
  public get path(): string | undefined {
    if (this.pathValue === UNSET) {
      this.pathValue = this.protocol === 'HTTP' ? normalizePath(this.request.path ?? '/', this.mesh.pathNormalization) : undefined;
    }
    return this.pathValue;
  }

  /**
   * A request header by lower-case name (HTTP only); Envoy's pseudo-headers `:authority`,
   * `:method` and `:path` are available too.
   */
  public header(name: string): string | undefined {
    if (this.protocol !== 'HTTP') return undefined;
    switch (name) {
      case ':authority': return this.host;
      case ':method': return this.method;
      case ':path': return this.request.path ?? '/';
      case 'host': return this.request.headers?.host ?? this.host;
      default: return this.request.headers?.[name];
    }
  }
}

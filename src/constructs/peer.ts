import { TrustmeshError, TrustmeshUsageError } from '../errors';
import { JwtIssuer } from './jwt-issuer';
import { ClaimRequirement, EndUserRequirement, PeerSpec } from '../model/intention';
import { parseIpBlock } from '../model/ip-block';
import { JwtIssuerSpec } from '../model/jwt-issuer';
import { assertDnsLabel } from '../model/names';

/** What a peer contributes to an intention. */
export interface PeerConfig {
  readonly peer: PeerSpec;
  readonly endUser?: EndUserRequirement;
  /** Issuers the intention needs the destination to accept. */
  readonly issuers: readonly JwtIssuerSpec[];
}

/**
 * A caller an intention can name: a service, a namespace, end users, addresses. Implemented by
 * {@link MeshService}, {@link MeshNamespace}, and the {@link Peer} factories.
 */
export interface IMeshPeer {
  /** @internal */
  _toPeerConfig(): PeerConfig;
}

/** Options of {@link Peer.endUsers}. */
export interface EndUsersOptions {
  /**
   * Top-level claims the token must carry, claim name to accepted value(s). A list claim matches
   * when any element is accepted.
   * @default - no claim requirement
   * @example { role: 'learner' }, { groups: ['admins', 'operators'] }
   */
  readonly claims?: Record<string, string | string[]>;
  /**
   * Nested claims, e.g. `{ claim: ['realm_access', 'roles'], values: ['admin'] }`.
   * @default - none
   */
  readonly nestedClaims?: ClaimRequirement[];
  /**
   * Accepted subjects (`sub`).
   * @default - any subject of the issuer
   */
  readonly subjects?: string[];
}

/**
 * End users: requests carrying a valid token from an issuer, optionally with required claims.
 * Usable as a peer (`allowFrom(Peer.endUsers(...))`) or as `onBehalfOf` to require an end user
 * in addition to a calling service.
 */
export class EndUsers implements IMeshPeer {
  public readonly issuer: JwtIssuer;
  private readonly requirement: EndUserRequirement;

  /** @internal use Peer.endUsers */
  public constructor(issuer: JwtIssuer, options: EndUsersOptions = {}) {
    if (!(issuer instanceof JwtIssuer)) throw new TrustmeshUsageError('Peer.endUsers: issuer must be a JwtIssuer (JwtIssuer.of({...}))');
    const claims: ClaimRequirement[] = [];
    for (const [claim, value] of Object.entries(options.claims ?? {})) {
      claims.push(checkClaim({ claim: [claim], values: Array.isArray(value) ? [...value] : [value] }));
    }
    for (const nested of options.nestedClaims ?? []) claims.push(checkClaim({ claim: [...nested.claim], values: [...nested.values] }));
    for (const sub of options.subjects ?? []) {
      if (typeof sub !== 'string' || sub === '') {
        throw new TrustmeshError('TM_INVALID_SUBJECT', 'end-user subject is empty', { value: sub, allowed: 'a non-empty `sub` value' });
      }
    }
    this.issuer = issuer;
    this.requirement = { issuer: issuer.issuer, subjects: [...(options.subjects ?? [])], claims };
  }

  /** @internal */
  public _toEndUserRequirement(): EndUserRequirement {
    return this.requirement;
  }

  /** @internal */
  public _toPeerConfig(): PeerConfig {
    return { peer: { kind: 'anyone' }, endUser: this.requirement, issuers: [this.issuer._toSpec()] };
  }
}

/**
 * Peers that are not declared services or namespaces.
 *
 * @example
 * details.allowFrom(Peer.namespace('monitoring'), { paths: ['/metrics'] });
 * api.denyFrom(Peer.ipBlocks(['203.0.113.0/24']));
 * fruits.allowFrom(Peer.endUsers(issuer, { claims: { role: 'learner' } }), { methods: [HttpMethod.GET] });
 */
export class Peer {
  /** Every workload identity of a namespace (declared in this mesh or not). */
  public static namespace(name: string): IMeshPeer {
    assertDnsLabel(name, 'namespace');
    return fixed({ kind: 'namespace', namespace: name });
  }

  /** Any authenticated mTLS peer of the mesh (`principals: ["*"]`). */
  public static anyMeshIdentity(): IMeshPeer {
    return fixed({ kind: 'anyMeshIdentity' });
  }

  /** Anyone, including plaintext callers. Combine with matches or an end-user requirement. */
  public static anyone(): IMeshPeer {
    return fixed({ kind: 'anyone' });
  }

  /** Callers whose connection comes from these addresses (`ipBlocks`). */
  public static ipBlocks(blocks: string[]): IMeshPeer {
    return fixed({ kind: 'ipBlocks', blocks: checkBlocks(blocks), remote: false });
  }

  /**
   * Original clients behind trusted proxies (`remoteIpBlocks`, from X-Forwarded-For as limited by
   * MeshConfig `numTrustedProxies`). Needs Istio 1.8.
   */
  public static remoteIpBlocks(blocks: string[]): IMeshPeer {
    return fixed({ kind: 'ipBlocks', blocks: checkBlocks(blocks), remote: true });
  }

  /** End users of an issuer, optionally with claims and subjects. */
  public static endUsers(issuer: JwtIssuer, options: EndUsersOptions = {}): EndUsers {
    return new EndUsers(issuer, options);
  }

  private constructor() {}
}

function fixed(peer: PeerSpec): IMeshPeer {
  return { _toPeerConfig: () => ({ peer, issuers: [] }) };
}

function checkBlocks(blocks: readonly string[]): string[] {
  if (!Array.isArray(blocks) || blocks.length === 0) {
    throw new TrustmeshError('TM_EMPTY_MATCH_LIST', 'IP block list is empty', { value: blocks, allowed: 'at least one address or CIDR block' });
  }
  return blocks.map((b) => parseIpBlock(b).text);
}

function checkClaim(req: ClaimRequirement): ClaimRequirement {
  if (req.claim.length === 0 || req.claim.some((c) => typeof c !== 'string' || c === '' || /[[\]]/.test(c))) {
    throw new TrustmeshError('TM_INVALID_CLAIM', 'claim name is empty or contains "[" or "]"', {
      value: req.claim, allowed: 'claim names such as "role" or a path such as ["realm_access", "roles"]',
    });
  }
  if (req.values.length === 0 || req.values.some((v) => typeof v !== 'string' || v === '')) {
    throw new TrustmeshError('TM_EMPTY_CLAIM_VALUES', `claim "${req.claim.join('.')}" has no accepted values`, {
      value: req.values, allowed: 'at least one non-empty value', fix: `e.g. { ${req.claim[0]}: 'admin' }`,
    });
  }
  return req;
}

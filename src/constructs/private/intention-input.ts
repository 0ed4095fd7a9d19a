import { TrustmeshError, TrustmeshUsageError } from '../../errors';
import { Enforcement as EnforcementName, EndUserRequirement, IntentionAction, PeerSpec } from '../../model/intention';
import { assertSupports, IstioFeature, IstioVersion } from '../../model/istio-version';
import { JwtIssuerSpec } from '../../model/jwt-issuer';
import { enforcementOf } from '../access-options';
import { Enforcement } from '../enums';
import type { JwtIssuer } from '../jwt-issuer';
import { EndUsers, IMeshPeer } from '../peer';

/** The peer side of an intention, resolved and checked against the target release. */
export interface IntentionInput {
  readonly peer: PeerSpec;
  readonly endUser?: EndUserRequirement;
  readonly enforcement: EnforcementName;
  /** Issuers the destination must accept (to register with the mesh). */
  readonly issuers: readonly JwtIssuerSpec[];
}

/**
 * Resolves who an intention is about (a peer, optionally on behalf of end users) and its
 * enforcement, for any destination (a service or a gateway), with the checks they share.
 * @throws TrustmeshError TM_CONFLICTING_END_USERS, TM_DRY_RUN_AUDIT, TM_VERSION_UNSUPPORTED_FEATURE
 */
export function resolveIntentionInput(action: IntentionAction, peer: IMeshPeer,
  options: { readonly onBehalfOf?: EndUsers; readonly enforcement?: Enforcement }, version: IstioVersion): IntentionInput {
  if (!peer || typeof peer._toPeerConfig !== 'function') throw new TrustmeshUsageError('peer must be a MeshService, MeshNamespace or a Peer.* value');
  const config = peer._toPeerConfig();
  const onBehalfOf = options.onBehalfOf?._toEndUserRequirement();
  if (config.endUser && onBehalfOf) {
    throw new TrustmeshError('TM_CONFLICTING_END_USERS', 'the peer is already an end-user requirement; onBehalfOf would add a second one', {
      fix: 'put all claims into one Peer.endUsers(issuer, { claims })',
    });
  }
  const enforcement = enforcementOf(options.enforcement);
  if (action === 'AUDIT' && enforcement === 'DRY_RUN') {
    throw new TrustmeshError('TM_DRY_RUN_AUDIT', 'an AUDIT intention never enforces anything, so it cannot be dry-run', {
      fix: 'remove enforcement: Enforcement.DRY_RUN',
    });
  }
  if (action === 'AUDIT') assertSupports(version, IstioFeature.AUDIT_ACTION);
  if (enforcement === 'DRY_RUN') assertSupports(version, IstioFeature.DRY_RUN);
  if (config.peer.kind === 'ipBlocks' && config.peer.remote) assertSupports(version, IstioFeature.REMOTE_IP_BLOCKS);
  const endUser = config.endUser ?? onBehalfOf;
  // Asked for every intention: the peer's issuers as they are unless onBehalfOf adds one.
  const issuers = options.onBehalfOf ? [...config.issuers, options.onBehalfOf.issuer._toSpec()] : config.issuers;
  return endUser ? { peer: config.peer, endUser, enforcement, issuers } : { peer: config.peer, enforcement, issuers };
}

/** The issuers and enforcement of a `requireJwt` call, checked against the target release. */
export interface JwtRequirementInput {
  readonly issuers: readonly JwtIssuer[];
  readonly enforcement: EnforcementName;
}

/**
 * Resolves the issuers and enforcement of `requireJwt` for any destination (a service or a
 * gateway), with the checks they share.
 * @throws TrustmeshError TM_EMPTY_MATCH_LIST, TM_VERSION_UNSUPPORTED_FEATURE
 */
export function resolveJwtRequirement(issuers: JwtIssuer | JwtIssuer[], options: { readonly enforcement?: Enforcement },
  version: IstioVersion): JwtRequirementInput {
  const list = Array.isArray(issuers) ? issuers : [issuers];
  if (list.length === 0) throw new TrustmeshError('TM_EMPTY_MATCH_LIST', 'requireJwt needs at least one issuer');
  const enforcement = enforcementOf(options.enforcement);
  if (enforcement === 'DRY_RUN') assertSupports(version, IstioFeature.DRY_RUN);
  return { issuers: list, enforcement };
}

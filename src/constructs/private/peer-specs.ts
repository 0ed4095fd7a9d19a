import { PeerSpec } from '../../model/intention';

/**
 * The peers of one mesh's intentions, one object per distinct peer. `Peer.namespace('dev')` and
 * the other `Peer` factories make a new value per call, and a mesh holds one intention per verb
 * call (80,000 at the largest benchmark size): equal peers share the first one (declared services
 * are one value each already). Peer specs are immutable model data, so sharing them changes
 * nothing downstream.
 * @internal
 */
export class PeerSpecs {
  private readonly known = new Map<string, PeerSpec>();

  /** The peer, or an equal one this mesh has seen before. */
  public of(peer: PeerSpec): PeerSpec {
    const key = peerKey(peer);
    if (key === undefined) return peer;
    const known = this.known.get(key);
    if (known !== undefined) return known;
    this.known.set(key, peer);
    return peer;
  }
}

/** A key equal peers share; `undefined` for services, which are one value per declared service. */
function peerKey(peer: PeerSpec): string | undefined {
  switch (peer.kind) {
    case 'service': return undefined;
    case 'namespace': return `namespace ${peer.namespace}`;
    // IP blocks are checked CIDR text (Peer.ipBlocks), which has no space.
    case 'ipBlocks': return `${peer.remote ? 'remoteIpBlocks' : 'ipBlocks'} ${peer.blocks.join(' ')}`;
    default: return peer.kind;
  }
}

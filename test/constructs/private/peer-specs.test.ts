import { describe, expect, test } from 'vitest';
import { PeerSpecs } from '../../../src/constructs/private/peer-specs';
import { PeerSpec } from '../../../src/model/intention';

describe('PeerSpecs', () => {
  test('equal peers share the first one; different peers stay apart', () => {
    const peers = new PeerSpecs();
    const dev = peers.of({ kind: 'namespace', namespace: 'dev' });
    expect(peers.of({ kind: 'namespace', namespace: 'dev' })).toBe(dev);
    expect(peers.of({ kind: 'namespace', namespace: 'prod' })).not.toBe(dev);
    const blocks = peers.of({ kind: 'ipBlocks', blocks: ['10.0.0.0/8', '192.168.0.0/16'], remote: false });
    expect(peers.of({ kind: 'ipBlocks', blocks: ['10.0.0.0/8', '192.168.0.0/16'], remote: false })).toBe(blocks);
    expect(peers.of({ kind: 'ipBlocks', blocks: ['10.0.0.0/8', '192.168.0.0/16'], remote: true })).not.toBe(blocks);
    expect(peers.of({ kind: 'ipBlocks', blocks: ['10.0.0.0/8'], remote: false })).not.toBe(blocks);
    expect(peers.of({ kind: 'anyone' })).toBe(peers.of({ kind: 'anyone' }));
    expect(peers.of({ kind: 'anyMeshIdentity' })).not.toBe(peers.of({ kind: 'anyone' }));
  });

  test('services are left as they are (each declared service is one value already)', () => {
    const peers = new PeerSpecs();
    const a: PeerSpec = { kind: 'service', namespace: 'shop', name: 'a', serviceAccount: 'a', inMesh: true };
    const copy: PeerSpec = { ...a };
    expect(peers.of(a)).toBe(a);
    expect(peers.of(copy)).toBe(copy);
  });
});

import { describe, expect, it } from 'vitest';
import { KeyAlgorithm } from '../../src/pki/key-algorithm';
import { catchTrustmesh } from '../helpers';

describe('KeyAlgorithm', () => {
  it('parses every supported name and common aliases', () => {
    for (const a of KeyAlgorithm.all()) expect(KeyAlgorithm.parse(a.name)).toBe(a);
    expect(KeyAlgorithm.parse('P-256')).toBe(KeyAlgorithm.ECDSA_P256);
    expect(KeyAlgorithm.parse('RSA4096')).toBe(KeyAlgorithm.RSA_4096);
    expect(KeyAlgorithm.parse(' ecdsa_p384 ')).toBe(KeyAlgorithm.ECDSA_P384);
  });

  it('rejects an unknown algorithm with TM_CA_UNKNOWN_ALGORITHM listing the allowed names', () => {
    const e = catchTrustmesh(() => KeyAlgorithm.parse('dsa-1024'));
    expect(e.code).toBe('TM_CA_UNKNOWN_ALGORITHM');
    expect(e.message).toMatch(/received: "dsa-1024"/);
    expect(e.message).toMatch(/allowed: ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096/);
  });

  it('signs P-384 with SHA-384 and everything else with SHA-256', () => {
    expect(KeyAlgorithm.ECDSA_P384.webCrypto.sign.hash).toBe('SHA-384');
    for (const a of [KeyAlgorithm.ECDSA_P256, KeyAlgorithm.RSA_2048, KeyAlgorithm.RSA_4096]) expect(a.webCrypto.sign.hash).toBe('SHA-256');
  });

  it('issues leaves with P-256 under ECDSA CAs and RSA 2048 under RSA CAs', () => {
    expect(KeyAlgorithm.ECDSA_P384.leafDefault).toBe(KeyAlgorithm.ECDSA_P256);
    expect(KeyAlgorithm.RSA_4096.leafDefault).toBe(KeyAlgorithm.RSA_2048);
  });

  it('reports progress only for slow RSA sizes', () => {
    expect(KeyAlgorithm.all().filter((a) => a.slowToGenerate).map((a) => a.name)).toEqual(['rsa-3072', 'rsa-4096']);
  });

  it('serializes as its name', () => {
    expect(JSON.stringify({ a: KeyAlgorithm.RSA_3072 })).toBe('{"a":"rsa-3072"}');
  });
});

/**
 * Issuing the key store's certificates from its recorded parameters, shared by `init`, `issue`,
 * `renew` and root rotation.
 * @module
 * @internal
 */
import { IssuedCertificate } from './issued-certificate';
import { KeyAlgorithm } from './key-algorithm';
import { CredentialRecord, StoreMetadata } from './key-store-layout';
import { StoreState } from './key-store-state';
import { Pki } from './pki';
import { parseTtl } from './ttl';

/** A change made (or not) to the key store, as reported to the user. */
export interface StoreChange {
  readonly action: 'created' | 'kept' | 'replaced' | 'reissued' | 'removed' | 'updated';
  /** What, e.g. `root CA` or `cluster east`. */
  readonly subject: string;
  /** A detail for humans, e.g. the subject and expiry of a new certificate. */
  readonly detail?: string;
}

/** A root CA with the store's naming: `CN=Root CA G<generation>`. @internal */
export async function issueRoot(pki: Pki, metadata: StoreMetadata, generation: number, algorithm?: KeyAlgorithm): Promise<IssuedCertificate> {
  return pki.createRoot({
    algorithm: algorithm ?? KeyAlgorithm.parse(metadata.algorithm),
    ttl: parseTtl(metadata.rootTtl),
    organization: metadata.organization,
    commonName: `Root CA G${generation}`,
  });
}

/** A cluster intermediate under `root` with the store's parameters. @internal */
export async function issueIntermediate(pki: Pki, metadata: StoreMetadata, root: IssuedCertificate, cluster: string): Promise<IssuedCertificate> {
  return pki.createIntermediate(root, {
    cluster,
    algorithm: root.privateKey.algorithm,
    ttl: parseTtl(metadata.intermediateTtl),
    organization: metadata.organization,
    istiodNamespace: metadata.istiodNamespace,
  });
}

/** A gateway or client credential from its record, under `intermediate`. @internal */
export async function issueCredential(pki: Pki, record: CredentialRecord, intermediate: IssuedCertificate): Promise<IssuedCertificate> {
  const common = { ttl: parseTtl(record.ttl), algorithm: KeyAlgorithm.parse(record.algorithm) };
  if (record.kind === 'gateway') {
    return pki.issueServerCertificate(intermediate, { ...common, hosts: record.hosts ?? [] });
  }
  return pki.issueClientCertificate(intermediate, { ...common, commonName: record.commonName ?? '', uris: record.uris, dnsNames: record.hosts });
}

/**
 * Re-issues every cluster intermediate under `root` and every credential under its new
 * intermediate (new keys throughout).
 * @internal
 */
export async function reissueAll(
  pki: Pki,
  state: StoreState,
  root: IssuedCertificate,
  issuedAt: string,
): Promise<Pick<StoreState, 'clusters' | 'credentials'> & { changes: StoreChange[] }> {
  const clusterNames = [...state.clusters.keys()].sort();
  const intermediates = await Promise.all(clusterNames.map((c) => issueIntermediate(pki, state.metadata, root, c)));
  const clusters = new Map(clusterNames.map((c, i) => [c, intermediates[i]]));
  const names = [...state.credentials.keys()].sort();
  const issued = await Promise.all(names.map((n) => {
    const { record } = state.credentials.get(n)!;
    return issueCredential(pki, record, clusters.get(record.cluster)!);
  }));
  const credentials = new Map(names.map((n, i) => [n, { record: { ...state.credentials.get(n)!.record, issuedAt }, issued: issued[i] }]));
  const changes: StoreChange[] = [
    ...clusterNames.map((c): StoreChange => ({ action: 'reissued', subject: `cluster ${c}`, detail: describe(clusters.get(c)!) })),
    ...names.map((n): StoreChange => ({ action: 'reissued', subject: `credential ${n}`, detail: describe(credentials.get(n)!.issued) })),
  ];
  return { clusters, credentials, changes };
}

/** `CN=…, not after 2036-01-01 (ecdsa-p256)`. @internal */
export function describe(issued: IssuedCertificate): string {
  const c = issued.certificate;
  return `${c.subject || c.uris.join(', ')}, not after ${c.notAfter.toISOString().slice(0, 10)} (${issued.privateKey.algorithm.name})`;
}

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

/** What {@link reissue} re-issues: cluster intermediates and credentials, by name. @internal */
export interface ReissueSelection {
  readonly clusters: readonly string[];
  readonly credentials: readonly string[];
}

/** The store after {@link reissue}, and the changes to report. @internal */
export interface Reissued extends Pick<StoreState, 'clusters' | 'credentials'> {
  /** `metadata.credentials` with the re-issued records (their new `issuedAt`). */
  readonly records: Readonly<Record<string, CredentialRecord>>;
  /** The re-issued clusters, then the re-issued credentials, each sorted by name. */
  readonly changes: StoreChange[];
}

/**
 * Re-issues the selected cluster intermediates under `root`, then the selected credentials under
 * their cluster's intermediate (the new one where it was re-issued), with new keys throughout.
 * Everything else is kept.
 * @internal
 */
export async function reissue(
  pki: Pki,
  state: StoreState,
  root: IssuedCertificate,
  selection: ReissueSelection,
  issuedAt: string,
): Promise<Reissued> {
  const clusterNames = [...new Set(selection.clusters)].sort();
  const intermediates = await Promise.all(clusterNames.map((c) => issueIntermediate(pki, state.metadata, root, c)));
  const clusters = new Map(state.clusters);
  clusterNames.forEach((c, i) => clusters.set(c, intermediates[i]));
  const names = [...new Set(selection.credentials)].sort();
  const issued = await Promise.all(names.map((n) => {
    const { record } = state.credentials.get(n)!;
    return issueCredential(pki, record, clusters.get(record.cluster)!);
  }));
  const credentials = new Map(state.credentials);
  const records = { ...state.metadata.credentials };
  names.forEach((n, i) => {
    const record = { ...state.credentials.get(n)!.record, issuedAt };
    credentials.set(n, { record, issued: issued[i] });
    records[n] = record;
  });
  const changes: StoreChange[] = [
    ...clusterNames.map((c): StoreChange => ({ action: 'reissued', subject: `cluster ${c}`, detail: describe(clusters.get(c)!) })),
    ...names.map((n): StoreChange => ({ action: 'reissued', subject: `credential ${n}`, detail: describe(credentials.get(n)!.issued) })),
  ];
  return { clusters, credentials, records, changes };
}

/** `CN=…, not after 2036-01-01 (ecdsa-p256)`. @internal */
export function describe(issued: IssuedCertificate): string {
  const c = issued.certificate;
  return `${c.subject || c.uris.join(', ')}, not after ${c.notAfter.toISOString().slice(0, 10)} (${issued.privateKey.algorithm.name})`;
}

/**
 * The on-disk layout of the key store, which mirrors what Istio's `tools/certs` makefiles write so
 * operators recognize it:
 *
 * ```
 * <dir>/                      0700, with a .gitignore of `*`
 *   trustmesh-ca.json         metadata: trust domain, algorithm, rotation state, issued credentials
 *   root-cert.pem             the signing root          (tools/certs: root-cert.pem)
 *   root-key.pem              its key                   (tools/certs: root-key.pem)
 *   trust-bundle.pem          every trusted root (two during a rotation)
 *   <cluster>/ca-cert.pem     cluster intermediate      (tools/certs: <cluster>/ca-cert.pem)
 *   <cluster>/ca-key.pem      its key
 *   <cluster>/cert-chain.pem  intermediate + signing root
 *   <cluster>/root-cert.pem   the trust bundle
 *   next-root/                the new root during a rotation (root-cert.pem, root-key.pem)
 *   previous-root/            the old root after re-issuing, until retired
 *   issued/<name>/            gateway and client credentials: tls.crt (leaf + intermediate), tls.key, ca.crt (trust bundle)
 * ```
 *
 * Every file is 0600. `<dir>` itself is a link to the committed generation `.<dir>.gen-NNNN/`
 * beside it (a plain directory in stores written before generations, migrated by the next update);
 * an update writes the next generation completely and switches the link with one atomic rename, so
 * a crash at any instant leaves the old store or the new one (see `store-update.ts`, docs/ca.md).
 *
 * @module
 */
import { TrustmeshError } from '../errors';
import { CredentialKind, RotationPhase } from './ca-material';
import { KeyAlgorithm, KeyAlgorithmName } from './key-algorithm';

/** File names of the key store. @internal */
export const STORE_FILES = {
  metadata: 'trustmesh-ca.json',
  gitignore: '.gitignore',
  rootCert: 'root-cert.pem',
  rootKey: 'root-key.pem',
  trustBundle: 'trust-bundle.pem',
  nextRootDir: 'next-root',
  previousRootDir: 'previous-root',
  issuedDir: 'issued',
} as const;

/** Directory names a cluster may not have, because the store uses them. @internal */
export const RESERVED_CLUSTER_NAMES: readonly string[] = [STORE_FILES.nextRootDir, STORE_FILES.previousRootDir, STORE_FILES.issuedDir];

/** Files of one cluster, relative to the store. @internal */
export function clusterFiles(cluster: string): { caCert: string; caKey: string; certChain: string; rootCert: string } {
  return {
    caCert: `${cluster}/ca-cert.pem`,
    caKey: `${cluster}/ca-key.pem`,
    certChain: `${cluster}/cert-chain.pem`,
    rootCert: `${cluster}/root-cert.pem`,
  };
}

/** Files of one issued credential, relative to the store. @internal */
export function credentialFiles(name: string): { cert: string; key: string; ca: string } {
  return { cert: `${STORE_FILES.issuedDir}/${name}/tls.crt`, key: `${STORE_FILES.issuedDir}/${name}/tls.key`, ca: `${STORE_FILES.issuedDir}/${name}/ca.crt` };
}

/** Files of the next or previous root. @internal */
export function extraRootFiles(which: 'next' | 'previous'): { cert: string; key: string } {
  const dir = which === 'next' ? STORE_FILES.nextRootDir : STORE_FILES.previousRootDir;
  return { cert: `${dir}/root-cert.pem`, key: `${dir}/root-key.pem` };
}

/** What the metadata file records about an issued credential. @internal */
export interface CredentialRecord {
  readonly kind: CredentialKind;
  readonly cluster: string;
  readonly hosts?: readonly string[];
  readonly commonName?: string;
  readonly uris?: readonly string[];
  readonly ttl: string;
  readonly algorithm: KeyAlgorithmName;
  readonly issuedAt: string;
}

/** The metadata file, `trustmesh-ca.json`. @internal */
export interface StoreMetadata {
  readonly format: 'trustmesh-ca/v1';
  readonly trustDomain: string;
  readonly algorithm: KeyAlgorithmName;
  readonly organization: string;
  readonly istiodNamespace: string;
  readonly createdAt: string;
  readonly rootGeneration: number;
  readonly rootTtl: string;
  readonly intermediateTtl: string;
  readonly rotation: { readonly phase: RotationPhase; readonly startedAt?: string };
  readonly clusters: readonly string[];
  readonly credentials: Readonly<Record<string, CredentialRecord>>;
}

/** The raw files of a store: path → content and mode. @internal */
export type StoreFiles = Map<string, { readonly content: string; readonly mode: number }>;

/**
 * Parses and checks `trustmesh-ca.json`.
 * @throws TrustmeshError `TM_CA_STORE_CORRUPT`
 * @internal
 */
export function parseMetadata(text: string, file: string): StoreMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw corrupt('the metadata file is not valid JSON', file, e);
  }
  const m = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (m.format !== 'trustmesh-ca/v1') throw corrupt(`unsupported metadata format ${JSON.stringify(m.format)}`, file);
  const str = (key: string): string => {
    const v = m[key];
    if (typeof v !== 'string' || v === '') throw corrupt(`the metadata field "${key}" is missing or not a string`, file);
    return v;
  };
  const algorithm = str('algorithm');
  if (!KeyAlgorithm.all().some((a) => a.name === algorithm)) throw corrupt(`unknown algorithm "${algorithm}" in the metadata`, file);
  const rotation = (m.rotation ?? {}) as Record<string, unknown>;
  if (!['none', 'new-root-trusted', 'intermediates-reissued'].includes(String(rotation.phase))) {
    throw corrupt(`unknown rotation phase ${JSON.stringify(rotation.phase)}`, file);
  }
  if (!Array.isArray(m.clusters) || !m.clusters.every((c) => typeof c === 'string')) throw corrupt('the metadata field "clusters" must be a list of names', file);
  const credentials = (typeof m.credentials === 'object' && m.credentials !== null ? m.credentials : {}) as Record<string, CredentialRecord>;
  for (const [name, record] of Object.entries(credentials)) {
    if (record.kind !== 'gateway' && record.kind !== 'client') throw corrupt(`credential "${name}" has unknown kind ${JSON.stringify(record.kind)}`, file);
  }
  return {
    format: 'trustmesh-ca/v1',
    trustDomain: str('trustDomain'),
    algorithm: algorithm as KeyAlgorithmName,
    organization: str('organization'),
    istiodNamespace: str('istiodNamespace'),
    createdAt: str('createdAt'),
    rootGeneration: typeof m.rootGeneration === 'number' ? m.rootGeneration : 1,
    rootTtl: str('rootTtl'),
    intermediateTtl: str('intermediateTtl'),
    rotation: { phase: rotation.phase as RotationPhase, ...(typeof rotation.startedAt === 'string' ? { startedAt: rotation.startedAt } : {}) },
    clusters: [...(m.clusters as string[])].sort(),
    credentials,
  };
}

/** Serializes metadata with a stable key order. @internal */
export function renderMetadata(m: StoreMetadata): string {
  const credentials: Record<string, CredentialRecord> = {};
  for (const name of Object.keys(m.credentials).sort()) credentials[name] = m.credentials[name];
  return `${JSON.stringify({
    format: m.format,
    trustDomain: m.trustDomain,
    algorithm: m.algorithm,
    organization: m.organization,
    istiodNamespace: m.istiodNamespace,
    createdAt: m.createdAt,
    rootGeneration: m.rootGeneration,
    rootTtl: m.rootTtl,
    intermediateTtl: m.intermediateTtl,
    rotation: m.rotation,
    clusters: [...m.clusters].sort(),
    credentials,
  }, undefined, 2)}\n`;
}

/** A TM_CA_STORE_CORRUPT error. @internal */
export function corrupt(summary: string, file: string, cause?: unknown): TrustmeshError {
  return new TrustmeshError('TM_CA_STORE_CORRUPT', summary, {
    location: { file },
    fix: 'restore the key store from a backup; `trustmesh ca init --force` replaces it with new material (every cluster then needs the new cacerts and restarts)',
    cause,
  });
}

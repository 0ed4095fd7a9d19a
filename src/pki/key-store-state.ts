/**
 * The key store's contents in memory: parsing them from the files and rendering them back.
 * @module
 * @internal
 */
import * as path from 'path';
import { CaMaterial, CredentialMaterial } from './ca-material';
import { Certificate } from './certificate';
import { verifyChain } from './chain-verifier';
import { IssuedCertificate } from './issued-certificate';
import {
  clusterFiles, corrupt, credentialFiles, CredentialRecord, extraRootFiles, parseMetadata, renderMetadata,
  STORE_FILES, StoreFiles, StoreMetadata,
} from './key-store-layout';
import { joinPem } from './pem';
import { PrivateKey } from './private-key';

/** An issued credential with what was asked for. @internal */
export interface StoredCredential {
  readonly record: CredentialRecord;
  readonly issued: IssuedCertificate;
}

/** The parsed key store. @internal */
export interface StoreState {
  readonly metadata: StoreMetadata;
  /** The root that signs the intermediates. */
  readonly root: IssuedCertificate;
  /** The new root while phase is `new-root-trusted`. */
  readonly nextRoot?: IssuedCertificate;
  /** The old root while phase is `intermediates-reissued`. */
  readonly previousRoot?: IssuedCertificate;
  readonly clusters: ReadonlyMap<string, IssuedCertificate>;
  readonly credentials: ReadonlyMap<string, StoredCredential>;
  /** Files the store does not manage, kept as they are. */
  readonly otherFiles: ReadonlyMap<string, string>;
}

/** Every root the trust bundle holds: the signing root first. @internal */
export function trustedRoots(state: StoreState): Certificate[] {
  return [state.root, state.nextRoot, state.previousRoot].filter((r): r is IssuedCertificate => r !== undefined).map((r) => r.certificate);
}

/** The trust bundle PEM. @internal */
export function trustBundlePem(state: StoreState): string {
  return joinPem(trustedRoots(state).map((c) => c.pem));
}

/**
 * Parses the store's files, checking that each key matches its certificate and each certificate
 * is signed by its issuer (expiry is not checked here; it is reported, not fatal).
 * @throws TrustmeshError `TM_CA_STORE_CORRUPT`, `TM_CA_BAD_PEM`, `TM_CA_KEY_MISMATCH`
 */
export async function parseState(dir: string, files: StoreFiles): Promise<StoreState> {
  const where = (rel: string): string => path.join(dir, rel);
  const read = (rel: string): string => {
    const f = files.get(rel);
    if (!f) throw corrupt(`the key store lacks ${rel}`, where(rel));
    return f.content;
  };
  const metadataFile = files.get(STORE_FILES.metadata);
  if (!metadataFile) {
    throw corrupt(`the directory holds files but no ${STORE_FILES.metadata}; it was not written by \`trustmesh ca init\``, where(STORE_FILES.metadata));
  }
  const metadata = parseMetadata(metadataFile.content, where(STORE_FILES.metadata));
  const keyed = (certRel: string, keyRel: string, issuers: readonly Certificate[]): IssuedCertificate =>
    IssuedCertificate.of(Certificate.fromPem(read(certRel), where(certRel)), PrivateKey.fromPem(read(keyRel), where(keyRel)), issuers, where(keyRel));

  const root = keyed(STORE_FILES.rootCert, STORE_FILES.rootKey, []);
  await assertSigned(root, [root.certificate], where(STORE_FILES.rootCert));
  const phase = metadata.rotation.phase;
  const extra = (which: 'next' | 'previous'): IssuedCertificate => {
    const f = extraRootFiles(which);
    return keyed(f.cert, f.key, []);
  };
  const nextRoot = phase === 'new-root-trusted' ? extra('next') : undefined;
  const previousRoot = phase === 'intermediates-reissued' ? extra('previous') : undefined;
  for (const [r, which] of [[nextRoot, 'next'], [previousRoot, 'previous']] as const) {
    if (r) await assertSigned(r, [r.certificate], where(extraRootFiles(which).cert));
  }

  const clusters = new Map<string, IssuedCertificate>();
  for (const cluster of metadata.clusters) {
    const f = clusterFiles(cluster);
    const intermediate = keyed(f.caCert, f.caKey, [root.certificate]);
    await assertSigned(intermediate, [root.certificate], where(f.caCert));
    clusters.set(cluster, intermediate);
  }

  const credentials = new Map<string, StoredCredential>();
  for (const [name, record] of Object.entries(metadata.credentials)) {
    const issuer = clusters.get(record.cluster);
    if (!issuer) throw corrupt(`credential "${name}" names cluster "${record.cluster}", which the store does not have`, where(STORE_FILES.metadata));
    const f = credentialFiles(name);
    const chain = Certificate.parseBundle(read(f.cert), where(f.cert));
    const key = PrivateKey.fromPem(read(f.key), where(f.key));
    const issued = IssuedCertificate.of(chain[0], key, [issuer.certificate, root.certificate], where(f.key));
    await assertSigned(issued, [root.certificate], where(f.cert), [issuer.certificate]);
    credentials.set(name, { record, issued });
  }

  const state: StoreState = { metadata, root, nextRoot, previousRoot, clusters, credentials, otherFiles: new Map() };
  const managed = renderState(state);
  const otherFiles = new Map<string, string>();
  for (const [rel, f] of files) {
    if (!managed.has(rel) && rel !== STORE_FILES.gitignore) otherFiles.set(rel, f.content);
  }
  return { ...state, otherFiles };
}

/** The files a state is stored as (without the .gitignore). @internal */
export function renderState(state: StoreState): Map<string, string> {
  const files = new Map<string, string>(state.otherFiles);
  const bundle = trustBundlePem(state);
  const roots = state.metadata.rotation.phase;
  files.set(STORE_FILES.metadata, renderMetadata(state.metadata));
  files.set(STORE_FILES.rootCert, state.root.certificate.pem);
  files.set(STORE_FILES.rootKey, state.root.privateKey.revealPem());
  files.set(STORE_FILES.trustBundle, bundle);
  if (roots === 'new-root-trusted' && state.nextRoot) {
    const f = extraRootFiles('next');
    files.set(f.cert, state.nextRoot.certificate.pem);
    files.set(f.key, state.nextRoot.privateKey.revealPem());
  }
  if (roots === 'intermediates-reissued' && state.previousRoot) {
    const f = extraRootFiles('previous');
    files.set(f.cert, state.previousRoot.certificate.pem);
    files.set(f.key, state.previousRoot.privateKey.revealPem());
  }
  for (const [cluster, intermediate] of state.clusters) {
    const f = clusterFiles(cluster);
    files.set(f.caCert, intermediate.certificate.pem);
    files.set(f.caKey, intermediate.privateKey.revealPem());
    files.set(f.certChain, intermediate.fullChainPem());
    files.set(f.rootCert, bundle);
  }
  for (const [name, { issued }] of state.credentials) {
    const f = credentialFiles(name);
    files.set(f.cert, issued.chainPem());
    files.set(f.key, issued.privateKey.revealPem());
    files.set(f.ca, bundle);
  }
  return files;
}

/** The material the constructs take (no root key). @internal */
export function stateToMaterial(state: StoreState, source: string): CaMaterial {
  const credentials: CredentialMaterial[] = [...state.credentials].map(([name, c]) => ({
    name, kind: c.record.kind, cluster: c.record.cluster, credential: c.issued,
  }));
  return CaMaterial.of({
    trustDomain: state.metadata.trustDomain,
    signingRoot: state.root.certificate,
    otherTrustedRoots: trustedRoots(state).slice(1),
    clusters: [...state.clusters].map(([cluster, intermediate]) => ({ cluster, intermediate })),
    credentials,
    rotation: state.metadata.rotation.phase,
    source,
  });
}

async function assertSigned(
  issued: IssuedCertificate, roots: readonly Certificate[], file: string, intermediates: readonly Certificate[] = [],
): Promise<void> {
  const result = await verifyChain(issued.certificate, { roots, intermediates, at: issued.certificate.notBefore });
  const structural = result.problems.filter((p) => p.code !== 'expired' && p.code !== 'not-yet-valid');
  if (structural.length > 0) {
    throw corrupt(`${path.basename(file)} does not chain to the store's root: ${structural.map((p) => p.message).join('; ')}`, file);
  }
}

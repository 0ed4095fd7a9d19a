import { Duration } from 'cdk8s';
import { RotationPhase } from './ca-material';
import { Certificate, CertificateInfo } from './certificate';
import { ChainVerification, verifyChain } from './chain-verifier';
import { expiryStatus, ExpiryStatus } from './expiry';
import { clusterFiles, credentialFiles, extraRootFiles, STORE_FILES, StoreFiles } from './key-store-layout';
import { renderState, StoreState, trustedRoots } from './key-store-state';
import { nextRotationCommand } from './root-rotation';

/** Roles of the certificates in a key store. */
export type StoreCertificateRole = 'root' | 'next-root' | 'previous-root' | 'intermediate' | 'gateway' | 'client';

/** One certificate of the key store, checked. */
export interface InspectedCertificate {
  /** Short name: `root`, `next-root`, `previous-root`, the cluster name, or `issued/<name>`. */
  readonly name: string;
  readonly role: StoreCertificateRole;
  /** Path relative to the store. */
  readonly file: string;
  readonly certificate: Certificate;
  /** The chain check against the trusted roots at the inspection time. */
  readonly chain: ChainVerification;
  readonly expiry: ExpiryStatus;
  /** Whole days until expiry (negative when expired). */
  readonly daysLeft: number;
}

/** Result of {@link KeyStore.inspect}. */
export interface StoreInspection {
  readonly dir: string;
  readonly trustDomain: string;
  readonly algorithm: string;
  readonly rotation: RotationPhase;
  /** What to run next for the rotation. */
  readonly nextStep: string;
  readonly at: Date;
  readonly certificates: readonly InspectedCertificate[];
  /** Failures: broken chains, expired certificates, key files readable by others, stale derived files. */
  readonly problems: readonly string[];
  /** Certificates expiring within the warning window (CA certificates) or 30 days (credentials). */
  readonly warnings: readonly string[];
}

/** JSON form of an inspection (what `ca inspect --output json` prints). */
export function inspectionToJson(inspection: StoreInspection): Record<string, unknown> {
  return {
    dir: inspection.dir,
    trustDomain: inspection.trustDomain,
    algorithm: inspection.algorithm,
    rotation: inspection.rotation,
    nextStep: inspection.nextStep,
    at: inspection.at.toISOString(),
    valid: inspection.problems.length === 0,
    certificates: inspection.certificates.map((c) => ({
      name: c.name,
      role: c.role,
      file: c.file,
      expiry: c.expiry,
      daysLeft: c.daysLeft,
      chainValid: c.chain.valid,
      chainProblems: c.chain.problems.map((p) => p.message),
      chain: c.chain.path.map((p) => p.subject || p.uris.join(',')),
      certificate: c.certificate.toJSON() satisfies CertificateInfo,
    })),
    problems: inspection.problems,
    warnings: inspection.warnings,
  };
}

/** @internal */
export async function inspectState(
  dir: string, state: StoreState, files: StoreFiles, at: Date, warnWithin: Duration, credentialWarnWithin: Duration,
): Promise<StoreInspection> {
  const roots = trustedRoots(state);
  const entries: Array<Omit<InspectedCertificate, 'chain' | 'expiry' | 'daysLeft'> & { intermediates: Certificate[]; purpose?: 'serverAuth' | 'clientAuth' }> = [
    { name: 'root', role: 'root', file: STORE_FILES.rootCert, certificate: state.root.certificate, intermediates: [] },
  ];
  if (state.nextRoot) entries.push({ name: 'next-root', role: 'next-root', file: extraRootFiles('next').cert, certificate: state.nextRoot.certificate, intermediates: [] });
  if (state.previousRoot) {
    entries.push({ name: 'previous-root', role: 'previous-root', file: extraRootFiles('previous').cert, certificate: state.previousRoot.certificate, intermediates: [] });
  }
  for (const [cluster, intermediate] of [...state.clusters].sort(([a], [b]) => (a < b ? -1 : 1))) {
    entries.push({ name: cluster, role: 'intermediate', file: clusterFiles(cluster).caCert, certificate: intermediate.certificate, intermediates: [] });
  }
  for (const [name, { record, issued }] of [...state.credentials].sort(([a], [b]) => (a < b ? -1 : 1))) {
    entries.push({
      name: `issued/${name}`,
      role: record.kind,
      file: credentialFiles(name).cert,
      certificate: issued.certificate,
      intermediates: issued.issuers.slice(0, -1),
      purpose: record.kind === 'gateway' ? 'serverAuth' : 'clientAuth',
    });
  }

  const problems: string[] = [];
  const warnings: string[] = [];
  const certificates: InspectedCertificate[] = [];
  for (const e of entries) {
    const chain = await verifyChain(e.certificate, { roots, intermediates: e.intermediates, at, purpose: e.purpose });
    const expiry = expiryStatus(e.certificate, at, e.purpose ? credentialWarnWithin : warnWithin);
    const daysLeft = e.certificate.daysUntilExpiry(at);
    certificates.push({ name: e.name, role: e.role, file: e.file, certificate: e.certificate, chain, expiry, daysLeft });
    for (const p of chain.problems) {
      if (p.code !== 'expired' || p.certificate.equals(e.certificate)) problems.push(`${e.file}: ${p.message}`);
    }
    if (expiry === 'expiring') warnings.push(`${e.file}: ${e.certificate} expires on ${e.certificate.notAfter.toISOString()}, in ${daysLeft} days`);
  }

  for (const [rel, f] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // eslint-disable-next-line no-bitwise
    if ((f.mode & 0o077) !== 0) problems.push(`${rel}: mode ${f.mode.toString(8).padStart(4, '0')} lets others read it; run \`chmod 600 ${rel}\` (key material must be 0600)`);
  }
  const expected = renderState(state);
  for (const [rel, content] of expected) {
    const onDisk = files.get(rel);
    if (onDisk && onDisk.content !== content && rel !== STORE_FILES.metadata) {
      problems.push(`${rel}: differs from what the certificates and keys imply (edited by hand?); \`trustmesh ca init\` rewrites it`);
    }
  }

  const phase = state.metadata.rotation.phase;
  return {
    dir,
    trustDomain: state.metadata.trustDomain,
    algorithm: state.metadata.algorithm,
    rotation: phase,
    nextStep: nextRotationCommand(phase),
    at,
    certificates,
    problems,
    warnings,
  };
}

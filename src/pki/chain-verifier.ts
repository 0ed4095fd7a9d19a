import { Certificate } from './certificate';
import { x509Crypto } from './crypto-provider';

/** What can be wrong with a certificate chain. */
export type ChainProblemCode =
  | 'untrusted'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'issuer-not-ca'
  | 'path-length-exceeded'
  | 'wrong-purpose';

/** One problem found while verifying a chain. */
export interface ChainProblem {
  readonly code: ChainProblemCode;
  /** The certificate the problem is about. */
  readonly certificate: Certificate;
  /** A sentence for humans. */
  readonly message: string;
}

/** Inputs of {@link verifyChain}. */
export interface VerifyChainOptions {
  /** The trust anchors (root certificates). */
  readonly roots: readonly Certificate[];
  /**
   * Untrusted intermediates that may be used to build the path.
   * @default - none
   */
  readonly intermediates?: readonly Certificate[];
  /**
   * The instant validity is checked at.
   * @default - now
   */
  readonly at?: Date;
  /**
   * Extended key usage the leaf must allow.
   * @default - not checked
   */
  readonly purpose?: 'serverAuth' | 'clientAuth';
}

/** Result of {@link verifyChain}. */
export interface ChainVerification {
  /** Whether the chain is trusted and every certificate in it is valid. */
  readonly valid: boolean;
  /** The path built, leaf first, as far as it could be built. */
  readonly path: readonly Certificate[];
  /** Everything wrong, in path order; empty when valid. */
  readonly problems: readonly ChainProblem[];
}

const MAX_DEPTH = 8;

/**
 * Builds the path from `leaf` to one of `roots` and checks it the way a TLS peer does: each
 * signature, each validity period at `at`, CA basic constraints and `keyCertSign` on every
 * issuer, path length constraints, and optionally the leaf's extended key usage.
 *
 * Issuers are matched by name and, when present, by authority/subject key identifier, so two
 * roots with the same name (before and after a rotation) are told apart.
 *
 * @example
 * const result = await verifyChain(leaf, { roots: [root], intermediates: [east] });
 * if (!result.valid) console.log(result.problems.map((p) => p.message));
 */
export async function verifyChain(leaf: Certificate, options: VerifyChainOptions): Promise<ChainVerification> {
  const at = options.at ?? new Date();
  const roots = options.roots;
  const pool = [...(options.intermediates ?? []), ...roots];
  const path: Certificate[] = [leaf];
  const problems: ChainProblem[] = [];

  let current = leaf;
  let trusted = false;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (roots.some((r) => r.equals(current))) {
      trusted = true;
      break;
    }
    const candidates = pool.filter((c) => c.subject === current.issuer
      && (current.authorityKeyId === undefined || c.subjectKeyId === undefined || c.subjectKeyId === current.authorityKeyId)
      && !path.some((p) => p.equals(c)));
    let issuer: Certificate | undefined;
    for (const candidate of candidates) {
      if (await signedBy(current, candidate)) {
        issuer = candidate;
        break;
      }
    }
    if (!issuer) {
      const message = candidates.length > 0
        ? `the signature of ${current} does not verify with the public key of its issuer ${candidates[0]}`
        : current.selfIssued
          ? `${current} is self-signed and not among the trusted roots`
          : `the issuer "${current.issuer}" of ${current} is not among the trusted roots or known intermediates`;
      problems.push({ code: candidates.length > 0 ? 'bad-signature' : 'untrusted', certificate: current, message });
      break;
    }
    path.push(issuer);
    current = issuer;
  }
  if (!trusted && problems.length === 0) {
    problems.push({ code: 'untrusted', certificate: current, message: `no trusted root within ${MAX_DEPTH} certificates above ${leaf}` });
  }

  path.forEach((cert, index) => {
    if (at.getTime() > cert.notAfter.getTime()) {
      problems.push({ code: 'expired', certificate: cert, message: `${cert} expired at ${cert.notAfter.toISOString()}` });
    } else if (at.getTime() < cert.notBefore.getTime()) {
      problems.push({ code: 'not-yet-valid', certificate: cert, message: `${cert} is not valid before ${cert.notBefore.toISOString()}` });
    }
    if (index === 0) return;
    if (!cert.isCa || !cert.keyUsages.includes('keyCertSign')) {
      problems.push({ code: 'issuer-not-ca', certificate: cert, message: `${cert} signs certificates but is not a CA (basic constraints CA:TRUE and key usage keyCertSign)` });
    }
    // RFC 5280 §4.2.1.9: pathLenConstraint counts the non-self-issued intermediates below this CA.
    const intermediatesBelow = path.slice(1, index).filter((c) => !c.selfIssued).length;
    if (cert.pathLength !== undefined && intermediatesBelow > cert.pathLength) {
      problems.push({ code: 'path-length-exceeded', certificate: cert, message: `${cert} allows ${cert.pathLength} intermediate(s) below it, found ${intermediatesBelow}` });
    }
  });

  if (options.purpose && leaf.extendedKeyUsages.length > 0 && !leaf.extendedKeyUsages.includes(options.purpose)) {
    problems.push({ code: 'wrong-purpose', certificate: leaf, message: `${leaf} does not allow ${options.purpose} (extended key usage: ${leaf.extendedKeyUsages.join(', ')})` });
  }
  return { valid: trusted && problems.length === 0, path, problems };
}

async function signedBy(cert: Certificate, issuer: Certificate): Promise<boolean> {
  try {
    return await cert.toX509().verify({ publicKey: issuer.toX509().publicKey, signatureOnly: true }, x509Crypto());
  } catch {
    return false;
  }
}

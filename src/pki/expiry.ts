import { Duration } from 'cdk8s';
import { Diagnostic } from '../errors';
import { Certificate } from './certificate';

/** Where a certificate stands relative to its validity period. */
export type ExpiryStatus = 'ok' | 'expiring' | 'expired' | 'not-yet-valid';

/**
 * Whether a certificate is valid at `at`, and whether it expires within `warnWithin`.
 *
 * @example
 * expiryStatus(root, new Date(), Duration.days(90)) // 'expiring' when fewer than 90 days are left
 */
export function expiryStatus(certificate: Certificate, at: Date, warnWithin: Duration): ExpiryStatus {
  const t = at.getTime();
  if (t > certificate.notAfter.getTime()) return 'expired';
  if (t < certificate.notBefore.getTime()) return 'not-yet-valid';
  if (certificate.notAfter.getTime() - t <= warnWithin.toMilliseconds()) return 'expiring';
  return 'ok';
}

/** A certificate to watch, with what to do when it runs out. */
export interface WatchedCertificate {
  /** What it is, e.g. `root CA` or `intermediate CA of cluster east`. */
  readonly role: string;
  readonly certificate: Certificate;
  /** The command that renews or replaces it. */
  readonly fix: string;
  /** CA certificates report `TM_CA_*`, leaf credentials `TM_CERT_*`. */
  readonly kind: 'ca' | 'leaf';
  /** Window for the expiring warning. */
  readonly warnWithin: Duration;
}

/**
 * Diagnostics for certificates that have expired (errors `TM_CA_EXPIRED` / `TM_CERT_EXPIRED`),
 * expire within their window (warnings `TM_CA_EXPIRING` / `TM_CERT_EXPIRING`) or are not valid
 * yet (warnings `TM_CA_NOT_YET_VALID` / `TM_CERT_NOT_YET_VALID`, usually a wrong clock).
 */
export function expiryDiagnostics(watched: readonly WatchedCertificate[], at: Date): Diagnostic[] {
  const result: Diagnostic[] = [];
  for (const w of watched) {
    const status = expiryStatus(w.certificate, at, w.warnWithin);
    const ca = w.kind === 'ca';
    const notAfter = w.certificate.notAfter.toISOString();
    const days = w.certificate.daysUntilExpiry(at);
    if (status === 'expired') {
      result.push({
        code: ca ? 'TM_CA_EXPIRED' : 'TM_CERT_EXPIRED',
        severity: 'error',
        message: `${w.role} ${w.certificate} expired on ${notAfter}; mTLS through it fails`,
        fix: w.fix,
      });
    } else if (status === 'expiring') {
      result.push({
        code: ca ? 'TM_CA_EXPIRING' : 'TM_CERT_EXPIRING',
        severity: 'warning',
        message: `${w.role} ${w.certificate} expires on ${notAfter}, in ${days} day(s)`,
        fix: w.fix,
      });
    } else if (status === 'not-yet-valid') {
      result.push({
        code: ca ? 'TM_CA_NOT_YET_VALID' : 'TM_CERT_NOT_YET_VALID',
        severity: 'warning',
        message: `${w.role} ${w.certificate} is not valid before ${w.certificate.notBefore.toISOString()}`,
        fix: 'check the clock of the machine that issued it and of this machine',
      });
    }
  }
  return result;
}

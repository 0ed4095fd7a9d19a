import { Duration } from 'cdk8s';
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

/**
 * istiod's `validateTLSOptions`: the TLS settings of a Gateway server or a Sidecar ingress
 * listener — exactly one certificate source for SIMPLE and MUTUAL, a client CA for MUTUAL, no
 * certificates with ISTIO_MUTUAL, cipher suites and CRLs.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings
 * @module
 */
import { Findings, WebhookCheck, WebhookPath, show } from './webhook-types';
import { isRecord } from '../../private/records';

export const CERTIFICATE_SOURCE: WebhookCheck = {
  code: 'TM_SERVER_TLS_CERTIFICATE_SOURCE',
  severity: 'error',
  title: 'a SIMPLE/MUTUAL server has no certificate source or two, or ISTIO_MUTUAL/PASSTHROUGH has certificates',
  istiod: 'validateTLSOptions',
};
export const MUTUAL_WITHOUT_CA: WebhookCheck = {
  code: 'TM_SERVER_TLS_MUTUAL_WITHOUT_CA',
  severity: 'error',
  title: 'a MUTUAL or OPTIONAL_MUTUAL server with certificate files has no caCertificates to verify clients',
  istiod: 'validateTLSOptions',
};
export const TLS_SETTINGS_INVALID: WebhookCheck = {
  code: 'TM_SERVER_TLS_SETTINGS_INVALID',
  severity: 'error',
  title: 'server TLS settings istiod refuses (CRL) or ignores (cipher suites, TLS 1.0/1.1 without ciphers)',
  istiod: 'validateTLSOptions',
};

/** Every check of this module. */
export const SERVER_TLS_CHECKS: readonly WebhookCheck[] = [CERTIFICATE_SOURCE, MUTUAL_WITHOUT_CA, TLS_SETTINGS_INVALID];

// security.ValidCipherSuites (BoringSSL names Envoy accepts in ServerTLSSettings.cipherSuites).
const CIPHER_SUITES = new Set([
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES256-SHA', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA', 'AES256-SHA', 'DES-CBC3-SHA',
]);

// security.IsValidCipherSuite: "", ALL, and expressions starting with an operator (-, +, !, [) pass.
function isValidCipherSuite(cs: string): boolean {
  return cs === '' || cs === 'ALL' || !/^[\p{L}\p{N}]/u.test(cs) || CIPHER_SUITES.has(cs);
}

const str = (tls: Readonly<Record<string, unknown>>, f: string): string => (typeof tls[f] === 'string' ? tls[f] as string : '');
const count = (tls: Readonly<Record<string, unknown>>, f: string): number => (Array.isArray(tls[f]) ? (tls[f] as unknown[]).length : 0);

/** `validateTLSOptions` on the `tls` at `path`. */
export function checkServerTls(tls: unknown, path: WebhookPath, out: Findings): void {
  if (!isRecord(tls)) return;
  const mode = typeof tls.mode === 'string' ? tls.mode : 'PASSTHROUGH';
  checkCiphers(tls, path, out);
  const credentialName = str(tls, 'credentialName');
  const credentialNames = count(tls, 'credentialNames');
  const tlsCertificates = count(tls, 'tlsCertificates');
  if (mode === 'ISTIO_MUTUAL') {
    const set = ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName'].filter((f) => str(tls, f) !== '')
      .concat(['tlsCertificates', 'credentialNames'].filter((f) => count(tls, f) > 0));
    for (const f of set) {
      out.add(CERTIFICATE_SOURCE, [...path, f], `ISTIO_MUTUAL TLS cannot have an associated ${f}: it uses the proxy's mesh certificate`,
        `Remove ${f}, or use mode SIMPLE or MUTUAL to serve your own certificate.`);
    }
    return;
  }
  if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') {
    const certs = ['caCrl', 'serverCertificate', 'privateKey', 'caCertificates', 'credentialName'].filter((f) => str(tls, f) !== '')
      .concat(['tlsCertificates', 'credentialNames'].filter((f) => count(tls, f) > 0));
    if (certs.length > 0) {
      out.warn(CERTIFICATE_SOURCE, [...path, certs[0]], `${mode} mode does not use certificates, they will be ignored (${certs.join(', ')})`,
        'Set mode: SIMPLE (or MUTUAL) to terminate TLS with these certificates, or remove them.');
    }
  }
  const pair = str(tls, 'serverCertificate') !== '' && str(tls, 'privateKey') !== '';
  const sources = [pair && 'serverCertificate/privateKey', credentialName !== '' && 'credentialName',
    credentialNames > 0 && 'credentialNames', tlsCertificates > 0 && 'tlsCertificates'].filter((s): s is string => typeof s === 'string');
  // The CRD's CEL rules already refuse credentialName with credentialNames and credentialNames with tlsCertificates.
  const uncovered = pair || (credentialName !== '' && tlsCertificates > 0);
  if (sources.length > 1 && uncovered) {
    out.add(CERTIFICATE_SOURCE, path, `only one of credentialName, credentialNames, serverCertificate/privateKey, tlsCertificates should be specified (found ${sources.join(', ')})`,
      'Keep one certificate source; credentialName (a Secret the gateway reads) is the usual one.');
  }
  const terminating = mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL';
  if (terminating && (credentialName !== '' || credentialNames > 0)) return;
  if (terminating) {
    const prefix = mode === 'SIMPLE' ? 'SIMPLE TLS' : 'MUTUAL TLS';
    if (mode !== 'SIMPLE' && str(tls, 'caCertificates') === '') {
      out.add(MUTUAL_WITHOUT_CA, [...path, 'mode'], `${prefix} requires a client CA bundle (caCertificates)`,
        'Set caCertificates to the CA file that signs client certificates, or use credentialName with a Secret that holds ca.crt.');
    }
    // More than 2 tlsCertificates is refused by the CRD (maxItems), where istiod only warns.
    const certs = tlsCertificates > 0 ? (tls.tlsCertificates as unknown[]).map((c, i) => [isRecord(c) ? c : {}, [...path, 'tlsCertificates', i]] as const)
      : [[tls, path] as const];
    for (const [cert, at] of certs) {
      const missing = ['serverCertificate', 'privateKey'].filter((f) => str(cert, f) === '');
      if (missing.length === 2 && tlsCertificates === 0) {
        out.add(CERTIFICATE_SOURCE, at, `${prefix} requires a certificate source: credentialName, credentialNames, serverCertificate with privateKey, or tlsCertificates`,
          'Set credentialName to the Secret with the server certificate (tls.crt, tls.key).');
        continue;
      }
      for (const f of missing) {
        out.add(CERTIFICATE_SOURCE, at, `${prefix} requires a ${f === 'serverCertificate' ? 'server certificate' : 'private key'} (${f})`,
          `Set ${f}, or use credentialName instead of certificate files.`);
      }
    }
  }
  if (str(tls, 'caCrl') !== '') {
    if (credentialName !== '') {
      out.add(TLS_SETTINGS_INVALID, [...path, 'caCrl'], 'CRL is not supported with credentialName. CRL has to be specified in the credential',
        'Put the CRL into the credential Secret (ca.crl) and remove caCrl.');
    }
    if (mode === 'SIMPLE') {
      out.add(TLS_SETTINGS_INVALID, [...path, 'caCrl'], 'CRL is not supported with SIMPLE TLS', 'Remove caCrl, or use mode MUTUAL.');
    }
  }
}

function checkCiphers(tls: Readonly<Record<string, unknown>>, path: WebhookPath, out: Findings): void {
  const ciphers = Array.isArray(tls.cipherSuites) ? tls.cipherSuites.filter((c): c is string => typeof c === 'string') : [];
  if ((tls.minProtocolVersion === 'TLSV1_0' || tls.minProtocolVersion === 'TLSV1_1') && ciphers.length === 0) {
    out.warn(TLS_SETTINGS_INVALID, [...path, 'minProtocolVersion'],
      'TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers',
      'List cipherSuites that TLS 1.0/1.1 clients support (e.g. ECDHE-RSA-AES128-SHA), or raise minProtocolVersion to TLSV1_2.');
  }
  const invalid = [...new Set(ciphers.filter((c) => !isValidCipherSuite(c)))].sort();
  if (invalid.length > 0) {
    out.warn(TLS_SETTINGS_INVALID, [...path, 'cipherSuites'], `ignoring invalid cipher suites: ${invalid.map((c) => show(c)).join(', ')}`,
      `Use BoringSSL cipher names: ${[...CIPHER_SUITES].slice(0, 4).join(', ')}, ….`);
  }
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const c of ciphers) {
    if (!isValidCipherSuite(c)) continue;
    if (seen.has(c)) duplicates.add(c);
    seen.add(c);
  }
  if (duplicates.size > 0) {
    out.warn(TLS_SETTINGS_INVALID, [...path, 'cipherSuites'], `ignoring duplicate cipher suites: ${[...duplicates].sort().join(', ')}`, 'List each cipher suite once.');
  }
}

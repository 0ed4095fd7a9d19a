import { CaMaterial } from './ca-material';
import { Certificate } from './certificate';

/** Options of {@link renderCaSummary}. */
export interface CaSummaryOptions {
  /** Clusters whose `cacerts` are emitted. */
  readonly clusters: readonly string[];
  /** Credentials emitted as TLS Secrets: credential name → `namespace/secret`. */
  readonly credentials: ReadonlyMap<string, string>;
  /** `namespace/name` of the trust-bundle ConfigMap. */
  readonly trustBundle: string;
  /** `namespace/name` of the plug-in CA Secret. */
  readonly pluginCaSecret: string;
}

/**
 * A markdown summary of the CA material for reviewers: subjects, SANs, SHA-256 fingerprints and
 * validity of every certificate emitted. It holds no key material and nothing that depends on the
 * current date, so it only changes when the certificates do.
 */
export function renderCaSummary(material: CaMaterial, options: CaSummaryOptions): string {
  const lines: string[] = [
    '# Mesh CA summary',
    '',
    `Trust domain: \`${material.trustDomain}\` · Root rotation: ${describePhase(material)}`,
    '',
    'Private keys are not in this file nor anywhere in the reviewable output: the `cacerts` and',
    'gateway Secrets are written to the git-ignored secrets directory.',
    '',
    `## Trusted roots (\`root-cert.pem\` of \`${options.pluginCaSecret}\` and ConfigMap \`${options.trustBundle}\`)`,
    '',
    '| Role | Subject | SHA-256 fingerprint | Not before | Not after |',
    '|---|---|---|---|---|',
    ...material.trustedRoots.map((r, i) => row([i === 0 ? 'signing root' : 'also trusted', r.subject, fp(r), day(r.notBefore), day(r.notAfter)])),
    '',
    `## Cluster intermediates (\`ca-cert.pem\` of \`${options.pluginCaSecret}\`)`,
    '',
  ];
  const clusters = material.clusters.filter((c) => options.clusters.includes(c.cluster));
  if (clusters.length === 0) {
    lines.push('None emitted.');
  } else {
    lines.push('| Cluster | Subject | SANs | SHA-256 fingerprint | Not before | Not after |', '|---|---|---|---|---|---|');
    for (const c of clusters) {
      const cert = c.intermediate.certificate;
      lines.push(row([c.cluster, cert.subject, sans(cert), fp(cert), day(cert.notBefore), day(cert.notAfter)]));
    }
  }
  const credentials = material.credentials.filter((c) => options.credentials.has(c.name));
  if (credentials.length > 0) {
    lines.push('', '## Gateway and client credentials (`kubernetes.io/tls` Secrets)', '',
      '| Secret | Kind | Cluster | Subject | SANs | SHA-256 fingerprint | Not after |', '|---|---|---|---|---|---|---|');
    for (const c of credentials) {
      const cert = c.credential.certificate;
      lines.push(row([options.credentials.get(c.name)!, c.kind, c.cluster, cert.subject, sans(cert), fp(cert), day(cert.notAfter)]));
    }
  }
  return `${lines.join('\n')}\n`;
}

function describePhase(material: CaMaterial): string {
  switch (material.rotation) {
    case 'new-root-trusted': return 'in progress, step 1 of 3 (new root trusted; intermediates still under the old root)';
    case 'intermediates-reissued': return 'in progress, step 2 of 3 (intermediates under the new root; old root still trusted)';
    default: return 'none (one root)';
  }
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => (c === '' ? '—' : c.replace(/\|/g, '\\|'))).join(' | ')} |`;
}

function fp(c: Certificate): string {
  return `\`${c.fingerprintSha256}\``;
}

function day(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

function sans(c: Certificate): string {
  return [...c.dnsNames.map((d) => `DNS:${d}`), ...c.uris.map((u) => `URI:${u}`), ...c.ipAddresses.map((i) => `IP:${i}`)].join(', ');
}
